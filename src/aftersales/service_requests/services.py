"""Write use cases of service requests.

- service_request_create: intake on any channel, with the customer matched or created
- service_request_intake: staff intake of a call: the customer chosen, found or created, and
  the request, all or nothing
- service_request_update: change intake or classification fields (optimistic concurrency)
- service_request_act: run a lifecycle action (assign, start, …, cancel) with its inputs
- comment_add: a public reply or an internal note, with attachments
- comment_add_from_customer: the customer's reply that came by email
- attachment_add: store a file after checking its type by content
- due_times_recompute: after a calendar or policy change, open requests' due times anew
"""

import datetime
import hashlib
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import Team, User
from aftersales.catalog.models import Unit
from aftersales.core.errors import Conflict, DomainError, NotAllowed
from aftersales.core.text import normalise_display_name, normalise_email, normalise_phone
from aftersales.customers.models import Customer
from aftersales.service_requests import (
    access,
    assignments,
    deadlines,
    files,
    numbering,
    priority,
    signals,
    transitions,
)
from aftersales.service_requests.models import (
    Assignment,
    Attachment,
    Comment,
    ServiceRequest,
    ServiceRequestEvent,
)
from aftersales.sla import engine

# Fields a customer may give when filing their own request; the rest is staff work.
CUSTOMER_FIELDS = {
    "kind",
    "category",
    "title",
    "description",
    "serial_number",
    "batch_number",
    "production_date",
    "purchase_date",
    "purchase_channel",
    "occurred_at",
    "location",
    "address",
    "product",
    "unit",
    "contact_name",
    "contact_phone",
    "contact_email",
    "organisation",
}
STAFF_FIELDS = CUSTOMER_FIELDS | {
    "impact",
    "urgency",
    "channel",
    "external_reference",
    "received_at",
    "team",
}
EDITABLE_FIELDS = STAFF_FIELDS - {"received_at", "channel", "external_reference"}
# Changing any of these moves the due times (SPEC §4).
_DEADLINE_FIELDS = {"impact", "urgency", "kind", "category"}


def _validation_to_domain(exc: ValidationError) -> DomainError:
    fields = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
    return DomainError(_("Some fields are not valid."), fields=fields)


def customer_find_or_create(
    *, name: str, phone: str = "", email: str = "", by: User | None
) -> Customer:
    """The customer with this phone or email, else a new one (SPEC §6 nested customer)."""
    phone_key, email_key = normalise_phone(phone), normalise_email(email)
    if not (phone_key or email_key):
        raise DomainError(
            _("Give the customer's phone number or email."),
            fields={"customer": [_("A phone number or an email is required.")]},
        )
    match = None
    if phone_key:
        match = Customer.objects.filter(phone_key=phone_key).order_by("id").first()
    if match is None and email_key:
        match = Customer.objects.filter(email_key=email_key).order_by("id").first()
    if match is not None:
        return match
    if not (name or "").strip():
        raise DomainError(
            _("The customer's name is required."), fields={"customer": [_("A name is required.")]}
        )
    customer = Customer(name=name.strip(), phone=phone.strip(), email=email.strip())
    try:
        customer.full_clean()
    except ValidationError as exc:
        raise DomainError(
            _("The customer's details are not valid."),
            fields={f"customer.{k}": v for k, v in exc.message_dict.items()},
        ) from exc
    customer.save()
    return customer


def _resolve_unit_and_product(request: ServiceRequest) -> None:
    """A known serial number links the unit, its product and (if missing) the batch and dates."""
    if request.unit_id is None and request.serial_number:
        request.unit = (
            Unit.objects.select_related("product")
            .filter(serial_number=request.serial_number.strip())
            .first()
        )
    if request.unit is not None:
        unit = request.unit
        request.product = request.product or unit.product
        request.serial_number = request.serial_number or unit.serial_number
        request.batch_number = request.batch_number or unit.batch_number
        request.production_date = request.production_date or unit.production_date
        request.purchase_date = request.purchase_date or unit.purchase_date
        request.purchase_channel = request.purchase_channel or unit.get_purchase_channel_display()


