"""Write use cases of returns (RMA). Each is one step with its rules, locks the authorisation
(a stale `expected_version` is refused), writes a line of the request's history, and mails
the customer where they wait for news.

- rma_authorise: decide on a request's unit: refund, replacement, repair or refused
- rma_ship_in: the customer's parcel to us (carrier, tracking number, date sent)
- rma_receive: the unit arrived: date, condition, photos, the warehouse it went to
- rma_inspect: fault confirmed, no fault found, or damage by the customer
- rma_refund: the refund paid (amount, method, reference, date); the request is resolved
- rma_replace: the replacement unit, chosen or created, linked to the customer
- rma_ship_out: what we send back (the replacement or their own unit); the request is resolved
- rma_cancel: stop it, with a reason
- return_policy_set: a product's return and replacement windows
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.catalog.models import Product, Unit
from aftersales.core.errors import Conflict, DomainError, InvalidTransition, NotAllowed
from aftersales.core.text import validate_clean_text
from aftersales.notifications import services as notifications
from aftersales.parts.models import Warehouse
from aftersales.returns import access, eligibility, notices, numbering, rules, selectors
from aftersales.returns.eligibility import Outcome
from aftersales.returns.models import (
    OPEN_STATUSES,
    Decision,
    InspectionResult,
    RefundMethod,
    ReturnAuthorisation,
    ReturnPolicy,
    Status,
)
from aftersales.service_requests import services as requests
from aftersales.service_requests import transitions
from aftersales.service_requests.models import ServiceRequest, ServiceRequestEvent
from aftersales.service_requests.numbering import local_day

MAX_REASON = 2000
CENT = Decimal("0.01")


# --- Helpers ---------------------------------------------------------------------------


def _invalid(field: str, message: str) -> DomainError:
    return DomainError(message, fields={field: [message]})


def _text(value: Any, field: str, *, required: str = "", max_length: int = MAX_REASON) -> str:
    """Clean text for `field`; `required` is the message when it is missing."""
    text = str(value or "").strip()
    if required and not text:
        raise _invalid(field, required)
    if len(text) > max_length:
        raise _invalid(field, _("At most %(count)d characters.") % {"count": max_length})
    try:
        validate_clean_text(text)
    except ValidationError as exc:
        raise _invalid(field, exc.messages[0]) from exc
    return text


def _optional_date(value: datetime.date | None, field: str) -> datetime.date | None:
    """A date that is not in the future (in the service time zone)."""
    if value is not None and value > numbering.today():
        raise _invalid(field, _("The date cannot be in the future."))
    return value


def _date(value: datetime.date | None, field: str) -> datetime.date:
    """As `_optional_date`, today if not given."""
    return _optional_date(value, field) or numbering.today()


def _money(value: Any, field: str) -> Decimal:
    """An exact amount with at most two decimals, more than zero."""
    try:
        amount = Decimal(str(value))
    except (ArithmeticError, ValueError):
        raise _invalid(field, _("Give an amount such as 199.00.")) from None
    if not amount.is_finite() or amount <= 0:
        raise _invalid(field, _("The amount must be more than zero."))
    if amount != amount.quantize(CENT):
        raise _invalid(field, _("At most two decimal places."))
    if amount >= Decimal("1e10"):
        raise _invalid(field, _("The amount is too large."))
    return amount.quantize(CENT)


def _lock(rma: ReturnAuthorisation) -> ReturnAuthorisation:
    """The row again, locked: two people recording a step at once go one after the other."""
    locked = (
        ReturnAuthorisation.objects.select_for_update(of=("self",))
        .select_related("request", "request__customer", "unit", "unit__product")
        .get(pk=rma.pk)
    )
    locked.status_before = locked.status  # for the history line: from → to
    return locked


def _check(
    rma: ReturnAuthorisation, step: str, *, allowed: bool, expected_version: int | None
) -> None:
    """Who first (so a stranger learns nothing of the state), then staleness, then order."""
    if not allowed:
        raise NotAllowed(
            _("You may not “%(step)s” for this RMA.") % {"step": rules.STEP_LABELS[step]}
        )
    if expected_version is not None and rma.version != expected_version:
        raise Conflict(
            _("Someone else changed this RMA in the meantime; reload it and try again."),
            current_version=rma.version,
            current_status=rma.status,
        )
    refusal = rules.refusal(rma, step)
    if refusal is not None:
        raise InvalidTransition(refusal, status=rma.status)


def _save(rma: ReturnAuthorisation, fields: Iterable[str]) -> ReturnAuthorisation:
    rma.version = F("version") + 1  # type: ignore[assignment]
    rma.save(update_fields=sorted({*fields, "version", "updated_at"}))
    rma.refresh_from_db()
    return rma


def _event(
    rma: ReturnAuthorisation,
    action: str,
    note: str,
    *,
    by: User | None,
    changes: dict[str, Any] | None = None,
) -> None:
    """A line of the request's history. Only what the customer may read goes into it (the
    condition and inspection notes stay on the authorisation, for staff)."""
    ServiceRequestEvent.objects.create(
        request_id=rma.request_id,
        kind=ServiceRequestEvent.Kind.UPDATED,
        action=action,
        actor=by,
        note=note,
        changes={**_status_change(rma), **(changes or {})},
    )
    rma.status_before = rma.status  # a further line of the same step repeats no change
    ServiceRequest.objects.filter(pk=rma.request_id).update(updated_at=timezone.now())


def _status_change(rma: ReturnAuthorisation) -> dict[str, list[Any]]:
    """The RMA's status from → to; a new RMA also names its number."""
    before = getattr(rma, "status_before", None)
    if before is None:
        return {"rma": [None, rma.number], "rma_status": [None, rma.status]}
    return {"rma_status": [before, rma.status]} if before != rma.status else {}


