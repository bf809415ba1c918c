"""Write use cases of repair records and the customer's verification.

- repair_record_create: what was done, when, by whom, how the test went; with parts and
  photos, all or nothing
- repair_record_update: change a record while the request is open (optimistic concurrency)
- part_used_add: a part fitted, taken from a reservation, from stock (a technician's van)
  or from outside our stock; the stock is used in the same transaction as the line
- repair_record_photos_add: photos or videos of the work, checked by content
- confirmation_record: the customer's answer to "was it fixed?" — on the portal, in their
  account, or by phone through staff; "not fixed" reopens the request with their reason
- confirmation_link_send: after a resolution, mail the customer a link to answer

Every write locks the request row first (`transitions.lock`), so a record is never written
to a request that a concurrent action closed, and the stock operations behind a part
(which share-lock the same row) queue behind it instead of deadlocking.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.core.errors import Conflict, DomainError, InvalidTransition, NotAllowed
from aftersales.core.text import normalise_display_name
from aftersales.notices import services as notices
from aftersales.parts import services as stock
from aftersales.parts.models import Part, StockMovement, StockReservation, Warehouse
from aftersales.repair_records import access, tokens
from aftersales.repair_records.models import (
    MAX_LABOUR_MINUTES,
    MAX_PART_QUANTITY,
    Confirmation,
    PartUsed,
    RepairRecord,
)
from aftersales.service_requests import access as request_access
from aftersales.service_requests import services as requests
from aftersales.service_requests import signals, transitions
from aftersales.service_requests.models import Attachment, ServiceRequest, ServiceRequestEvent

S = ServiceRequest.Status
RECORD_FIELDS = {
    "work_done",
    "started_at",
    "finished_at",
    "labour_minutes",
    "technicians",
    "test_result",
    "test_outcome",
}
PART_FIELDS = {
    "part",
    "part_number",
    "description",
    "quantity",
    "old_serial",
    "new_serial",
    "reservation",
    "warehouse",
}
MAX_PARTS_PER_RECORD = 50
PHOTO_TYPES = ("image/", "video/")
# Clocks on phones and servers disagree a little.
CLOCK_SLACK = datetime.timedelta(minutes=5)


def _invalid(field: str, message: str) -> DomainError:
    return DomainError(message, fields={field: [message]})


def _validated(obj: Any, *, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        fields = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        raise DomainError(_("Some fields are not valid."), fields=fields) from exc


def _event(
    request: ServiceRequest, action: str, note: str, *, by: User | None
) -> ServiceRequestEvent:
    """A line in the request's history (customers see it: the record is theirs too)."""
    event = ServiceRequestEvent.objects.create(
        request=request,
        kind=ServiceRequestEvent.Kind.UPDATED,
        action=action,
        actor=by,
        note=note[:1000],
    )
    ServiceRequest.objects.filter(pk=request.pk).update(updated_at=timezone.now())
    return event


def _lock_for_writing(request: ServiceRequest, *, by: User) -> ServiceRequest:
    locked = transitions.lock(request, expected_version=None)
    if not access.can_write(by, locked):
        raise NotAllowed(_("You may not write repair records for this request."))
    if not access.accepts_records(locked):
        raise InvalidTransition(
            _("Service request %(number)s is %(status)s; its repair records are final.")
            % {"number": locked.number, "status": locked.get_status_display()},
            status=locked.status,
        )
    return locked


def _check_times(record: RepairRecord) -> None:
    latest = timezone.now() + CLOCK_SLACK
    if record.started_at is None:
        raise _invalid("started_at", _("Give the time the work started."))
    if record.started_at > latest:
        raise _invalid("started_at", _("The work cannot start in the future."))
    if record.finished_at is not None:
        if record.finished_at > latest:
            raise _invalid("finished_at", _("The work cannot finish in the future."))
        if record.finished_at < record.started_at:
            raise _invalid("finished_at", _("The work cannot finish before it started."))


