"""Use cases of spare parts and their stock.

Catalogue: part_create, part_update, warehouse_create, warehouse_update.
Stock: stock_receive, stock_adjust, stock_transfer, stock_set_reorder_level.
For service requests: stock_reserve, stock_release, stock_consume (a reservation, fully or
partly), stock_consume_direct (from a technician's van, without a reservation).

How stock stays right with many writers at once: a level is never read, changed in Python
and written back. Each change is one conditional UPDATE whose WHERE clause carries the rule
("only if on hand minus reserved is at least the quantity"); PostgreSQL re-checks that
condition on the latest row after waiting for a concurrent writer, so two technicians can
never take the same last unit — the loser's UPDATE matches no row and becomes a DomainError.
A reservation is closed the same way (`WHERE status = 'active'`), so it is used or released
once. A transfer locks its two levels in id order first: two transfers in opposite
directions would otherwise each hold one row and wait for the other. The check constraints
on StockLevel are the last defence. Every change of a level writes one StockMovement in the
same transaction, so on hand always equals the sum of the ledger.

Operations for a service request share-lock the request row first (`_hold_request`), so
a transaction that locked the request (a lifecycle action) and then reserves parts cannot
deadlock with one that reserves for the same request. Callers that change several levels in
one transaction (e.g. reserving a plan's parts) should do so in a stable order (by part id),
for the reason transfers lock in order.

`by=None` means the system itself and skips the permission checks; people are always named.
"""

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.core.errors import Conflict, DomainError, NotAllowed
from aftersales.core.text import validate_clean_text
from aftersales.parts import access
from aftersales.parts.models import (
    MAX_ON_HAND,
    MAX_QUANTITY,
    Part,
    StockLevel,
    StockMovement,
    StockReservation,
    Warehouse,
)
from aftersales.service_requests.models import ServiceRequest

Kind = StockMovement.Kind
NOTE_MAX = 1000
# Parts may still be used on a resolved request (the repair record is written last), not on
# one that is closed or cancelled.
_FINISHED = (ServiceRequest.Status.CLOSED, ServiceRequest.Status.CANCELLED)


# --- Checks shared by the use cases ------------------------------------------------------


def _invalid(field: str, message: str, **extra: Any) -> DomainError:
    return DomainError(message, fields={field: [message]}, **extra)


def _quantity(value: Any, field: str = "quantity", *, allow_zero: bool = False) -> int:
    """A whole number of units, at least 1 (or 0 for a count), at most MAX_QUANTITY."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid(field, _("Give a whole number of units."))
    if value < (0 if allow_zero else 1):
        if allow_zero:
            raise _invalid(field, _("The count cannot be negative."))
        raise _invalid(field, _("The quantity must be at least 1."))
    limit = MAX_ON_HAND if allow_zero else MAX_QUANTITY
    if value > limit:
        raise _invalid(field, _("At most %(limit)d units at once.") % {"limit": limit})
    return value


def _text(value: str, field: str, *, required: bool = False, max_length: int = NOTE_MAX) -> str:
    value = (value or "").strip()
    if required and not value:
        raise _invalid(field, _("This field is required."))
    if len(value) > max_length:
        raise _invalid(field, _("At most %(limit)d characters.") % {"limit": max_length})
    try:
        validate_clean_text(value)
    except ValidationError as exc:
        raise _invalid(field, exc.messages[0]) from None
    return value


def _allowed(condition: bool, message: str) -> None:
    if not condition:
        raise NotAllowed(message)


def _require_stock_manager(by: User | None) -> None:
    if by is not None:
        _allowed(
            access.can_manage_stock(by),
            _("Only administrators, supervisors and warehouse staff may change stock."),
        )


def _require_request_worker(by: User | None, request: ServiceRequest) -> None:
    if by is not None:
        _allowed(
            access.can_use_stock_for(by, request),
            _("You may not use parts for this service request."),
        )


# Share-locks a request row the way a foreign key's check does (the table is the model's).
_KEY_SHARE_REQUEST = f"SELECT 1 FROM {ServiceRequest._meta.db_table} WHERE id = %s FOR KEY SHARE"  # noqa: S608


def _hold_request(request: ServiceRequest) -> None:
    """Take now the lock that the foreign keys to `request` would take at commit.

    PostgreSQL checks Django's foreign keys at commit, share-locking the request row then —
    after our stock rows are locked. A transaction that locked the request first (every
    lifecycle transition does) and then reserves parts would wait for our stock row while
    we wait for its request row: a deadlock. Taken first, we queue behind it instead. A key
    share lock does not block ordinary changes to the request, nor other stock operations.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_KEY_SHARE_REQUEST, [request.pk])