def _finish(rma: ReturnAuthorisation, *, by: User, resolution: str) -> None:
    """The return is carried out: resolve the request with the lifecycle's own action if it
    may be resolved now by this person; otherwise tell its assignee to."""
    request = ServiceRequest.objects.get(pk=rma.request_id)
    resolve = transitions.TRANSITIONS["resolve"]
    if request.status in resolve.sources and resolve.allowed(by, request):
        requests.service_request_act(request, "resolve", by=by, data={"resolution": resolution})
        return
    _event(
        rma,
        "rma.done",
        _("%(rma)s is carried out; the request is left for its assignee to resolve.")
        % {"rma": rma.number},
        by=by,
    )
    if request.assignee is not None and request.assignee_id != by.pk:
        notifications.notify(
            recipient=request.assignee,
            key=f"rma-done:{rma.pk}",
            title=_("%(number)s: %(rma)s is carried out; resolve the request")
            % {"number": request.number, "rma": rma.number},
            body=resolution[:500],
            url=f"/{request.number}/",
        )


# --- Authorisation ---------------------------------------------------------------------


@transaction.atomic
def rma_authorise(
    request: ServiceRequest,
    *,
    by: User,
    decision: str,
    reason: str = "",
    purchase_price: Decimal | None = None,
) -> ReturnAuthorisation:
    """Decide on the request's unit. A refund or replacement the return terms do not give is
    granted by a supervisor only, as an exception with a reason; without a purchase date,
    staff decide and record why; a refusal has a reason. One current RMA per request
    (Conflict otherwise). Mails the customer the number and what to do."""
    locked = transitions.lock(request, expected_version=None)
    if not access.can_decide(by, locked):
        raise NotAllowed(_("You may not decide returns on this request."))
    if not locked.is_open:
        raise InvalidTransition(
            _("The request is “%(status)s”: reopen it to decide a return.")
            % {"status": locked.get_status_display()},
            status=locked.status,
        )
    if decision not in Decision.values:
        raise _invalid("decision", _("Choose refund, replacement, repair or refused."))
    current = (
        locked.return_authorisations.exclude(status=Status.CANCELLED)
        .exclude(decision=Decision.REFUSED)
        .first()
    )
    if current is not None:
        raise Conflict(
            _("This request has RMA %(rma)s already.") % {"rma": current.number},
            rma=current.number,
        )
    unit = locked.unit
    inputs = selectors.eligibility_inputs(locked)
    if unit is None or inputs is None:
        raise _invalid(
            "unit",
            _(
                "Link the request to a registered unit (its serial number) before deciding a return."
            ),
        )
    returned = selectors.unit_returned_under(unit)
    if returned is not None:
        raise _invalid(
            "unit",
            _("Unit %(serial)s was returned already under %(rma)s.")
            % {"serial": unit.serial_number, "rma": returned.number},
        )
    elsewhere = (
        ReturnAuthorisation.objects.filter(unit=unit, status__in=OPEN_STATUSES)
        .exclude(request=locked)
        .first()
    )
    if elsewhere is not None:
        raise Conflict(
            _("Unit %(serial)s is being returned under %(rma)s already.")
            % {"serial": unit.serial_number, "rma": elsewhere.number},
            rma=elsewhere.number,
        )
    terms = eligibility.assess(**inputs)
    reason = _text(reason, "reason")
    entitled = {
        Decision.REFUND: terms.refund,
        Decision.REPLACEMENT: terms.replacement,
        Decision.REPAIR: True,
        Decision.REFUSED: True,
    }[Decision(decision)]
    staff_decide = terms.outcome == Outcome.STAFF_DECIDE
    exception = not entitled and not staff_decide
    if exception and not access.can_grant_exception(by, locked):
        message = _("%(reason)s Only a supervisor may grant a %(decision)s as an exception.") % {
            "reason": terms.reason,
            "decision": Decision(decision).label.lower(),
        }
        raise NotAllowed(message, fields={"decision": [message]})
    if not reason:
        if decision == Decision.REFUSED:
            raise _invalid("reason", _("Say why the return is refused."))
        if staff_decide:
            raise _invalid(
                "reason", _("The terms do not decide this one: record why you decide so.")
            )
        if exception:
            raise _invalid("reason", _("Say why the exception is granted."))
    if purchase_price is not None:
        purchase_price = Decimal(purchase_price)
        if purchase_price < 0 or purchase_price != purchase_price.quantize(CENT):
            raise _invalid("purchase_price", _("Give the price paid, such as 1999.00."))
    now = timezone.now()
    refused = decision == Decision.REFUSED
    rma = ReturnAuthorisation(
        request=locked,
        unit=unit,
        status=Status.CLOSED if refused else Status.AUTHORISED,
        decision=decision,
        decision_reason=reason,
        is_exception=exception,
        # Granted for a quality fault in warranty, past the replacement window: an
        # inspection that finds no fault takes the ground away.
        needs_fault=decision == Decision.REPLACEMENT
        and not exception
        and not staff_decide
        and terms.replacement_until is not None
        and inputs["received_on"] > terms.replacement_until,
        eligibility_outcome=terms.outcome,
        purchase_price=purchase_price,
        currency=settings.CURRENCY,
        authorised_by=by,
        authorised_at=now,
        closed_at=now if refused else None,
        number=numbering.next_number(now),
        **inputs,
    )
    try:
        rma.full_clean(
            exclude=["number", "request", "unit"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        raise DomainError(_("Some fields are not valid."), fields=exc.message_dict) from exc
    try:
        with transaction.atomic():
            rma.save()
    except IntegrityError:
        # Another decision on this request (or unit) won the race; the database kept one.
        raise Conflict(
            _("Someone decided a return on this request in the meantime; reload it.")
        ) from None
    requests.first_response_record(locked.pk, at=now)
    if refused:
        note = _("Return refused (%(rma)s): %(reason)s") % {"rma": rma.number, "reason": reason}
        _event(rma, "rma.refused", note, by=by, changes={"rma_decision": [None, decision]})
        return rma
    note = _("%(rma)s authorised: %(decision)s.") % {
        "rma": rma.number,
        "decision": rma.get_decision_display(),
    }
    if reason:
        note += " " + reason
    _event(rma, "rma.authorised", note, by=by, changes={"rma_decision": [None, decision]})
    notices.customer_mail("authorised", rma)
    return rma


# --- Shipping and receipt ----------------------------------------------------------------


@transaction.atomic
def rma_ship_in(
    rma: ReturnAuthorisation,
    *,
    by: User,
    carrier: str,
    tracking_number: str,
    shipped_on: datetime.date | None = None,
    expected_version: int | None = None,
) -> ReturnAuthorisation:
    """The customer sent the unit; recorded again, it corrects the tracking."""
    rma = _lock(rma)
    _check(
        rma,
        "ship_in",
        allowed=access.can_record_shipment_in(by, rma),
        expected_version=expected_version,
    )
    rma.inbound_carrier = _text(carrier, "carrier", required=_("Name the carrier."), max_length=100)
    rma.inbound_tracking = _text(
        tracking_number, "tracking_number", required=_("Give the tracking number."), max_length=100
    )
    rma.inbound_shipped_on = _date(shipped_on, "shipped_on")
    correction = rma.status == Status.AWAITING_SHIPMENT
    rma.status = Status.AWAITING_SHIPMENT
    _save(rma, ["inbound_carrier", "inbound_tracking", "inbound_shipped_on", "status"])
    note = (
        _("%(rma)s: the customer's shipment corrected: %(carrier)s %(tracking)s.")
        if correction
        else _("%(rma)s: the customer sent the unit: %(carrier)s %(tracking)s.")
    ) % {"rma": rma.number, "carrier": rma.inbound_carrier, "tracking": rma.inbound_tracking}
    _event(
        rma,
        "rma.shipped_in",
        note,
        by=by,
        changes={"inbound_tracking": [None, f"{rma.inbound_carrier} {rma.inbound_tracking}"]},
    )
    return rma


@transaction.atomic
def rma_receive(
    rma: ReturnAuthorisation,
    *,
    by: User,
    received_on: datetime.date | None = None,
    condition_notes: str = "",
    warehouse: Warehouse | None = None,
    photos: Iterable[Any] = (),
    expected_version: int | None = None,
) -> ReturnAuthorisation:
    """The unit arrived. Photos are stored as the request's internal attachments (checked
    by content, downloaded only by those who see the request)."""
    rma = _lock(rma)
    _check(
        rma,
        "receive",
        allowed=access.can_handle_logistics(by, rma),
        expected_version=expected_version,
    )
    day = _date(received_on, "received_on")
    if day < local_day(rma.authorised_at):
        raise _invalid("received_on", _("The unit cannot arrive before the return was authorised."))
    if warehouse is not None and (not warehouse.is_active or warehouse.kind == Warehouse.Kind.VAN):
        raise _invalid("warehouse", _("Choose an active warehouse, not a service van."))
    uploads = requests.attachments_check(photos)
    rma.received_at_date = day
    rma.received_by = by
    rma.condition_notes = _text(condition_notes, "condition_notes")
    rma.warehouse = warehouse
    rma.status = Status.RECEIVED
    _save(rma, ["received_at_date", "received_by", "condition_notes", "warehouse", "status"])
    request = ServiceRequest.objects.get(pk=rma.request_id)
    for upload in uploads:
        attachment = requests.attachment_add(request, by=by, upload=upload, internal=True)
        rma.receipt_photos.add(attachment)
    _event(
        rma,
        "rma.received",
        _("%(rma)s: the unit was received on %(date)s.")
        % {"rma": rma.number, "date": day.isoformat()},
        by=by,
        changes={"received_on": [None, day.isoformat()]},
    )
    notices.customer_mail("received", rma)
    return rma


# --- Inspection and outcome ----------------------------------------------------------------


@transaction.atomic
def rma_inspect(
    rma: ReturnAuthorisation,
    *,
    by: User,
    result: str,
    notes: str = "",
    expected_version: int | None = None,
) -> ReturnAuthorisation:
    """What the technician found. Without a confirmed fault, notes say what was seen; a
    finding that takes the ground away sends the unit back to the customer instead."""
    rma = _lock(rma)
    _check(rma, "inspect", allowed=access.can_inspect(by, rma), expected_version=expected_version)
    if result not in InspectionResult.values:
        raise _invalid(
            "result", _("Choose fault confirmed, no fault found or damage by the customer.")
        )
    required = "" if result == InspectionResult.FAULT_CONFIRMED else _("Describe what you found.")
    rma.inspection_notes = _text(notes, "notes", required=required, max_length=5000)
    rma.inspection_result = result
    rma.inspected_by = by
    rma.inspected_at = timezone.now()
    rma.status = Status.INSPECTED
    _save(rma, ["inspection_result", "inspection_notes", "inspected_by", "inspected_at", "status"])
    note = _("%(rma)s inspected: %(result)s.") % {
        "rma": rma.number,
        "result": rma.get_inspection_result_display(),
    }
    if rma.decision != Decision.REPAIR and rma.claim_upheld is False:
        note += " " + _("The %(decision)s is not possible; the unit goes back to the customer.") % {
            "decision": rma.get_decision_display().lower()
        }
    _event(rma, "rma.inspected", note, by=by, changes={"inspection_result": [None, result]})
    return rma


@transaction.atomic
def rma_refund(
    rma: ReturnAuthorisation,
    *,
    by: User,
    amount: Decimal,
    method: str,
    reference: str = "",
    refunded_on: datetime.date | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> ReturnAuthorisation:
    """The refund is paid. Not more than the purchase price when it is known; without it,
    any amount with a reason. Above the configured amount only a supervisor records it.
    The unit is kept (marked returned) and the request resolved."""
    rma = _lock(rma)
    _check(rma, "refund", allowed=access.can_run(by, rma), expected_version=expected_version)
    amount = _money(amount, "amount")
    if not access.can_refund(by, rma, amount):
        message = _("A refund above %(limit)s needs a supervisor of this request.") % {
            "limit": f"{settings.RMA_REFUND_SUPERVISOR_ABOVE:,.2f} {rma.currency}"
        }
        raise NotAllowed(message, fields={"amount": [message]})
    if rma.purchase_price is not None and amount > rma.purchase_price:
        raise _invalid(
            "amount",
            _("The refund cannot be more than the purchase price, %(price)s.")
            % {"price": f"{rma.purchase_price:,.2f} {rma.currency}"},
        )
    if method not in RefundMethod.values:
        raise _invalid("method", _("Choose how the money was paid back."))
    required = (
        _("The purchase price is not known: say why this amount.")
        if rma.purchase_price is None
        else ""
    )
    rma.refund_reason = _text(reason, "reason", required=required)
    rma.refund_amount = amount
    rma.refund_method = method
    rma.refund_reference = _text(reference, "reference", max_length=100)
    rma.refunded_on = _date(refunded_on, "refunded_on")
    rma.refunded_by = by
    now = timezone.now()
    rma.unit_returned_at = now
    rma.closed_at = now
    rma.status = Status.REFUNDED
    _save(
        rma,
        [
            "refund_amount",
            "refund_method",
            "refund_reference",
            "refund_reason",
            "refunded_on",
            "refunded_by",
            "unit_returned_at",
            "closed_at",
            "status",
        ],
    )
    money = f"{rma.refund_amount:,.2f} {rma.currency}"
    note = _("%(rma)s: %(amount)s refunded (%(method)s).") % {
        "rma": rma.number,
        "amount": money,
        "method": rma.get_refund_method_display(),
    }
    _event(rma, "rma.refunded", note, by=by, changes={"refund_amount": [None, str(amount)]})
    notices.customer_mail("refunded", rma)
    _finish(
        rma,
        by=by,
        resolution=_("Refunded %(amount)s under %(rma)s; the unit was taken back.")
        % {"amount": money, "rma": rma.number},
    )
    return rma


@transaction.atomic
def rma_replace(
    rma: ReturnAuthorisation,
    *,
    by: User,
    replacement_unit: Unit | None = None,
    serial_number: str = "",
    product: Product | None = None,
    batch_number: str = "",
    expected_version: int | None = None,
) -> ReturnAuthorisation:
    """The replacement: a unit in stock (sold to nobody), or a new one registered here by its
    serial number. It becomes the customer's, its warranty starting today; the returned unit
    is kept and marked returned. It is sent with `rma_ship_out`."""
    rma = _lock(rma)
    _check(rma, "replace", allowed=access.can_run(by, rma), expected_version=expected_version)
    serial_number = _text(serial_number, "serial_number", max_length=100)
    if (replacement_unit is None) == (not serial_number):
        raise _invalid(
            "serial_number",
            _("Choose a unit in stock, or give the serial number of a new one (not both)."),
        )
    customer = rma.request.customer
    today = numbering.today()
    if replacement_unit is not None:
        unit = Unit.objects.select_for_update().get(pk=replacement_unit.pk)
        if unit.pk == rma.unit_id:
            raise _invalid("replacement_unit", _("The replacement cannot be the returned unit."))
        if unit.customer_id not in (None, customer.pk):
            raise _invalid("replacement_unit", _("This unit belongs to another customer."))
        if ReturnAuthorisation.objects.filter(replacement_unit=unit).exists():
            raise _invalid("replacement_unit", _("This unit was given as a replacement already."))
        unit.customer = customer
        unit.purchase_date = today
        unit.save(update_fields=["customer", "purchase_date", "updated_at"])
    else:
        if Unit.objects.filter(serial_number=serial_number).exists():
            raise _invalid(
                "serial_number",
                _("Serial number %(serial)s is registered already: choose that unit instead.")
                % {"serial": serial_number},
            )
        # Catalogue units have no service layer of their own: registered here, checked by
        # the model's own validation, as the catalogue API does.
        unit = Unit(
            product=product or rma.unit.product,
            customer=customer,
            serial_number=serial_number,
            batch_number=_text(batch_number, "batch_number", max_length=100),
            purchase_date=today,
            purchase_channel=rma.unit.purchase_channel,
        )
        try:
            unit.full_clean()
        except ValidationError as exc:
            raise DomainError(_("Some fields are not valid."), fields=exc.message_dict) from exc
        unit.save()
    now = timezone.now()
    rma.replacement_unit = unit
    rma.replaced_by = by
    rma.replaced_at = now
    rma.unit_returned_at = now
    rma.status = Status.REPLACED
    try:
        with transaction.atomic():
            _save(
                rma,
                ["replacement_unit", "replaced_by", "replaced_at", "unit_returned_at", "status"],
            )
    except IntegrityError:
        raise Conflict(_("This unit was given as a replacement in the meantime.")) from None
    _event(
        rma,
        "rma.replaced",
        _("%(rma)s: replacement unit %(new)s for %(old)s.")
        % {"rma": rma.number, "new": unit.serial_number, "old": rma.unit.serial_number},
        by=by,
        changes={"replacement_unit": [rma.unit.serial_number, unit.serial_number]},
    )
    return rma


@transaction.atomic
def rma_ship_out(
    rma: ReturnAuthorisation,
    *,
    by: User,
    carrier: str,
    tracking_number: str = "",
    shipped_on: datetime.date | None = None,
    delivered_on: datetime.date | None = None,
    expected_version: int | None = None,
) -> ReturnAuthorisation:
    """We sent the replacement, or the customer's own unit (repaired, or not taken back).
    The first shipment closes the RMA, mails the customer and resolves the request; recorded
    again, it corrects the tracking or adds the day it was delivered."""
    rma = _lock(rma)
    _check(
        rma,
        "ship_out",
        allowed=access.can_handle_logistics(by, rma),
        expected_version=expected_version,
    )
    first = rma.status != Status.CLOSED
    rma.outbound_carrier = _text(
        carrier, "carrier", required=_("Name the carrier."), max_length=100
    )
    rma.outbound_tracking = _text(tracking_number, "tracking_number", max_length=100)
    rma.outbound_shipped_on = _date(shipped_on, "shipped_on")
    rma.outbound_delivered_on = _optional_date(delivered_on, "delivered_on")
    if rma.outbound_delivered_on and rma.outbound_delivered_on < rma.outbound_shipped_on:
        raise _invalid("delivered_on", _("It cannot be delivered before it was sent."))
    rma.shipped_out_by = by
    fields = [
        "outbound_carrier",
        "outbound_tracking",
        "outbound_shipped_on",
        "outbound_delivered_on",
        "shipped_out_by",
    ]
    if first:
        rma.status = Status.CLOSED
        rma.closed_at = timezone.now()
        fields += ["status", "closed_at"]
    _save(rma, fields)
    what = (
        _("the replacement unit %(serial)s") % {"serial": rma.replacement_unit.serial_number}
        if rma.replacement_unit
        else _("the customer's unit")
    )
    tracking = f"{rma.outbound_carrier} {rma.outbound_tracking}".strip()
    note = (
        _("%(rma)s: %(what)s sent to the customer: %(tracking)s.")
        if first
        else _("%(rma)s: our shipment corrected: %(tracking)s.")
    ) % {"rma": rma.number, "what": what, "tracking": tracking}
    if rma.outbound_delivered_on:
        note += " " + _("Delivered on %(date)s.") % {"date": rma.outbound_delivered_on.isoformat()}
    _event(rma, "rma.shipped_out", note, by=by, changes={"outbound_tracking": [None, tracking]})
    if first:
        notices.customer_mail("shipped_out", rma)
        if rma.replacement_unit:
            resolution = _("Replaced under %(rma)s: unit %(new)s sent (%(tracking)s).") % {
                "rma": rma.number,
                "new": rma.replacement_unit.serial_number,
                "tracking": tracking,
            }
        else:
            resolution = _("Unit sent back to the customer under %(rma)s (%(tracking)s).") % {
                "rma": rma.number,
                "tracking": tracking,
            }
        _finish(rma, by=by, resolution=resolution)
    return rma


@transaction.atomic
def rma_cancel(
    rma: ReturnAuthorisation, *, by: User, reason: str, expected_version: int | None = None
) -> ReturnAuthorisation:
    """Stop an RMA before its outcome; a new decision on the request is possible afterwards."""
    rma = _lock(rma)
    _check(rma, "cancel", allowed=access.can_run(by, rma), expected_version=expected_version)
    rma.cancel_reason = _text(reason, "reason", required=_("Say why the RMA is cancelled."))
    rma.cancelled_by = by
    rma.cancelled_at = timezone.now()
    rma.status = Status.CANCELLED
    _save(rma, ["cancel_reason", "cancelled_by", "cancelled_at", "status"])
    _event(
        rma,
        "rma.cancelled",
        _("%(rma)s cancelled: %(reason)s") % {"rma": rma.number, "reason": rma.cancel_reason},
        by=by,
    )
    return rma


@transaction.atomic
def return_policy_set(
    product: Product, *, by: User | None, return_days: int, replacement_days: int
) -> ReturnPolicy:
    """A product's windows; the replacement window is never shorter than the return window."""
    policy = ReturnPolicy.objects.filter(product=product).first() or ReturnPolicy(product=product)
    policy.return_days, policy.replacement_days = return_days, replacement_days
    try:
        policy.full_clean()
    except ValidationError as exc:
        raise DomainError(_("Some fields are not valid."), fields=exc.message_dict) from exc
    policy.save()
    return policy
