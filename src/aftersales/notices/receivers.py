"""The messages that follow the request's own lifecycle: the receipt at intake, the news
of a technician taking it, and the closing note. The other messages are sent by the apps
whose step they report (visits, plans, returns, complaints, surveys, confirmations)."""

from typing import Any

from django.dispatch import receiver

from aftersales.accounts.models import User
from aftersales.notices import services
from aftersales.service_requests import signals
from aftersales.service_requests.models import ServiceRequest


@receiver(signals.request_created, dispatch_uid="notices_receipt")
def send_receipt(sender: Any, *, request: ServiceRequest, receipt: bool = True, **kw: Any) -> None:
    if not receipt:
        return
    services.notice_send(
        "receipt",
        request=request,
        key=f"notice:receipt:{request.pk}",
        values={"response_due": services.service_time(request.first_response_due_at)},
    )


@receiver(signals.request_transitioned, dispatch_uid="notices_follow_lifecycle")
def follow_lifecycle(
    sender: Any, *, request: ServiceRequest, action: str, by: User | None = None, **kw: Any
) -> None:
    if action in {"assign", "take"}:
        assignee = request.assignee
        if assignee is None or assignee.role != User.Role.TECHNICIAN:
            return
        services.notice_send(
            "assignment",
            request=request,
            key=f"notice:assignment:{request.pk}:{assignee.pk}",
            values={
                "technician": assignee.display_name,
                "team": request.team.name if request.team else "",
            },
        )
    elif action == "close":
        services.notice_send("closed", request=request, key=f"notice:closed:{request.pk}")
