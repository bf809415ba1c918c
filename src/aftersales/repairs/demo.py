"""Demo diagnoses and solution plans: a few repairs in progress get an assessment and a plan
in each state the console shows — a draft, one waiting for the supervisor, one waiting for
the customer, one agreed by phone, one approved at once.

Built through the services, like the rest of the demo. Called by `core.demo.demo_seed`
after the requests and the stock exist.
"""

from decimal import Decimal
from typing import Any

from aftersales.accounts.models import User
from aftersales.parts.models import Part, Warehouse
from aftersales.repairs import services
from aftersales.service_requests.models import ServiceRequest

S = ServiceRequest.Status


def _supervisor(request: ServiceRequest) -> User | None:
    return (
        User.objects.filter(role=User.Role.SUPERVISOR, is_active=True, teams=request.team_id)
        .order_by("username")
        .first()
    )


def _plan(summary: str, minutes: int, fees: list[tuple[str, str, str, str]], **extra: Any) -> dict:
    return {
        "summary": summary,
        "estimated_minutes": minutes,
        "steps": ["电话确认故障现象与机型", "按方案处理", "试机并向客户说明使用注意事项"],
        "fee_lines": [
            {"kind": k, "description": d, "quantity": Decimal(q), "unit_price": Decimal(p)}
            for k, d, q, p in fees
        ],
        "warranty": "out",
        "warranty_reason": "客户未能提供购买凭证",
        **extra,
    }


def repairs_demo_seed() -> int:
    """Plans for up to five repairs in progress; returns how many were made."""
    candidates = list(
        ServiceRequest.objects.filter(
            status=S.IN_PROGRESS,
            kind=ServiceRequest.Kind.REPAIR,
            assignee__isnull=False,
            team__isnull=False,
        )
        .select_related("assignee", "unit__product")
        .order_by("number")[:5]
    )
    part = Part.objects.filter(part_number="AC-CAP-35").first()
    store = Warehouse.objects.filter(code="WH-SH-01").first()
    parts = [{"part": part, "warehouse": store, "quantity": 1}] if part and store else []
    made = 0
    for index, request in enumerate(candidates):
        worker = request.assignee
        services.diagnosis_record(
            request,
            by=worker,
            data={
                "cause": "压缩机运行电容容量衰减，启动困难",
                "severity": ["minor", "major", "major", "critical", "minor"][index],
                "handling": "on_site" if index % 2 else "remote",
                "parts_needed": "运行电容 35μF",
                "parts": [part] if part else [],
                "expected_minutes": 60 + 30 * index,
            },
        )
        # Staff decide the warranty only when the unit does not tell.
        unit_decides = services.warranty_for(request).status != "unknown"
        fees = [
            ("parts", "运行电容 35μF", "1", "18.00"),
            ("labour", "上门检测与更换", "1", "120.00"),
            ("call_out", "上门费", "1", "50.00"),
        ]
        if index == 1:
            fees.append(("parts", "室外主板", "1", "420.00"))
        data = _plan("更换运行电容并检测压缩机", 90, fees, parts=parts, needs_visit=index != 4)
        if index == 4:
            data = _plan("电话指导客户重新设置遥控器", 20, [], parts=[])
        if unit_decides:
            data.pop("warranty")
            data.pop("warranty_reason")
        plan = services.plan_create(request, by=worker, data=data)
        made += 1
        if index == 0:
            continue  # a draft
        plan = services.plan_submit(plan, by=worker)
        supervisor = _supervisor(request)
        if index == 3 and plan.status == plan.Status.PENDING_APPROVAL and supervisor:
            plan = services.plan_approve(plan, by=supervisor, comment="同意，尽快安排")
        if index == 3 and plan.status == plan.Status.PENDING_CONSENT:
            services.plan_consent_record(
                plan, by=worker, agreed=True, statement="客户电话确认同意费用，周末可上门"
            )
    return made