def _set_deadlines(request: ServiceRequest) -> None:
    """Priority from the matrix, then the due times from the SLA policy and the history."""
    matrix = priority.priority_for(impact=request.impact, urgency=request.urgency)
    # An escalation is a floor: a later reclassification must not silently undo it.
    request.priority = priority.higher(matrix, request.escalated_priority)
    pauses = deadlines.pauses_of(request) if request.pk else []
    deadlines.apply_due_times(request, pauses=pauses)


def _check_received_at(received_at: datetime.datetime, now: datetime.datetime) -> None:
    # A minute of slack for clocks that disagree between the caller's phone and the server.
    if received_at > now + datetime.timedelta(minutes=1):
        raise DomainError(
            _("The time received cannot be in the future."),
            fields={"received_at": [_("The time received cannot be in the future.")]},
        )


def _check_external_reference(request: ServiceRequest) -> None:
    """One request per external reference and channel: the sending system is told which."""
    if not request.external_reference:
        return
    existing = (
        ServiceRequest.objects.filter(
            channel=request.channel, external_reference=request.external_reference
        )
        .values_list("number", flat=True)
        .first()
    )
    if existing:
        message = _("A request with this external reference exists already: %(number)s.") % {
            "number": existing
        }
        raise Conflict(message, fields={"external_reference": [message]}, number=existing)


@transaction.atomic
def service_request_create(
    *,
    by: User | None,
    customer: Customer,
    data: dict[str, Any],
    uploads: Iterable[Any] = (),
    public: bool = False,
    receipt: bool = True,
) -> ServiceRequest:
    """Intake. A customer (signed in, or `public` on the portal) files for themself only and
    may not set staff fields (400 if tried). `receipt`: the customer is sent the receipt
    (the notices app); the mail intake sends its own, as an answer to the mail."""
    if by is not None and not access.can_create(by):
        raise NotAllowed(_("You may not create service requests."))
    is_customer = public or (by is not None and by.role == User.Role.CUSTOMER)
    allowed = CUSTOMER_FIELDS if is_customer else STAFF_FIELDS
    unknown = set(data) - allowed
    if unknown:
        raise DomainError(
            _("These fields cannot be set here."),
            fields={name: [_("This field cannot be set here.")] for name in sorted(unknown)},
        )
    if is_customer and by is not None and by.customer_id != customer.pk:
        raise NotAllowed(_("You may file requests for yourself only."))
    now = timezone.now()
    received_at = data.get("received_at") or now
    _check_received_at(received_at, now)
    uploads = attachments_check(uploads)
    request = ServiceRequest(customer=customer, recorded_by=by, received_at=received_at)
    for field, value in data.items():
        if field != "received_at":
            setattr(request, field, value)
    if is_customer:
        request.channel = ServiceRequest.Channel.WEB
    request.contact_name = request.contact_name or customer.name
    request.contact_phone = request.contact_phone or customer.phone
    request.contact_email = request.contact_email or customer.email
    request.address = request.address or customer.address
    request.organisation = request.organisation or customer.organisation
    request.contact_phone_key = normalise_phone(request.contact_phone)
    request.contact_email_key = normalise_email(request.contact_email)
    _resolve_unit_and_product(request)
    _set_deadlines(request)
    request.number = numbering.next_number(received_at)
    _check_external_reference(request)
    try:
        # Fields are checked here; the table's check constraints guard values this code
        # sets itself (status, priority) and are left to the database, where each would
        # otherwise cost a query of its own.
        request.full_clean(exclude=["number"], validate_constraints=False)
    except ValidationError as exc:
        raise _validation_to_domain(exc) from exc
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        # Another intake with the same reference committed between the check and the save.
        _check_external_reference(request)
        raise
    ServiceRequestEvent.objects.create(
        request=request,
        kind=ServiceRequestEvent.Kind.CREATED,
        actor=by,
        to_status=request.status,
        changes={"channel": request.channel, "priority": request.priority},
    )
    for upload in uploads:
        attachment_add(request, by=by, upload=upload, internal=False)
    signals.request_changed.send(sender=ServiceRequest, request_id=request.pk)
    signals.request_created.send(sender=ServiceRequest, request=request, receipt=receipt)
    request.refresh_from_db()
    return request