def _labour(value: Any, record: RepairRecord) -> int:
    """Minutes as given, else the time between start and finish."""
    if value is None:
        if record.finished_at is None:
            return 0
        return round((record.finished_at - record.started_at).total_seconds() / 60)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _invalid("labour_minutes", _("Give the labour as a whole number of minutes."))
    if value > MAX_LABOUR_MINUTES:
        raise _invalid(
            "labour_minutes",
            _("At most %(limit)d minutes in one record.") % {"limit": MAX_LABOUR_MINUTES},
        )
    return value


def _technicians(value: Iterable[User] | None, *, by: User) -> list[User]:
    """The people who did the work: the writer by default; each one staff who can work requests."""
    people = list(value) if value is not None else []
    if not people:
        if not request_access.can_work_as_assignee(by):
            raise _invalid("technicians", _("Name who did the work."))
        return [by]
    for person in people:
        if not isinstance(person, User) or not request_access.can_work_as_assignee(person):
            name = getattr(person, "display_name", str(person))
            raise _invalid(
                "technicians",
                _("%(name)s cannot work on service requests.") % {"name": name},
            )
    return list(dict.fromkeys(people))


def _apply_fields(record: RepairRecord, data: dict[str, Any]) -> None:
    for name in ("work_done", "test_result"):
        if name in data:
            setattr(record, name, (data[name] or "").strip())
    for name in ("started_at", "finished_at", "test_outcome"):
        if name in data:
            setattr(record, name, data[name])


def _unknown(data: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise DomainError(
            _("These fields cannot be set here."),
            fields={name: [_("This field cannot be set here.")] for name in sorted(unknown)},
        )


@transaction.atomic
def repair_record_create(
    request: ServiceRequest,
    *,
    by: User,
    data: dict[str, Any],
    parts: Iterable[dict[str, Any]] = (),
    photos: Iterable[Any] = (),
) -> RepairRecord:
    """Write a repair record, with the parts used and photos, all or nothing. Work written
    after the request was reopened is a repeat repair. Raises NotAllowed, InvalidTransition
    (closed or cancelled request), DomainError naming the field (the stock's too)."""
    locked = _lock_for_writing(request, by=by)
    _unknown(data, RECORD_FIELDS)
    parts = list(parts)
    if len(parts) > MAX_PARTS_PER_RECORD:
        raise _invalid(
            "parts", _("At most %(count)d parts in one record.") % {"count": MAX_PARTS_PER_RECORD}
        )
    photos = _checked_photos(photos)
    record = RepairRecord(
        request=locked,
        written_by=by,
        visit_round=locked.reopen_count,
        is_repeat=locked.reopen_count > 0,
    )
    _apply_fields(record, data)
    if not record.work_done:
        raise _invalid("work_done", _("Describe the work that was done."))
    _check_times(record)
    record.labour_minutes = _labour(data.get("labour_minutes"), record)
    people = _technicians(data.get("technicians"), by=by)
    _validated(record)
    record.save()
    record.technicians.set(people)
    _event(
        locked,
        "repair_record.added",
        _("Repair record %(id)d: %(work)s") % {"id": record.pk, "work": record.work_done[:300]},
        by=by,
    )
    for index, line in enumerate(parts):
        try:
            _part_add(record, locked, by=by, data=line)
        except DomainError as exc:
            exc.fields = {f"parts.{index}.{name}": msgs for name, msgs in exc.fields.items()}
            raise
    _photos_add(record, locked, by=by, uploads=photos)
    return _fresh(record)


@transaction.atomic
def repair_record_update(
    record: RepairRecord, *, by: User, data: dict[str, Any], expected_version: int | None = None
) -> RepairRecord:
    """Change a record's fields while its request is open; a stale version raises Conflict."""
    request = transitions.lock(record.request, expected_version=None)
    if not access.can_write(by, request):
        raise NotAllowed(_("You may not write repair records for this request."))
    if not request.is_open:
        raise InvalidTransition(
            _("Service request %(number)s is %(status)s; its repair records are final.")
            % {"number": request.number, "status": request.get_status_display()},
            status=request.status,
        )
    _unknown(data, RECORD_FIELDS)
    if not data:
        return _fresh(record)
    locked = RepairRecord.objects.select_for_update().get(pk=record.pk)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            _("Someone else changed this record in the meantime; reload it and try again."),
            current_version=locked.version,
        )
    _apply_fields(locked, data)
    if not locked.work_done:
        raise _invalid("work_done", _("Describe the work that was done."))
    _check_times(locked)
    if "labour_minutes" in data or {"started_at", "finished_at"} & set(data):
        locked.labour_minutes = _labour(data.get("labour_minutes"), locked)
    _validated(locked)
    locked.version = F("version") + 1
    locked.save()
    if "technicians" in data:
        locked.technicians.set(_technicians(data["technicians"], by=by))
    labels = [str(RepairRecord._meta.get_field(name).verbose_name) for name in sorted(data)]
    _event(
        request,
        "repair_record.changed",
        _("Repair record %(id)d: %(fields)s") % {"id": locked.pk, "fields": ", ".join(labels)},
        by=by,
    )
    return _fresh(locked)


