"""Demo complaints: a few open complaint requests get their registration, each left at another
step — just registered; investigated with a proposal waiting for the supervisor; a proposal
offered to the customer; agreed on the portal with its tasks under way (the warehouse has
started shipping, marketing has the gift to send); carried out, with the customer satisfied
and the request resolved; and the same, closed.

Built through the services, like the rest of the demo, on the demo's simulated clock when
one is given (each step some hours after the last, never later than `anchor`). Called by
`core.demo.demo_seed` after the requests, the staff and the teams exist. The remedies go to
departments: a marketing and a finance team are created if the directory has none.
"""

import base64
import datetime
import io
from decimal import Decimal
from typing import Any

from django.utils import timezone
from PIL import Image, ImageDraw

from aftersales.accounts.models import Team, User
from aftersales.catalog.models import Product
from aftersales.complaints import services
from aftersales.complaints.models import Complaint, Proposal
from aftersales.service_requests import services as requests
from aftersales.service_requests.models import ServiceRequest
from aftersales.tasks import services as task_services

S = ServiceRequest.Status
# The oldest request goes furthest: it had the time.
DEPTHS = ("closed", "satisfied", "implementing", "offered", "submitted", "registered")
# How long each depth's steps take (hours): they end shortly before `anchor`, so that what
# is under way is not long overdue.
SPAN = {
    "closed": 70,
    "satisfied": 64,
    "implementing": 38,
    "offered": 12,
    "submitted": 9,
    "registered": 3,
}
RECENT = datetime.timedelta(days=3)
WORKABLE = [S.NEW, S.ASSIGNED, S.IN_PROGRESS, S.REOPENED, S.SCHEDULED]
DEPARTMENTS = {
    Team.Kind.MARKETING: ("市场部", "Marketing"),
    Team.Kind.FINANCE: ("财务部", "Finance"),
}
PHONE_BROWSER = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


class _Steps:
    """Moves the demo's simulated clock (if any) through a complaint's steps."""

    def __init__(self, clock: Any, anchor: datetime.datetime, start: datetime.datetime) -> None:
        self.clock = clock
        self.anchor = anchor
        self.start = start
        self.last = start

    def at(self, hours: float) -> None:
        if self.clock is None:
            return
        moment = min(self.start + datetime.timedelta(hours=hours), self.anchor)
        self.last = max(moment, self.last)
        self.clock.moment = self.last


def _signature() -> str:
    """A drawn signature as the portal's canvas sends it: a PNG data URL."""
    image = Image.new("RGBA", (360, 140), (255, 255, 255, 0))
    pen = ImageDraw.Draw(image)
    pen.line(
        [(18, 96), (46, 40), (70, 104), (96, 52), (120, 98), (150, 60), (176, 92)],
        fill=(17, 17, 17, 255),
        width=4,
        joint="curve",
    )
    pen.line(
        [(196, 88), (232, 48), (262, 100), (300, 58), (338, 80)], fill=(17, 17, 17, 255), width=4
    )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def _departments() -> None:
    for kind, (name, name_en) in DEPARTMENTS.items():
        if not Team.objects.filter(kind=kind).exists():
            Team.objects.create(name=name, name_en=name_en, kind=kind)


def _investigate(complaint: Complaint, agent: User, steps: _Steps) -> None:
    steps.at(2)
    services.complaint_contact_add(
        complaint,
        by=agent,
        method="phone",
        facts="客户来电说明情况：维修后同一故障再次出现，上门等待两次，情绪激动，要求补偿。",
    )
    steps.at(5)
    services.complaint_investigate(
        complaint,
        by=agent,
        data={
            "severity": "major",
            "fault": "partial",
            "fault_percent": 60,
            "founded": True,
            "findings": "上次维修更换的配件批次有缺陷，且未按约定时间上门。",
            "other_demands": "希望主管致电道歉",
        },
    )


