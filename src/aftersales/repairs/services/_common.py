"""What the repairs use cases share: checks of what they are given, the locks, lines of the
request's history, and letting a plan's reserved parts go.
"""

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.core.errors import Conflict, DomainError, InvalidTransition, NotAllowed
from aftersales.core.text import validate_clean_text
from aftersales.parts import services as stock
from aftersales.parts.models import StockReservation
from aftersales.repairs import rules
from aftersales.repairs.models import SolutionPlan
from aftersales.service_requests import transitions
from aftersales.service_requests.models import ServiceRequest, ServiceRequestEvent

P = SolutionPlan.Status
S = ServiceRequest.Status
MAX_PARTS = 50
MAX_UNIT_PRICE = Decimal("9999999999.99")


# --- Checks ------------------------------------------------------------------------------


def _invalid(field: str, message: str, **extra: Any) -> DomainError:
    return DomainError(message, fields={field: [message]}, **extra)


def _allowed(condition: bool, message: str) -> None:
    if not condition:
        raise NotAllowed(message)


def _text(value: Any, field: str, *, max_length: int, required: bool = False) -> str:
    value = str(value or "").strip()
    if required and not value:
        raise _invalid(field, _("This field is required."))
    if len(value) > max_length:
        raise _invalid(field, _("At most %(limit)d characters.") % {"limit": max_length})
    try:
        validate_clean_text(value)
    except ValidationError as exc:
        raise _invalid(field, exc.messages[0]) from None
    return value


def _whole(value: Any, field: str, *, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid(field, _("Give a whole number."))
    if not low <= value <= high:
        raise _invalid(
            field, _("Give a number from %(low)d to %(high)d.") % {"low": low, "high": high}
        )
    return value


def _decimal(value: Any, field: str, *, low: Decimal, high: Decimal, positive: bool) -> Decimal:
    """An exact amount with at most two decimals; floats are refused, not rounded."""
    if isinstance(value, float | bool):
        raise _invalid(field, _("Give an exact amount, e.g. 12.50."))
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise _invalid(field, _("Give an amount, e.g. 12.50.")) from None
    if not amount.is_finite():
        raise _invalid(field, _("Give an amount, e.g. 12.50."))
    if (positive and amount <= 0) or amount < low:
        raise _invalid(
            field,
            _("Must be more than 0.") if positive else _("Cannot be negative."),
        )
    if amount > high:
        raise _invalid(field, _("At most %(high)s.") % {"high": f"{high:,}"})
    if amount != amount.quantize(rules.CENT):
        raise _invalid(field, _("At most two decimal places."))
    return amount.quantize(rules.CENT)


def _locked(
    plan: SolutionPlan, expected_version: int | None
) -> tuple[ServiceRequest, SolutionPlan]:
    """The request row, then the plan row, under locks; a stale plan version is refused."""
    request = transitions.lock(plan.request, expected_version=None)
    locked = SolutionPlan.objects.select_for_update().get(pk=plan.pk)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            _("Someone else changed this plan in the meantime; reload it and try again."),
            current_version=locked.version,
            current_status=locked.status,
        )
    return request, locked


def _require_status(plan: SolutionPlan, *allowed: str) -> None:
    if plan.status not in allowed:
        raise InvalidTransition(
            _("Solution plan %(number)d is “%(status)s”; this is not possible now.")
            % {"number": plan.number, "status": plan.get_status_display()},
            status=plan.status,
        )


def _event(
    request: ServiceRequest,
    action: str,
    note: str,
    *,
    by: User | None,
    internal: bool = True,
) -> None:
    """A line of the request's history for a step that is not a lifecycle transition."""
    ServiceRequestEvent.objects.create(
        request=request,
        kind=ServiceRequestEvent.Kind.UPDATED,
        action=action,
        actor=by,
        note=note,
        is_internal=internal,
    )
    ServiceRequest.objects.filter(pk=request.pk).update(updated_at=timezone.now())


def _bump(plan: SolutionPlan, fields: Iterable[str]) -> None:
    plan.version = F("version") + 1  # type: ignore[assignment]
    plan.save(update_fields=sorted({*fields, "version", "updated_at"}))
    plan.refresh_from_db()


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


# --- Parts -------------------------------------------------------------------------------


def _release_parts(plan: SolutionPlan, *, by: User | None, note: str) -> int:
    """Let the plan's reserved parts go; returns how many reservations were released."""
    released = 0
    for line in plan.parts.select_related("reservation").order_by("part_id", "warehouse_id"):
        reservation = line.reservation
        if reservation is not None and reservation.status == StockReservation.Status.ACTIVE:
            stock.stock_release(reservation, by=by, note=note)
            released += 1
    return released
