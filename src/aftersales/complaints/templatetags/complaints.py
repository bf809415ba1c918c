"""The complaint card on a request's page, and money as people read it.

The card computes its own context here, so the request page includes it with one line and
the service_requests app knows nothing of this one.
"""

from decimal import Decimal
from typing import Any

from django import template

from aftersales.complaints import access, selectors

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str = "") -> str:
    if amount is None:
        return "—"
    return f"{Decimal(amount):,.2f} {currency}".strip()


@register.filter
def proposal_total(proposal: Any) -> Decimal:
    return sum((line.amount for line in proposal.lines.all()), Decimal("0.00"))


@register.simple_tag(takes_context=True)
def complaint_card(context: template.Context) -> dict[str, Any]:
    """The complaint of request `sr` for the signed-in user (nothing for other kinds)."""
    user = context["request"].user
    sr = context["sr"]
    if sr.kind != "complaint" or not access.can_see_any(user):
        return {"show": False}
    complaint = selectors.complaint_for_request(sr)
    return {
        "show": True,
        "complaint": complaint,
        "can_register": complaint is None and access.can_register(user) and sr.is_open,
    }