@transaction.atomic
def service_request_intake(
    *,
    by: User,
    customer: Customer | None,
    new_customer: dict[str, str],
    data: dict[str, Any],
    uploads: Iterable[Any] = (),
) -> ServiceRequest:
    """Intake by staff: `customer`, else the one found or created from `new_customer` (name,
    phone, email). A refused request leaves no new customer behind."""
    if customer is None:
        customer = customer_find_or_create(by=by, **new_customer)
    return service_request_create(by=by, customer=customer, data=data, uploads=uploads)


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


@transaction.atomic
def service_request_update(
    request: ServiceRequest, *, by: User, data: dict[str, Any], expected_version: int | None
) -> ServiceRequest:
    """Change fields; a stale `expected_version` raises Conflict and changes nothing."""
    locked = transitions.lock(request, expected_version=expected_version)
    if not access.can_edit(by, locked):
        raise NotAllowed(_("You may not change this request."))
    unknown = set(data) - EDITABLE_FIELDS
    if unknown:
        raise DomainError(
            _("These fields cannot be changed here."),
            fields={name: [_("This field cannot be changed here.")] for name in sorted(unknown)},
        )
    if not locked.is_open and set(data) - {"title", "description", "category"}:
        raise DomainError(_("A closed or cancelled request keeps its classification."))
    changes: dict[str, list[Any]] = {}
    for field, value in data.items():
        old = getattr(locked, field)
        if old != value:
            changes[field] = [_json_value(old), _json_value(value)]
            setattr(locked, field, value)
    if not changes:
        return locked
    locked.contact_phone_key = normalise_phone(locked.contact_phone)
    locked.contact_email_key = normalise_email(locked.contact_email)
    if "unit" in changes or "serial_number" in changes:
        _resolve_unit_and_product(locked)
    if changes.keys() & _DEADLINE_FIELDS:
        old_priority = locked.priority
        _set_deadlines(locked)
        if locked.priority != old_priority:
            changes["priority"] = [old_priority, locked.priority]
    try:
        locked.full_clean(validate_constraints=False)
    except ValidationError as exc:
        raise _validation_to_domain(exc) from exc
    locked.version = F("version") + 1
    locked.save()
    locked.refresh_from_db()
    ServiceRequestEvent.objects.create(
        request=locked, kind=ServiceRequestEvent.Kind.UPDATED, actor=by, changes=changes
    )
    signals.request_changed.send(sender=ServiceRequest, request_id=locked.pk)
    return locked


@transaction.atomic
def service_request_route_to_team(
    request: ServiceRequest, *, team: Team, by: User | None, note: str = ""
) -> ServiceRequest:
    """Send the request to a team without choosing a person (routing; `by=None` is the
    system). The current assignee keeps it if they are in that team."""
    locked = transitions.lock(request, expected_version=None)
    if locked.team_id == team.pk:
        return locked
    if by is not None and not access.dispatches(by, locked):
        raise NotAllowed(_("You may not route this request."))
    changes = {"team": [locked.team_id, team.pk]}
    locked.team = team
    locked.version = F("version") + 1
    locked.save(update_fields=["team", "version", "updated_at"])
    locked.refresh_from_db()
    ServiceRequestEvent.objects.create(
        request=locked, kind=ServiceRequestEvent.Kind.UPDATED, actor=by, note=note, changes=changes
    )
    signals.request_changed.send(sender=ServiceRequest, request_id=locked.pk)
    return locked


def _required_text(data: dict[str, Any], name: str, message: str) -> str:
    value = str(data.get(name) or "").strip()
    if not value:
        raise DomainError(message, fields={name: [message]})
    return value


def _assignee_from(data: dict[str, Any], request: ServiceRequest) -> tuple[User, Team | None]:
    assignee = data.get("assignee")
    if isinstance(assignee, str):
        assignee = User.objects.filter(username=assignee).first()
    if not isinstance(assignee, User):
        message = _("Choose who will work on this request.")
        raise DomainError(message, fields={"assignee": [message]})
    if not access.can_work_as_assignee(assignee):
        message = _("%(name)s cannot work on service requests.") % {"name": assignee.display_name}
        raise DomainError(message, fields={"assignee": [message]})
    team = data.get("team", request.team)
    if isinstance(team, int):
        team = Team.objects.filter(pk=team).first()
    if (
        team is not None
        and assignee.role not in {User.Role.ADMIN, User.Role.AGENT}
        and not assignee.teams.filter(pk=team.pk).exists()
    ):
        message = _("%(name)s is not a member of team %(team)s.") % {
            "name": assignee.display_name,
            "team": team,
        }
        raise DomainError(message, fields={"assignee": [message]})
    if team is None:
        team = assignee.teams.order_by("id").first()
    return assignee, team


