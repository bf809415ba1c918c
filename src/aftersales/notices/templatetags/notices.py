"""The customer-messages card on a request's page computes its own context here, so the
page includes it with one line."""

from typing import Any

from django import template

from aftersales.notifications.models import OutboxMessage
from aftersales.service_requests import access

register = template.Library()


@register.simple_tag(takes_context=True)
def request_notices(context: template.Context) -> dict[str, Any]:
    user = context["request"].user
    request = context["sr"]
    if not access.is_staff(user):
        return {}
    sent = list(
        OutboxMessage.objects.filter(reference=request.number)
        .exclude(event="")
        .order_by("-created_at", "-id")[:50]
    )
    return {
        "messages": sent,
        "failed": [m for m in sent if m.status == OutboxMessage.Status.FAILED],
        "can_retry": access.can_edit(user, request),
        "customer": request.customer,
    }