def _fresh(record: RepairRecord) -> RepairRecord:
    from aftersales.repair_records import selectors

    return selectors._records().get(pk=record.pk)


# --- Parts ----------------------------------------------------------------------------------


def _text(data: dict[str, Any], name: str) -> str:
    return str(data.get(name) or "").strip()


def _part_line(record: RepairRecord, data: dict[str, Any]) -> PartUsed:
    """The line as described, checked against the rules of sources and serials (no stock yet)."""
    _unknown(data, PART_FIELDS)
    part: Part | None = data.get("part")
    reservation: StockReservation | None = data.get("reservation")
    warehouse: Warehouse | None = data.get("warehouse")
    quantity = data.get("quantity")
    if quantity is None:  # all that was reserved, else one
        quantity = reservation.quantity if reservation is not None else 1
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise _invalid("quantity", _("The quantity must be at least 1."))
    if quantity > MAX_PART_QUANTITY:
        raise _invalid("quantity", _("At most %(limit)d at once.") % {"limit": MAX_PART_QUANTITY})
    if reservation is not None and warehouse is not None:
        raise _invalid(
            "warehouse", _("Take the part from the reservation or from a warehouse, not both.")
        )
    if reservation is not None:
        # As it is now, not as the caller read it: it may have been used or released since.
        reservation = StockReservation.objects.select_related("part", "warehouse").get(
            pk=reservation.pk
        )
        if reservation.service_request_id != record.request_id:
            raise _invalid("reservation", _("This reservation is for another request."))
        if reservation.status != StockReservation.Status.ACTIVE:
            raise Conflict(
                _("This reservation is already closed (%(status)s).")
                % {"status": reservation.get_status_display()},
                fields={"reservation": [_("Choose one of the request's active reservations.")]},
            )
        if part is not None and part.pk != reservation.part_id:
            raise _invalid("part", _("The reservation holds another part."))
        part = reservation.part
        source = PartUsed.Source.RESERVATION
    elif warehouse is not None:
        if part is None:
            raise _invalid("part", _("Choose the catalogue part taken from stock."))
        source = PartUsed.Source.STOCK
    else:
        source = PartUsed.Source.OUTSIDE
    part_number = part.part_number if part is not None else _text(data, "part_number")
    if not part_number:
        raise _invalid("part_number", _("Choose a catalogue part or give its part number."))
    old_serial, new_serial = _text(data, "old_serial"), _text(data, "new_serial")
    if (old_serial or new_serial) and quantity != 1:
        raise _invalid(
            "quantity", _("A serial number names one piece: record serialised parts one by one.")
        )
    if part is not None and part.serialised:
        if quantity != 1:
            raise _invalid(
                "quantity",
                _("Part %(number)s is tracked by serial number: one per line.")
                % {"number": part.part_number},
            )
        if not new_serial:
            raise _invalid(
                "new_serial",
                _("Part %(number)s is tracked by serial number: give the serial number fitted.")
                % {"number": part.part_number},
            )
    line = PartUsed(
        record=record,
        part=part,
        part_number=part_number,
        description=_text(data, "description") or (part.name if part is not None else ""),
        quantity=quantity,
        old_serial=old_serial,
        new_serial=new_serial,
        source=source,
        reservation=reservation,
        warehouse=warehouse if source == PartUsed.Source.STOCK else None,
    )
    _validated(line, exclude=["record", "added_by"])
    return line