@transaction.atomic
def service_request_act(
    request: ServiceRequest,
    action: str,
    *,
    by: User,
    data: dict[str, Any] | None = None,
    expected_version: int | None = None,
) -> ServiceRequest:
    """Run one lifecycle action with what it requires (SPEC §3).

    cancel/reopen/reject need a reason, resolve a resolution, assign an assignee who can
    work it, schedule a visit time. Raises NotAllowed, InvalidTransition, Conflict, DomainError.
    """
    data = data or {}
    transition = transitions.get(action)
    note = str(data.get("note") or "").strip()
    fields: dict[str, Any] = {}
    changes: dict[str, Any] = {}
    if action in {"cancel", "reopen", "reject"}:
        note = _required_text(data, "reason", _("Give a reason."))
    if action == "request-approval":
        note = _required_text(data, "note", _("Say what needs approval."))
    if action == "resolve":
        resolution = _required_text(data, "resolution", _("Describe how the request was resolved."))
        fields["resolution"] = resolution
        note = resolution
    if action == "assign":
        assignee, team = _assignee_from(data, request)
        fields |= {"assignee": assignee, "team": team}
        changes = {"assignee": assignee.username, "team": team.pk if team else None}
    if action == "take":
        # Under the row lock: of two people taking it at once, the second is told who won.
        current = transitions.lock(request, expected_version=expected_version)
        taken = current.assignee_id is not None and (
            current.status in transition.sources or current.status == ServiceRequest.Status.ASSIGNED
        )
        if not taken:
            transitions.check_source(current, transition)
        if current.assignee_id is not None:
            raise Conflict(
                _("%(name)s has this request already.") % {"name": current.assignee.display_name},
                assignee=current.assignee.username,
            )
        team = current.team
        if team is None or not by.teams.filter(pk=team.pk).exists():
            team = team or by.teams.order_by("id").first()
        fields |= {"assignee": by, "team": team}
        changes = {"assignee": by.username, "team": team.pk if team else None}
    if action == "schedule":
        when = data.get("scheduled_for")
        if not isinstance(when, datetime.datetime):
            message = _("Give the date and time of the visit.")
            raise DomainError(message, fields={"scheduled_for": [message]})
        if when < timezone.now():
            message = _("The visit cannot be in the past.")
            raise DomainError(message, fields={"scheduled_for": [message]})
        fields["scheduled_for"] = when
        changes = {"scheduled_for": when.isoformat()}
    updated = transitions.apply(
        request,
        transition.name,
        by=by,
        note=note,
        changes=changes,
        expected_version=expected_version,
        fields=fields,
    )
    if action in {"assign", "take"}:
        assignments.assignment_record(
            updated,
            assignee=updated.assignee,
            team=updated.team,
            by=by,
            method=Assignment.Method.TAKE if action == "take" else data.get("method", "manual"),
            reason=note,
        )
    signals.request_changed.send(sender=ServiceRequest, request_id=updated.pk)
    return updated


def first_response_record(request_id: int, *, at: datetime.datetime | None = None) -> None:
    """The first contact by staff that the customer sees (SPEC §5) stops the first-response
    clock: a public reply, a plan sent for their consent, a visit booked with them, an RMA
    decision, or the resolution itself. Only the first counts."""
    ServiceRequest.objects.filter(pk=request_id, first_responded_at__isnull=True).update(
        first_responded_at=at or timezone.now()
    )


