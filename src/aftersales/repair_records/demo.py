"""Demo repair records: a few resolved repairs get the record of the work, with a part from
the technician's van where it has one, and the customer's answer taken by phone — two fixed,
one not fixed (so the request is reopened and shows as a repeat repair).

Built through the services, like the rest of the demo. Called by `core.demo.demo_seed`
after the requests and the stock exist.
"""

import datetime
from typing import Any

from django.db.models import F

from aftersales.accounts.models import User
from aftersales.core.errors import DomainError
from aftersales.parts.models import StockLevel, Warehouse
from aftersales.repair_records import access, services
from aftersales.service_requests.models import ServiceRequest

S = ServiceRequest.Status
WORK = [
    "检测压缩机与启动电容，更换老化的电容，清洗室内机过滤网。",
    "排水管堵塞，疏通并重新固定排水管，检查密封。",
    "更换损坏的温控器，校准温度显示。",
    "Checked the wiring and replaced the worn fuse; cleaned the filter.",
]


def _part_line(worker: User, request: ServiceRequest) -> dict[str, Any]:
    """A part from the worker's van if it holds one, else one bought outside our stock."""
    van = Warehouse.objects.filter(
        kind=Warehouse.Kind.VAN, technician=worker, is_active=True
    ).first()
    level = (
        StockLevel.objects.filter(warehouse=van, on_hand__gt=F("reserved"), part__is_active=True)
        .select_related("part")
        .order_by("part__part_number")
        .first()
        if van
        else None
    )
    if level is None:
        return {"part_number": "FUSE-5A", "description": "保险丝 5A（当地购买）"}
    line: dict[str, Any] = {"warehouse": van, "part": level.part, "quantity": 1}
    if level.part.serialised:
        line |= {"old_serial": f"OLD-{request.pk:05d}", "new_serial": f"NEW-{request.pk:05d}"}
    return line


def repair_records_demo_seed() -> int:
    """Records for up to four resolved repairs; returns how many were written."""
    candidates = list(
        ServiceRequest.objects.filter(
            status=S.RESOLVED, kind=ServiceRequest.Kind.REPAIR, assignee__isnull=False
        )
        .select_related("assignee")
        .order_by("number")[:4]
    )
    agent = User.objects.filter(role=User.Role.AGENT, is_active=True).order_by("username").first()
    made = 0
    for index, request in enumerate(candidates):
        worker = request.assignee
        if worker is None or not access.can_write(worker, request) or request.resolved_at is None:
            continue
        finished = request.resolved_at - datetime.timedelta(minutes=20)
        data = {
            "work_done": WORK[index % len(WORK)],
            "started_at": finished - datetime.timedelta(minutes=40 + 20 * index),
            "finished_at": finished,
            "test_outcome": "passed",
            "test_result": "试机 30 分钟，运行正常。",
        }
        try:
            services.repair_record_create(
                request, by=worker, data=data, parts=[_part_line(worker, request)]
            )
            made += 1
            if agent is None:
                continue
            if index < 2:
                services.confirmation_record(
                    request, satisfied=True, comment="电话回访：客户确认已修好。", by=agent
                )
            elif index == 2:
                services.confirmation_record(
                    request, satisfied=False, comment="客户反映第二天又出现同样的问题。", by=agent
                )
        except DomainError:
            continue  # the demo shows what it can; a refused step is not an error here
    return made