def _part_add(
    record: RepairRecord, request: ServiceRequest, *, by: User, data: dict[str, Any]
) -> PartUsed:
    line = _part_line(record, data)
    note = _("Repair record %(id)d of %(number)s") % {"id": record.pk, "number": request.number}
    # The stock service checks who may take what, and refuses (field `quantity`) when there
    # is not enough; its DomainError rolls back this whole transaction, line included.
    if line.source == PartUsed.Source.RESERVATION and line.reservation is not None:
        reservation = stock.stock_consume(
            line.reservation, by=by, quantity=line.quantity, note=note
        )
        line.movement = (
            StockMovement.objects.filter(
                reservation=reservation, kind=StockMovement.Kind.CONSUMPTION
            )
            .order_by("-id")
            .first()
        )
    elif line.source == PartUsed.Source.STOCK and line.warehouse and line.part:
        line.movement = stock.stock_consume_direct(
            warehouse=line.warehouse,
            part=line.part,
            quantity=line.quantity,
            service_request=request,
            by=by,
            note=note,
        )
    line.added_by = by
    try:
        with transaction.atomic():
            line.save()
    except IntegrityError as exc:
        raise Conflict(_("This reservation has been used already.")) from exc
    serials = ""
    if line.old_serial or line.new_serial:
        serials = " (%s → %s)" % (line.old_serial or "—", line.new_serial or "—")  # noqa: UP031
    _event(
        request,
        "repair_record.part_used",
        f"{line.part_number} × {line.quantity}{serials}",
        by=by,
    )
    return line


@transaction.atomic
def part_used_add(record: RepairRecord, *, by: User, data: dict[str, Any]) -> PartUsed:
    """Record a part fitted (SPEC §2.5). From a reservation or a warehouse, the stock is used
    in the same transaction: both or neither. The unit's own serial number never changes
    here (a whole-unit swap is a return/replacement). Raises NotAllowed, InvalidTransition,
    Conflict (reservation already used), DomainError naming the field."""
    request = _lock_for_writing(record.request, by=by)
    if record.parts.count() >= MAX_PARTS_PER_RECORD:
        raise _invalid(
            "parts", _("At most %(count)d parts in one record.") % {"count": MAX_PARTS_PER_RECORD}
        )
    return _part_add(record, request, by=by, data=data)


# --- Photos ---------------------------------------------------------------------------------


def _checked_photos(uploads: Iterable[Any]) -> list[Any]:
    """Every file checked by its bytes before any is stored: photos and videos only."""
    try:
        uploads = requests.attachments_check(uploads)
        for upload in uploads:
            mime = requests.attachment_check(upload)
            if not mime.startswith(PHOTO_TYPES):
                raise _invalid(
                    "photos",
                    _("“%(name)s” is not a photo or a video.")
                    % {"name": normalise_display_name(upload.name or "")},
                )
    except DomainError as exc:
        exc.fields = {"photos" if k == "attachments" else k: v for k, v in exc.fields.items()}
        raise
    return uploads


def _photos_add(
    record: RepairRecord, request: ServiceRequest, *, by: User, uploads: list[Any]
) -> list[Attachment]:
    # Stored as the request's attachments (the same storage and access-checked download);
    # customers see them, as they see the record.
    added = [
        requests.attachment_add(request, by=by, upload=upload, internal=False) for upload in uploads
    ]
    record.photos.add(*added)
    return added