@transaction.atomic
def comment_add(
    request: ServiceRequest,
    *,
    by: User,
    body: str,
    internal: bool,
    uploads: Iterable[Any] = (),
) -> Comment:
    """A reply or note. The first public reply by staff is the first response (SPEC §5)."""
    if not access.can_comment(by, request, internal=internal):
        raise NotAllowed(
            _("You may not add internal notes here.")
            if internal
            else _("You may not reply to this request.")
        )
    uploads = attachments_check(uploads)
    comment = Comment(
        request=request,
        author=by,
        author_name=by.display_name,
        body=(body or "").strip(),
        is_internal=internal,
    )
    try:
        comment.full_clean()
    except ValidationError as exc:
        raise _validation_to_domain(exc) from exc
    comment.save()
    for upload in uploads:
        attachment_add(request, by=by, upload=upload, internal=internal, comment=comment)
    now = timezone.now()
    if not internal and access.is_staff(by):
        first_response_record(request.pk, at=now)
    ServiceRequest.objects.filter(pk=request.pk).update(updated_at=now)
    ServiceRequestEvent.objects.create(
        request=request,
        kind=ServiceRequestEvent.Kind.NOTE_ADDED
        if internal
        else ServiceRequestEvent.Kind.COMMENTED,
        actor=by,
        note=comment.body[:500],
        is_internal=internal,
        changes={"comment": comment.pk},
    )
    signals.request_changed.send(sender=ServiceRequest, request_id=request.pk)
    if not internal:
        signals.request_commented.send(sender=ServiceRequest, request=request, comment=comment)
    return comment


@transaction.atomic
def comment_add_from_customer(
    request: ServiceRequest, *, body: str, uploads: Iterable[Any] = ()
) -> Comment:
    """A public reply the request's customer sent outside the site (by email), with no
    signed-in user behind it: written as the customer — their account when they have one
    — after the caller proved the sender is the request's customer."""
    customer = request.customer
    account = (
        customer.accounts.filter(is_active=True, role=User.Role.CUSTOMER).order_by("id").first()
    )
    uploads = attachments_check(uploads)
    comment = Comment(
        request=request,
        author=account,
        author_name=customer.name,
        body=(body or "").strip(),
        is_internal=False,
    )
    try:
        comment.full_clean()
    except ValidationError as exc:
        raise _validation_to_domain(exc) from exc
    comment.save()
    for upload in uploads:
        attachment_add(request, by=account, upload=upload, internal=False, comment=comment)
    ServiceRequest.objects.filter(pk=request.pk).update(updated_at=timezone.now())
    ServiceRequestEvent.objects.create(
        request=request,
        kind=ServiceRequestEvent.Kind.COMMENTED,
        actor=account,
        note=comment.body[:500],
        changes={"comment": comment.pk},
    )
    signals.request_changed.send(sender=ServiceRequest, request_id=request.pk)
    signals.request_commented.send(sender=ServiceRequest, request=request, comment=comment)
    return comment


def _upload_error(message: str) -> DomainError:
    return DomainError(message, fields={"attachments": [message]})


