"""The metrics' week of service (Mon 9 – Sun 15 March 2026, Asia/Shanghai; see
aftersales/metrics/tests/conftest.py) is the month's data; the clock then stands at
Wed 1 April 2026 07:00, when the March report is made. One open problem record owned by
team B (R&D) groups R3 (team B), with an overdue action and one due later."""

import datetime

import pytest

from aftersales.catalog.models import Product
from aftersales.metrics.tests.conftest import _english, local, week  # noqa: F401
from aftersales.quality import services as quality
from aftersales.service_requests.models import ServiceRequest

MARCH = datetime.date(2026, 3, 1)
APRIL_FIRST = local(2026, 4, 1, 7, 0)


@pytest.fixture
def month(
    week,  # noqa: F811
    time_machine,
    supervisor,
    admin_user,
    department,
    team_b,
):
    made = week
    time_machine.move_to(local(2026, 3, 20, 10, 0), tick=False)
    problem = quality.problem_create(
        by=admin_user,
        data={
            "title": '主板批次异常 <img src="file:///etc/passwd"/>',
            "symptom": "开机无显示",
            "team": team_b,
        },
        requests=[made["r3"]],
    )
    quality.problem_action_add(
        problem,
        by=admin_user,
        data={
            "kind": "corrective",
            "description": "更换来料供应商",
            "owner": department,
            "due_on": datetime.date(2026, 3, 25),
        },
    )
    quality.problem_action_add(
        problem,
        by=admin_user,
        data={
            "kind": "preventive",
            "description": "更新来料检验标准",
            "owner": department,
            "due_on": datetime.date(2026, 4, 30),
        },
    )
    # Product models and batches for the top-problem tables.
    heater = Product.objects.create(model="DSZF-60A", name="储水式电热水器")
    cooler = Product.objects.create(model="KFR-35GW", name="壁挂空调")
    ServiceRequest.objects.filter(pk__in=[made["r1"].pk, made["r2"].pk]).update(
        product=heater, batch_number="B2603"
    )
    ServiceRequest.objects.filter(pk=made["r4"].pk).update(product=cooler, batch_number="C01")
    time_machine.move_to(APRIL_FIRST, tick=False)
    return {**made, "problem": problem}