def _require_open_request(request: ServiceRequest, *, to_reserve: bool) -> None:
    """Reserve for open requests only; use parts until the request is closed or cancelled.

    Called after `_hold_request`: the status is read again, since a lifecycle action that
    committed before the lock was taken may have closed the request meanwhile."""
    status = ServiceRequest.objects.values_list("status", flat=True).get(pk=request.pk)
    refused = status not in ServiceRequest.OPEN_STATUSES if to_reserve else status in _FINISHED
    if refused:
        raise _invalid(
            "service_request",
            _("Service request %(number)s is %(status)s; parts cannot be taken for it.")
            % {"number": request.number, "status": ServiceRequest.Status(status).label},
        )


def _require_active(*, warehouse: Warehouse | None = None, part: Part | None = None) -> None:
    if warehouse is not None and not warehouse.is_active:
        raise _invalid("warehouse", _("Warehouse %(code)s is closed.") % {"code": warehouse.code})
    if part is not None and not part.is_active:
        raise _invalid(
            "part", _("Part %(number)s is no longer stocked.") % {"number": part.part_number}
        )


# --- Levels and the ledger ---------------------------------------------------------------


def _level_id(warehouse: Warehouse, part: Part) -> int | None:
    return (
        StockLevel.objects.filter(warehouse=warehouse, part=part)
        .values_list("pk", flat=True)
        .first()
    )


def _ensure_level(warehouse: Warehouse, part: Part) -> int:
    """The level's id, creating an empty level if there is none.

    INSERT … ON CONFLICT DO NOTHING: two first receipts at once both end up with the one row
    (the second waits for the first to commit, then inserts nothing) instead of one failing.
    """
    StockLevel.objects.bulk_create(
        [StockLevel(warehouse=warehouse, part=part)], ignore_conflicts=True
    )
    return (
        StockLevel.objects.filter(warehouse=warehouse, part=part).values_list("pk", flat=True).get()
    )


def _level(pk: int) -> StockLevel:
    return StockLevel.objects.select_related("warehouse", "part").get(pk=pk)


def _not_enough(warehouse: Warehouse, part: Part, quantity: int) -> DomainError:
    level = StockLevel.objects.filter(warehouse=warehouse, part=part).first()
    available = level.available if level else 0
    message = _(
        "Not enough in stock: %(available)d of %(part)s available in %(warehouse)s, "
        "%(quantity)d asked for."
    ) % {
        "available": available,
        "part": part.part_number,
        "warehouse": warehouse.code,
        "quantity": quantity,
    }
    return _invalid("quantity", message, available=available)


def _too_much(warehouse: Warehouse) -> DomainError:
    return _invalid(
        "quantity",
        _("%(warehouse)s cannot hold more than %(limit)d of one part.")
        % {"warehouse": warehouse.code, "limit": MAX_ON_HAND},
    )


def _record(
    kind: str,
    *,
    warehouse: Warehouse,
    part: Part,
    by: User | None,
    on_hand: int = 0,
    reserved: int = 0,
    **extra: Any,
) -> StockMovement:
    return StockMovement.objects.create(
        kind=kind,
        warehouse=warehouse,
        part=part,
        by=by,
        on_hand_change=on_hand,
        reserved_change=reserved,
        **extra,
    )


# --- Catalogue ---------------------------------------------------------------------------


def _validated(obj: Part | Warehouse) -> None:
    """Model validation as a DomainError naming the fields.

    The check and unique constraints are left to the database (clean() states the same
    rules with field names); a race past clean() ends as an IntegrityError, answered 409.
    """
    try:
        obj.full_clean(validate_constraints=False)
    except ValidationError as exc:
        fields = {
            ("non_field_errors" if name == NON_FIELD_ERRORS else name): messages
            for name, messages in exc.message_dict.items()
        }
        first = next(iter(fields.values()))[0]
        raise DomainError(first, fields=fields) from None


def _require_catalogue_manager(by: User | None) -> None:
    if by is not None:
        _allowed(
            access.can_manage_catalogue(by),
            _("Only administrators may change the parts catalogue and the warehouses."),
        )


PART_FIELDS = (
    "part_number",
    "name",
    "name_en",
    "description",
    "unit_price",
    "serialised",
    "is_active",
)
WAREHOUSE_FIELDS = ("code", "name", "name_en", "kind", "technician", "is_active")