def _lines(depth: str, product: Product) -> tuple[list[dict[str, Any]], str]:
    if depth in {"satisfied", "closed"}:
        lines = [{"kind": "replacement", "product": product, "unit_value": Decimal("2599.00")}]
        return lines, "质保期内同一故障反复出现，按三包规定更换同型号新机。"
    if depth == "implementing":
        lines = [
            {"kind": "compensation_product", "product": product, "unit_value": Decimal("1999.00")},
            {
                "kind": "gift",
                "description": "保温杯",
                "quantity": 2,
                "unit_value": Decimal("49.50"),
            },
        ]
        return lines, "老客户，我方安装过失，影响口碑；赠品表达歉意。"
    if depth == "offered":
        lines = [
            {"kind": "refund", "description": "退还上次维修费", "unit_value": Decimal("300.00")},
            {
                "kind": "service_credit",
                "description": "下次保养抵用",
                "unit_value": Decimal("200.00"),
            },
        ]
        return lines, "部分责任在我方（配件缺陷），退还维修费并给予保养抵用。"
    lines = [
        {"kind": "gift", "description": "清洁套装", "unit_value": Decimal("89.00")},
        {"kind": "service_credit", "description": "免费清洗一次", "unit_value": Decimal("120.00")},
    ]
    return lines, "上门迟到两次，客户长期使用我司产品，以服务补偿维护关系。"


def _carry_out(proposal: Proposal, depth: str, warehouse: User | None, steps: _Steps) -> None:
    """Signed on the portal, then the departments' tasks as far as `depth` goes."""
    steps.at(30)
    services.proposal_sign(
        proposal,
        signer_name=proposal.complaint.request.customer.name,
        signature_data_url=_signature(),
        ip_address="203.0.113.24",
        user_agent=PHONE_BROWSER,
    )
    if warehouse is None:
        return
    for line in proposal.lines.select_related("task").order_by("id"):
        task = line.task
        if task is None or task.team.kind != Team.Kind.WAREHOUSE:
            continue
        steps.at(34)
        task = task_services.task_start(task, by=warehouse)
        if depth not in {"satisfied", "closed"}:
            continue
        steps.at(52)
        task_services.task_finish(
            task,
            by=warehouse,
            data={"outcome": "新机已出库，顺丰发出", "reference": f"SF{1402600000 + task.pk}"},
        )


def complaints_demo_seed(*, clock: Any = None, anchor: datetime.datetime | None = None) -> int:
    """Registrations for up to six open complaint requests; returns how many were made."""
    team = Team.objects.filter(kind=Team.Kind.COMPLAINTS).order_by("id").first()
    lead = team.supervisor if team is not None else None
    agent = (
        User.objects.filter(role=User.Role.AGENT, is_active=True, teams=team)
        .order_by("username")
        .first()
        if team is not None
        else None
    )
    product = Product.objects.order_by("id").first()
    if lead is None or agent is None or product is None:
        return 0
    warehouse = (
        User.objects.filter(
            role=User.Role.DEPARTMENT, is_active=True, teams__kind=Team.Kind.WAREHOUSE
        )
        .order_by("username")
        .first()
    )
    _departments()
    anchor = anchor or timezone.now()
    # The newest complaint requests that are a few days old, the oldest of them first.
    candidates = list(
        ServiceRequest.objects.filter(
            kind=ServiceRequest.Kind.COMPLAINT,
            status__in=WORKABLE,
            complaint__isnull=True,
            received_at__lte=anchor - RECENT,
        )
        .select_related("customer", "unit__product")
        .order_by("-received_at", "-id")[: len(DEPTHS)]
    )[::-1]
    for request, depth in zip(candidates, DEPTHS, strict=False):
        start = max(request.received_at, anchor - datetime.timedelta(hours=SPAN[depth]))
        steps = _Steps(clock, anchor, start)
        steps.at(1)
        complaint = services.complaint_register(
            by=agent,
            request=request,
            data={
                "subject": request.description or request.title,
                "wanted": "尽快解决，并对耽误的时间给予补偿",
                "complainant": request.contact_name or request.customer.name,
            },
        )
        if depth == "registered":
            continue
        _investigate(complaint, agent, steps)
        lines, reasoning = _lines(depth, request.unit.product if request.unit else product)
        steps.at(6)
        proposal = services.proposal_create(
            complaint, by=agent, data={"reasoning": reasoning, "lines": lines}
        )
        proposal = services.proposal_submit(proposal, by=agent)
        if depth == "submitted":
            continue
        steps.at(9)
        proposal = services.proposal_approve(proposal, by=lead, comment="同意，请尽快落实。")
        if depth == "offered":
            continue
        _carry_out(proposal, depth, warehouse, steps)
        if depth in {"satisfied", "closed"}:
            complaint.refresh_from_db()
            steps.at(60)
            services.complaint_satisfaction(
                complaint, by=agent, satisfied=True, comment="客户电话确认已收到新机，使用正常。"
            )
        if depth == "closed":
            steps.at(66)
            requests.service_request_act(
                ServiceRequest.objects.get(pk=request.pk), "close", by=lead, data={}
            )
    if clock is not None:
        clock.moment = None
    return len(candidates)