def attachment_check(upload: Any) -> str:
    """The allowed MIME type of `upload` from its content, or a DomainError naming the file."""
    display_name = normalise_display_name(upload.name or "")
    max_bytes = settings.ATTACHMENT_MAX_BYTES
    if upload.size > max_bytes:
        raise _upload_error(
            _("“%(name)s” is larger than %(limit)d MB.")
            % {"name": display_name, "limit": max_bytes // (1024 * 1024)}
        )
    if upload.size == 0:
        raise _upload_error(_("“%(name)s” is empty.") % {"name": display_name})
    upload.seek(0)
    head = upload.read(64)
    upload.seek(0)
    mime = files.sniff(head, upload.file if hasattr(upload, "file") else upload)
    if mime is None:
        raise _upload_error(
            _("“%(name)s” is not a photo, video, PDF or office document.") % {"name": display_name}
        )
    return mime


def attachments_check(uploads: Iterable[Any]) -> list[Any]:
    """Check every file before anything is written, so one bad file stores none."""
    uploads = list(uploads)
    if len(uploads) > settings.ATTACHMENTS_PER_UPLOAD:
        raise _upload_error(
            _("At most %(count)d files at a time.") % {"count": settings.ATTACHMENTS_PER_UPLOAD}
        )
    for upload in uploads:
        attachment_check(upload)
    return uploads


@transaction.atomic
def attachment_add(
    request: ServiceRequest,
    *,
    by: User | None,
    upload: Any,
    internal: bool,
    comment: Comment | None = None,
) -> Attachment:
    """Store one uploaded file under a generated name, if its content is an allowed type."""
    mime = attachment_check(upload)
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    now = timezone.now()
    stored_name = default_storage.save(
        f"attachments/{now:%Y/%m}/{uuid.uuid4().hex}.{files.EXTENSIONS.get(mime, 'bin')}",
        File(upload),
    )
    display_name = normalise_display_name(upload.name or "")
    try:
        attachment = Attachment.objects.create(
            request=request,
            comment=comment,
            file=stored_name,
            original_name=display_name,
            content_type=mime,
            size=upload.size,
            sha256=digest.hexdigest(),
            is_internal=internal,
            uploaded_by=by,
        )
        ServiceRequestEvent.objects.create(
            request=request,
            kind=ServiceRequestEvent.Kind.ATTACHMENT_ADDED,
            actor=by,
            note=display_name,
            is_internal=internal,
            changes={"attachment": attachment.pk},
        )
    except Exception:
        default_storage.delete(stored_name)
        raise
    return attachment


def due_times_recompute(*, calendar_id: int | None = None, batch_size: int = 500) -> int:
    """Recompute the due times of open requests from their history (SPEC §4): all of them
    after a policy change, those counting on `calendar_id` after a calendar change.

    In batches: each batch is one short transaction that locks its rows, reads their
    history in one query and writes the changed rows back together; the policies are read
    once for the run. Returns how many requests' due times changed."""
    open_requests = ServiceRequest.objects.filter(status__in=ServiceRequest.OPEN_STATUSES)
    if calendar_id is not None:
        open_requests = open_requests.filter(
            Q(first_response_calendar_id=calendar_id) | Q(resolution_calendar_id=calendar_id)
        )
    snapshot = engine.PolicySnapshot.load()
    changed = 0
    last_id = 0
    while True:
        ids = list(
            open_requests.filter(pk__gt=last_id)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return changed
        changed += _recompute_batch(ids, snapshot)
        last_id = ids[-1]


def _sla_columns(request: ServiceRequest) -> tuple[Any, ...]:
    return tuple(
        getattr(request, ServiceRequest._meta.get_field(f).attname) for f in deadlines.DUE_FIELDS
    )


def _rows_write(rows: list[ServiceRequest], now: datetime.datetime) -> None:
    """One UPDATE per row, sent as one batch: Django's bulk_update builds a CASE per column
    and row, which costs more than the arithmetic itself for a few hundred rows."""
    fields = [ServiceRequest._meta.get_field(f) for f in [*deadlines.DUE_FIELDS, "updated_at"]]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    sql = f"UPDATE {quote(ServiceRequest._meta.db_table)} SET {assignments} WHERE id = %s"  # noqa: S608 - names from the model
    for request in rows:
        request.updated_at = now
    params = [
        [f.get_db_prep_save(getattr(request, f.attname), connection) for f in fields] + [request.pk]
        for request in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


@transaction.atomic
def _recompute_batch(ids: list[int], snapshot: "engine.PolicySnapshot") -> int:
    rows = list(
        ServiceRequest.objects.select_for_update()
        .filter(pk__in=ids, status__in=ServiceRequest.OPEN_STATUSES)
        .order_by("pk")
    )
    history: dict[int, list[ServiceRequestEvent]] = {}
    for event in ServiceRequestEvent.objects.filter(
        request_id__in=[r.pk for r in rows], kind=ServiceRequestEvent.Kind.STATUS_CHANGED
    ).order_by("created_at", "id"):
        history.setdefault(event.request_id, []).append(event)
    watched = ("first_response_due_at", "resolution_due_at")
    events = []
    touched = []
    for request in rows:
        columns = _sla_columns(request)
        before = {f: _json_value(getattr(request, f)) for f in watched}
        pauses = deadlines.pauses_of(request, events=history.get(request.pk, []))
        deadlines.apply_due_times(request, pauses=pauses, snapshot=snapshot)
        if _sla_columns(request) == columns:
            continue  # nothing moved: the row is left as it is
        touched.append(request)
        after = {f: _json_value(getattr(request, f)) for f in watched}
        if before != after:
            events.append(
                ServiceRequestEvent(
                    request=request,
                    kind=ServiceRequestEvent.Kind.UPDATED,
                    actor=None,
                    note=_("Due times recomputed after a change of the SLA configuration."),
                    changes={f: [before[f], after[f]] for f in watched if before[f] != after[f]},
                )
            )
    _rows_write(touched, timezone.now())
    ServiceRequestEvent.objects.bulk_create(events)
    return len(events)
