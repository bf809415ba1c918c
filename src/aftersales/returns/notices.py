"""Telling the customer about their return: at authorisation (the number and what to do), at
receipt, at the refund and when we send something back. Written in the caller's
transaction through the outbox (the notices app), once per authorisation and step (a
retried step tells no one twice), in the customer's language and by their channel.
"""

from django.conf import settings

from aftersales.notices import services as notices
from aftersales.returns.models import ReturnAuthorisation
from aftersales.returns.templatetags.returns import money

KINDS = ("authorised", "received", "refunded", "shipped_out")


def _day(value: object) -> str:
    return f"{value:%Y-%m-%d}" if value else ""


def customer_mail(kind: str, rma: ReturnAuthorisation) -> None:
    """Nothing is sent without an address (the customer is told by phone)."""
    values: dict[str, object] = {"rma": rma.number}
    if kind == "authorised":
        values |= {
            "decision": rma.get_decision_display(),
            "return_address": settings.RMA_RETURN_ADDRESS,
        }
    elif kind == "received":
        values["received_on"] = _day(rma.received_at_date)
    elif kind == "refunded":
        values |= {
            "amount": money(rma.refund_amount, rma.currency),
            "method": rma.get_refund_method_display(),
            "refunded_on": _day(rma.refunded_on),
            "payment_reference": rma.refund_reference,
        }
    elif kind == "shipped_out":
        values |= {
            "replacement_serial": rma.replacement_unit.serial_number
            if rma.replacement_unit
            else "",
            "carrier": rma.outbound_carrier,
            "tracking": rma.outbound_tracking or "—",
        }
    notices.notice_send(
        f"rma_{kind}", request=rma.request, key=f"rma:{rma.pk}:{kind}", values=values
    )