@transaction.atomic
def part_create(*, by: User | None, data: dict[str, Any]) -> Part:
    """A new part; `data` may carry `products` (the models it fits)."""
    _require_catalogue_manager(by)
    part = Part(**{k: v for k, v in data.items() if k in PART_FIELDS})
    _validated(part)
    part.save()
    if "products" in data:
        part.products.set(data["products"])
    return part


@transaction.atomic
def part_update(part: Part, *, by: User | None, data: dict[str, Any]) -> Part:
    _require_catalogue_manager(by)
    # No key update: stock changes that refer to the part need not wait for this.
    part = Part.objects.select_for_update(no_key=True).get(pk=part.pk)
    for name in PART_FIELDS:
        if name in data:
            setattr(part, name, data[name])
    _validated(part)
    part.save()
    if "products" in data:
        part.products.set(data["products"])
    return part


def _check_van(warehouse: Warehouse) -> None:
    if warehouse.kind == Warehouse.Kind.VAN:
        technician = warehouse.technician
        if technician is None:
            raise _invalid("technician", _("A service van belongs to a technician."))
        if technician.role != User.Role.TECHNICIAN:
            raise _invalid("technician", _("Only a technician can have a service van."))
        others = Warehouse.objects.filter(technician=technician).exclude(pk=warehouse.pk)
        if others.exists():
            raise _invalid(
                "technician",
                _("%(name)s already has a van.") % {"name": technician.display_name},
            )
    elif warehouse.technician_id is not None:
        raise _invalid("technician", _("Only a service van belongs to a technician."))


@transaction.atomic
def warehouse_create(*, by: User | None, data: dict[str, Any]) -> Warehouse:
    _require_catalogue_manager(by)
    warehouse = Warehouse(**{k: v for k, v in data.items() if k in WAREHOUSE_FIELDS})
    _validated(warehouse)
    _check_van(warehouse)
    warehouse.save()
    return warehouse


@transaction.atomic
def warehouse_update(warehouse: Warehouse, *, by: User | None, data: dict[str, Any]) -> Warehouse:
    _require_catalogue_manager(by)
    warehouse = Warehouse.objects.select_for_update(no_key=True).get(pk=warehouse.pk)
    for name in WAREHOUSE_FIELDS:
        if name in data:
            setattr(warehouse, name, data[name])
    _validated(warehouse)
    _check_van(warehouse)
    warehouse.save()
    return warehouse


# --- Stock -------------------------------------------------------------------------------


@transaction.atomic
def stock_receive(
    *, warehouse: Warehouse, part: Part, quantity: int, by: User | None, note: str = ""
) -> StockLevel:
    """Units arrive in a warehouse (a delivery, a return to stock). Creates the level if new."""
    _require_stock_manager(by)
    quantity = _quantity(quantity)
    note = _text(note, "note")
    _require_active(warehouse=warehouse, part=part)
    pk = _ensure_level(warehouse, part)
    added = StockLevel.objects.filter(pk=pk, on_hand__lte=MAX_ON_HAND - quantity).update(
        on_hand=F("on_hand") + quantity
    )
    if not added:
        raise _too_much(warehouse)
    _record(Kind.RECEIPT, warehouse=warehouse, part=part, by=by, on_hand=quantity, note=note)
    return _level(pk)


@transaction.atomic
def stock_adjust(
    *, warehouse: Warehouse, part: Part, counted: int, by: User | None, reason: str
) -> StockLevel:
    """A stock-take: on hand becomes what was counted. Never below what is reserved; a reason
    is required. Counting what is already on the books is recorded too (a change of 0)."""
    _require_stock_manager(by)
    counted = _quantity(counted, "counted", allow_zero=True)
    reason = _text(reason, "reason", required=True)
    pk = _ensure_level(warehouse, part)
    # The change is relative to what is on hand *now*: lock the row so no receipt or use
    # slips in between reading it and writing the count.
    level = StockLevel.objects.select_for_update().get(pk=pk)
    if counted < level.reserved:
        raise _invalid(
            "counted",
            _(
                "%(reserved)d are reserved for service requests; release them first or "
                "count at least %(reserved)d."
            )
            % {"reserved": level.reserved},
            reserved=level.reserved,
        )
    # The WHERE repeats what was read, so even without the lock nothing is overwritten.
    written = StockLevel.objects.filter(pk=pk, on_hand=level.on_hand, reserved__lte=counted).update(
        on_hand=counted
    )
    if not written:
        raise Conflict(_("The stock changed while it was being counted; count again."))
    _record(
        Kind.ADJUSTMENT,
        warehouse=warehouse,
        part=part,
        by=by,
        on_hand=counted - level.on_hand,
        note=reason,
    )
    return _level(pk)


