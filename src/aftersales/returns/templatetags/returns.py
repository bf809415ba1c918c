"""The RMA card on a request's page and the RMA on the portal's tracking page, and money as
people read it.

The card and the portal block compute their own context here, so the pages that show them
include them with one line and the service_requests and portal apps know nothing of this one.
"""

from decimal import Decimal
from typing import Any

from django import template

from aftersales.returns import display, selectors
from aftersales.returns.models import ReturnAuthorisation

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str = "") -> str:
    """12345.5 → "12,345.50 CNY": always two decimals and the currency code."""
    if amount is None:
        return "—"
    return f"{Decimal(amount):,.2f} {currency}".strip()


@register.simple_tag(takes_context=True)
def rma_card(context: template.Context) -> dict[str, Any]:
    """The RMA card of request `sr` for the signed-in user."""
    return display.card(context["request"].user, context["sr"], origin="request")


@register.simple_tag
def rma_for_tracking(sr: Any) -> ReturnAuthorisation | None:
    """The latest RMA of a request whose tracker proved its contact (the portal's `sr`)."""
    return selectors.rma_for_request(sr)
