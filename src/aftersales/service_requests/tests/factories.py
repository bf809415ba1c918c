"""Build service requests through the real intake service, so tests see real numbers and events."""

from typing import Any

from aftersales.accounts.models import User
from aftersales.customers.models import Customer
from aftersales.service_requests import services
from aftersales.service_requests.models import ServiceRequest


def make_request(*, by: User | None, customer: Customer, **data: Any) -> ServiceRequest:
    data.setdefault("title", "空调不制冷")
    data.setdefault("description", "客厅的空调开机后不制冷，室外机有异响。")
    return services.service_request_create(by=by, customer=customer, data=data)


def move_to(
    request: ServiceRequest, status: str, *, by: User, assignee: User | None = None
) -> ServiceRequest:
    """Walk `request` along the lifecycle to `status` using the real actions."""
    paths = {
        "new": [],
        "assigned": ["assign"],
        "in_progress": ["assign", "start"],
        "pending_approval": ["assign", "start", "request-approval"],
        "pending_customer": ["assign", "start", "wait-customer"],
        "scheduled": ["assign", "schedule"],
        "resolved": ["assign", "start", "resolve"],
        "closed": ["assign", "start", "resolve", "close"],
        "reopened": ["assign", "start", "resolve", "reopen"],
        "cancelled": ["cancel"],
    }
    import datetime

    from django.utils import timezone

    inputs = {
        "assign": {"assignee": assignee or by},
        "request-approval": {"note": "需要更换压缩机，费用超过阈值"},
        "wait-customer": {"note": "等待客户提供购买凭证"},
        "schedule": {"scheduled_for": timezone.now() + datetime.timedelta(days=1)},
        "resolve": {"resolution": "更换电容后恢复正常"},
        "reopen": {"reason": "客户反馈问题再次出现"},
        "cancel": {"reason": "重复报修"},
    }
    for action in paths[status]:
        if action == "close":
            followup_done(request, by=by)
        request = services.service_request_act(request, action, by=by, data=inputs.get(action, {}))
    return request


def followup_done(request: ServiceRequest, *, by: User) -> None:
    """Closing waits for the follow-up visit: record its result (reached, solved), as the
    agent who calls the customer would."""
    from aftersales.followups import services as followups
    from aftersales.followups.models import FollowUp

    followup = FollowUp.objects.filter(request=request, status=FollowUp.Status.PLANNED).first()
    if followup is not None:
        followups.followup_record(followup, by=by, data={"reached": True, "solved": True})