@transaction.atomic
def repair_record_photos_add(
    record: RepairRecord, *, by: User, uploads: Iterable[Any]
) -> list[Attachment]:
    """Add photos or videos of the work; any other type refuses them all (field `photos`)."""
    request = _lock_for_writing(record.request, by=by)
    uploads = _checked_photos(uploads)
    if not uploads:
        raise _invalid("photos", _("Choose the photos to add."))
    return _photos_add(record, request, by=by, uploads=uploads)


# --- The customer's answer ----------------------------------------------------------------


@transaction.atomic
def confirmation_record(
    request: ServiceRequest,
    *,
    satisfied: bool,
    comment: str = "",
    by: User | None,
    customer_name: str = "",
) -> Confirmation:
    """The customer's answer to the latest resolution, taken once (SPEC §2.6).

    `by=None` is the customer on the portal, after proving the request's contact; a
    customer's own account answers online too; staff who may reopen the request record an
    answer given by phone. "Not fixed" needs the reason and reopens the request with it —
    on the portal as the system, since the customer has no account to act with.
    Raises NotAllowed, InvalidTransition (not resolved), Conflict (answered already).
    """
    locked = transitions.lock(request, expected_version=None)
    if by is None or access.can_answer_as_customer(by, locked):
        method = Confirmation.Method.PORTAL
    elif access.can_record_phone_answer(by, locked):
        method = Confirmation.Method.PHONE
    else:
        raise NotAllowed(_("You may not record the customer's answer for this request."))
    if locked.status != S.RESOLVED:
        raise InvalidTransition(
            _("Only a resolved request is confirmed; %(number)s is %(status)s.")
            % {"number": locked.number, "status": locked.get_status_display()},
            status=locked.status,
        )
    if Confirmation.objects.filter(request=locked, round=locked.reopen_count).exists():
        raise Conflict(_("The customer has answered for this resolution already."))
    comment = (comment or "").strip()
    if not satisfied and not comment:
        raise _invalid("comment", _("Say what is still wrong."))
    confirmation = Confirmation(
        request=locked,
        round=locked.reopen_count,
        satisfied=satisfied,
        comment=comment,
        method=method,
        customer_name=(customer_name or "").strip() or locked.contact_name,
        recorded_by=by,
        answered_at=timezone.now(),
    )
    _validated(confirmation)
    try:
        with transaction.atomic():
            confirmation.save()
    except IntegrityError as exc:  # answered at the same moment by another way
        raise Conflict(_("The customer has answered for this resolution already.")) from exc
    if satisfied:
        _event(locked, "confirmation.satisfied", comment, by=by)
        signals.request_changed.send(sender=ServiceRequest, request_id=locked.pk)
    else:
        requests.service_request_act(locked, "reopen", by=by, data={"reason": comment})  # type: ignore[arg-type]
    return confirmation


def confirmation_link(request: ServiceRequest) -> str:
    token = tokens.confirmation_token(request.pk, request.reopen_count)
    return settings.SITE_URL + reverse("repair_records_portal:confirm", args=[token])


def confirmation_link_send(request_id: int) -> bool:
    """After a resolution, mail the customer a link to say whether it is fixed; once per
    resolution (the outbox key), and not when they have answered already or have no address.
    Runs in the transaction that resolved the request; the mail leaves after its commit."""
    request = ServiceRequest.objects.select_related("customer").filter(pk=request_id).first()
    if request is None or request.status != S.RESOLVED:
        return False
    if Confirmation.objects.filter(request=request, round=request.reopen_count).exists():
        return False
    sent = notices.notice_send(
        "resolved",
        request=request,
        key=f"fix-confirmation:{request.pk}:{request.reopen_count}",
        values={
            "resolution": request.resolution,
            "link": confirmation_link(request),
            "valid_until": notices.service_time(
                timezone.now() + datetime.timedelta(seconds=tokens.MAX_AGE)
            ),
        },
    )
    return bool(sent)
