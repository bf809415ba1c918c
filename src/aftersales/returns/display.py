"""What the RMA card shows a person, on the request's page and on the RMA's own page.

Formatting and the choice of forms only: the rules are `rules.py` (which step now) and
`access.py` (who), the reads are the selectors'.
"""

from typing import Any

from aftersales.accounts.models import User
from aftersales.returns import access, forms, rules, selectors
from aftersales.returns.models import ReturnAuthorisation
from aftersales.service_requests import access as request_access
from aftersales.service_requests.models import ServiceRequest

# Who may record each step, asked only for the steps `rules` allows now.
STEP_ACCESS = {
    "ship_in": access.can_record_shipment_in,
    "receive": access.can_handle_logistics,
    "inspect": access.can_inspect,
    "refund": access.can_run,
    "replace": access.can_run,
    "ship_out": access.can_handle_logistics,
    "cancel": access.can_run,
}
# The forms' URL segments (the API's spelling).
STEP_PATHS = {step: step.replace("_", "-") for step in rules.STEPS}
PATH_STEPS = {path: step for step, path in STEP_PATHS.items()}


def step_forms(user: User, rma: ReturnAuthorisation) -> list[dict[str, Any]]:
    return [
        {
            "step": step,
            "path": STEP_PATHS[step],
            "label": rules.STEP_LABELS[step],
            "form": forms.step_form(step, rma),
            "multipart": step == "receive",
            "correction": (step == "ship_in" and rma.tracking_in)
            or (step == "ship_out" and rma.tracking_out),
        }
        for step in rules.next_steps(rma)
        if STEP_ACCESS[step](user, rma)
    ]


def card(
    user: User,
    request: ServiceRequest,
    *,
    origin: str,
    focus: ReturnAuthorisation | None = None,
) -> dict[str, Any]:
    """The card's content for `user`: the request's latest RMA (or `focus`), the forms of
    the steps they may take now, the decision form while there is no current RMA. `shown`
    is False when it has nothing for them."""
    staff = access.sees_internals(user)
    history = list(
        request.return_authorisations.select_related(
            "unit",
            "replacement_unit",
            "warehouse",
            "authorised_by",
            "received_by",
            "inspected_by",
            "refunded_by",
            "replaced_by",
            "shipped_out_by",
            "cancelled_by",
        )
        .prefetch_related("receipt_photos")
        .order_by("-id")
    )
    rma = history[0] if history else None
    if focus is not None:
        rma = next((item for item in history if item.pk == focus.pk), rma)
    current = (
        rma if rma is not None and rma.status != "cancelled" and rma.decision != "refused" else None
    )
    may_decide = (
        origin == "request"
        and focus is None
        and current is None
        and request.is_open
        and access.can_decide(user, request)
    )
    interested = request.kind in {ServiceRequest.Kind.RETURN, ServiceRequest.Kind.REPLACEMENT}
    context: dict[str, Any] = {
        "shown": rma is not None or (staff and (interested or may_decide)),
        "staff": staff,
        "origin": origin,
        "sr": request,
        "rma": rma,
        "earlier": [item for item in history if item is not rma] if staff else [],
        "collapsed": rma is None and not interested,
    }
    if not context["shown"]:
        return context
    if staff:
        context["eligibility"] = (
            rma.eligibility() if current is not None else selectors.eligibility_for_request(request)
        )
        context["sees_request"] = request_access.can_view(user, request)
    if may_decide:
        context["has_unit"] = request.unit_id is not None
        initial = {}
        if request.kind == ServiceRequest.Kind.REPLACEMENT:
            initial["decision"] = "replacement"
        elif request.kind == ServiceRequest.Kind.RETURN:
            initial["decision"] = "refund"
        context["authorise_form"] = forms.AuthoriseForm(initial=initial)
    if rma is not None:
        context["steps"] = step_forms(user, rma)
    return context