@transaction.atomic
def stock_transfer(
    *,
    source: Warehouse,
    destination: Warehouse,
    part: Part,
    quantity: int,
    by: User | None,
    note: str = "",
) -> tuple[StockLevel, StockLevel]:
    """Move available (unreserved) units between warehouses, e.g. central → a van.
    Returns the source and destination levels."""
    _require_stock_manager(by)
    quantity = _quantity(quantity)
    note = _text(note, "note")
    if source.pk == destination.pk:
        raise _invalid("destination", _("Choose another warehouse to transfer to."))
    _require_active(part=part)
    if not destination.is_active:
        raise _invalid(
            "destination", _("Warehouse %(code)s is closed.") % {"code": destination.code}
        )
    source_pk = _level_id(source, part)
    if source_pk is None:
        raise _not_enough(source, part, quantity)
    destination_pk = _ensure_level(destination, part)
    # Both rows locked in id order before either is changed (see the module docstring).
    list(
        StockLevel.objects.select_for_update()
        .filter(pk__in=[source_pk, destination_pk])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    taken = StockLevel.objects.filter(pk=source_pk, on_hand__gte=F("reserved") + quantity).update(
        on_hand=F("on_hand") - quantity
    )
    if not taken:
        raise _not_enough(source, part, quantity)
    put = StockLevel.objects.filter(pk=destination_pk, on_hand__lte=MAX_ON_HAND - quantity).update(
        on_hand=F("on_hand") + quantity
    )
    if not put:
        raise _too_much(destination)
    _record(
        Kind.TRANSFER_OUT,
        warehouse=source,
        part=part,
        by=by,
        on_hand=-quantity,
        counterpart=destination,
        note=note,
    )
    _record(
        Kind.TRANSFER_IN,
        warehouse=destination,
        part=part,
        by=by,
        on_hand=quantity,
        counterpart=source,
        note=note,
    )
    return _level(source_pk), _level(destination_pk)


@transaction.atomic
def stock_set_reorder_level(
    *, warehouse: Warehouse, part: Part, reorder_level: int, by: User | None
) -> StockLevel:
    """Below or at this available quantity the level shows as low. Stock itself is unchanged,
    so no ledger line is written."""
    _require_stock_manager(by)
    reorder_level = _quantity(reorder_level, "reorder_level", allow_zero=True)
    pk = _ensure_level(warehouse, part)
    StockLevel.objects.filter(pk=pk).update(reorder_level=reorder_level)
    return _level(pk)


# --- Parts for service requests ----------------------------------------------------------


@transaction.atomic
def stock_reserve(
    *,
    warehouse: Warehouse,
    part: Part,
    quantity: int,
    service_request: ServiceRequest,
    by: User | None,
) -> StockReservation:
    """Hold available units for an open request. Refused (field `quantity`, with how many are
    available) when there are not enough."""
    quantity = _quantity(quantity)
    _require_request_worker(by, service_request)
    _hold_request(service_request)
    _require_open_request(service_request, to_reserve=True)
    _require_active(warehouse=warehouse, part=part)
    pk = _level_id(warehouse, part)
    held = pk is not None and StockLevel.objects.filter(
        pk=pk, on_hand__gte=F("reserved") + quantity
    ).update(reserved=F("reserved") + quantity)
    if not held:
        raise _not_enough(warehouse, part, quantity)
    reservation = StockReservation.objects.create(
        warehouse=warehouse,
        part=part,
        quantity=quantity,
        service_request=service_request,
        reserved_by=by,
    )
    _record(
        Kind.RESERVATION,
        warehouse=warehouse,
        part=part,
        by=by,
        reserved=quantity,
        service_request=service_request,
        reservation=reservation,
    )
    return reservation


def _close(reservation: StockReservation, status: str, *, consumed: int = 0) -> None:
    """Close an active reservation exactly once, whoever else tries at the same moment."""
    now = timezone.now()
    closed = StockReservation.objects.filter(
        pk=reservation.pk, status=StockReservation.Status.ACTIVE
    ).update(status=status, consumed_quantity=consumed, closed_at=now, updated_at=now)
    if not closed:
        current = StockReservation.objects.get(pk=reservation.pk)
        raise Conflict(
            _("This reservation is already closed (%(status)s).")
            % {"status": current.get_status_display()},
            current_status=current.status,
        )


def _unreserve(reservation: StockReservation, quantity: int, *, by: User | None, note: str) -> None:
    changed = StockLevel.objects.filter(
        warehouse_id=reservation.warehouse_id, part_id=reservation.part_id, reserved__gte=quantity
    ).update(reserved=F("reserved") - quantity)
    if not changed:  # the ledger and the level disagree: refuse rather than go negative
        raise Conflict(_("The stock level does not hold this reservation."))
    _record(
        Kind.RELEASE,
        warehouse=reservation.warehouse,
        part=reservation.part,
        by=by,
        reserved=-quantity,
        service_request=reservation.service_request,
        reservation=reservation,
        note=note,
    )


def _fresh(reservation: StockReservation) -> StockReservation:
    return StockReservation.objects.select_related(
        "warehouse", "part", "service_request", "reserved_by"
    ).get(pk=reservation.pk)


@transaction.atomic
def stock_release(
    reservation: StockReservation, *, by: User | None, note: str = ""
) -> StockReservation:
    """Let reserved units go back to available. Refused (Conflict) if already closed."""
    reservation = _fresh(reservation)
    _require_request_worker(by, reservation.service_request)
    note = _text(note, "note")
    _hold_request(reservation.service_request)
    _close(reservation, StockReservation.Status.RELEASED)
    _unreserve(reservation, reservation.quantity, by=by, note=note)
    return _fresh(reservation)


@transaction.atomic
def stock_consume(
    reservation: StockReservation, *, by: User | None, quantity: int | None = None, note: str = ""
) -> StockReservation:
    """Use reserved units (all, or `quantity` of them; the rest are released)."""
    reservation = _fresh(reservation)
    _require_request_worker(by, reservation.service_request)
    used = reservation.quantity if quantity is None else _quantity(quantity)
    if used > reservation.quantity:
        raise _invalid(
            "quantity",
            _("Only %(reserved)d were reserved.") % {"reserved": reservation.quantity},
        )
    note = _text(note, "note")
    _hold_request(reservation.service_request)
    _require_open_request(reservation.service_request, to_reserve=False)
    _close(reservation, StockReservation.Status.CONSUMED, consumed=used)
    taken = StockLevel.objects.filter(
        warehouse_id=reservation.warehouse_id,
        part_id=reservation.part_id,
        reserved__gte=used,
        on_hand__gte=used,
    ).update(on_hand=F("on_hand") - used, reserved=F("reserved") - used)
    if not taken:
        raise Conflict(_("The stock level does not hold this reservation."))
    _record(
        Kind.CONSUMPTION,
        warehouse=reservation.warehouse,
        part=reservation.part,
        by=by,
        on_hand=-used,
        reserved=-used,
        service_request=reservation.service_request,
        reservation=reservation,
        note=note,
    )
    if used < reservation.quantity:
        _unreserve(
            reservation,
            reservation.quantity - used,
            by=by,
            note=_("Not used: released with the use of %(used)d.") % {"used": used},
        )
    return _fresh(reservation)


@transaction.atomic
def stock_consume_direct(
    *,
    warehouse: Warehouse,
    part: Part,
    quantity: int,
    service_request: ServiceRequest,
    by: User | None,
    note: str = "",
) -> StockMovement:
    """Use available units without a reservation (a technician, from their own van).
    Refused (field `quantity`, with how many are available) when there are not enough."""
    quantity = _quantity(quantity)
    _require_request_worker(by, service_request)
    if by is not None:
        _allowed(
            access.can_take_directly_from(by, warehouse),
            _("Technicians take parts without a reservation only from their own van."),
        )
    note = _text(note, "note")
    _hold_request(service_request)
    _require_open_request(service_request, to_reserve=False)
    pk = _level_id(warehouse, part)
    taken = pk is not None and StockLevel.objects.filter(
        pk=pk, on_hand__gte=F("reserved") + quantity
    ).update(on_hand=F("on_hand") - quantity)
    if not taken:
        raise _not_enough(warehouse, part, quantity)
    return _record(
        Kind.CONSUMPTION,
        warehouse=warehouse,
        part=part,
        by=by,
        on_hand=-quantity,
        service_request=service_request,
        note=note,
    )
