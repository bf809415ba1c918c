"""Which step of an authorisation is possible when, as one table (no database).

The services ask `refusal(rma, step)` before each step and refuse with its message (409);
the pages offer exactly the steps `next_steps` lists, so what is shown is what is allowed.
"""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.returns.models import Decision, ReturnAuthorisation, Status

S = Status

STEP_LABELS: dict[str, Any] = {
    "ship_in": gettext_lazy("Record the customer's shipment"),
    "receive": gettext_lazy("Record receipt"),
    "inspect": gettext_lazy("Record the inspection"),
    "refund": gettext_lazy("Record the refund"),
    "replace": gettext_lazy("Record the replacement unit"),
    "ship_out": gettext_lazy("Record our shipment to the customer"),
    "cancel": gettext_lazy("Cancel the RMA"),
}
STEPS = tuple(STEP_LABELS)


def refusal(rma: ReturnAuthorisation, step: str) -> str | None:
    """Why `step` is not possible now, or None if it is."""
    status, decision = rma.status, rma.decision
    if decision == Decision.REFUSED:
        return _("The return was refused; there is nothing to carry out.")
    if step in {"ship_in", "receive"}:
        if status in {S.AUTHORISED, S.AWAITING_SHIPMENT}:
            return None
        return _("The unit was received already (RMA status: %(status)s).") % {
            "status": rma.get_status_display()
        }
    if step == "inspect":
        if status == S.RECEIVED:
            return None
        if status in {S.AUTHORISED, S.AWAITING_SHIPMENT}:
            return _("The unit must be received before it is inspected.")
        return _("The unit was inspected already.")
    if step in {"refund", "replace"}:
        wanted = Decision.REFUND if step == "refund" else Decision.REPLACEMENT
        if decision != wanted:
            return _("The decision is “%(decision)s”, not “%(wanted)s”.") % {
                "decision": rma.get_decision_display(),
                "wanted": wanted.label,
            }
        if status in {S.AUTHORISED, S.AWAITING_SHIPMENT, S.RECEIVED}:
            return _("The unit must be received and inspected first.")
        if status != S.INSPECTED:
            return _("This step was done already (RMA status: %(status)s).") % {
                "status": rma.get_status_display()
            }
        if rma.claim_upheld is False:
            return _(
                "The inspection found “%(result)s”: the unit goes back to the customer instead."
            ) % {"result": rma.get_inspection_result_display()}
        return None
    if step == "ship_out":
        if status == S.REPLACED:
            return None
        if status == S.INSPECTED and rma.returns_customer_unit:
            return None
        if status == S.CLOSED and rma.outbound_shipped_on is not None:
            return None  # a correction of the tracking, or the delivery date
        if status == S.INSPECTED:
            return _("Record the refund or the replacement first.")
        if status in {S.AUTHORISED, S.AWAITING_SHIPMENT, S.RECEIVED}:
            return _("Nothing goes to the customer before the unit is received and inspected.")
        return _("Nothing is to be sent to the customer (RMA status: %(status)s).") % {
            "status": rma.get_status_display()
        }
    if step == "cancel":
        if status in {S.AUTHORISED, S.AWAITING_SHIPMENT, S.RECEIVED, S.INSPECTED}:
            return None
        return _("An RMA that is “%(status)s” cannot be cancelled.") % {
            "status": rma.get_status_display()
        }
    raise ValueError(f"unknown step {step!r}")


def next_steps(rma: ReturnAuthorisation) -> list[str]:
    """The steps possible now, in the order the work goes."""
    return [step for step in STEPS if refusal(rma, step) is None]
