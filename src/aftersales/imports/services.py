"""Write use cases of bulk imports.

- import_validate: read and check an uploaded file in full; record the job (validated, or
  failed with its error report). Nothing else is written.
- import_run: the confirmed import of a validated job: checked again against the database
  as it is now, then written all or nothing in one transaction.
- import_file: both at once (the API without dry_run, the management command).

Historical requests are written as history, not through the lifecycle: no receipt mail,
no routing, no follow-up, no SLA announcement (see docs/architecture.md, "Bulk import").
"""

import datetime
import hashlib
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.catalog.models import Unit
from aftersales.core.errors import Conflict, DomainError, NotAllowed
from aftersales.core.text import normalise_display_name
from aftersales.customers.models import Customer
from aftersales.imports import access, reading, validation
from aftersales.imports.models import ImportJob, ImportKey, Kind, Status
from aftersales.search.models import SearchDocument
from aftersales.search.services import _documents as search_documents
from aftersales.service_requests import deadlines, numbering, sla_sweep
from aftersales.service_requests.models import (
    Assignment,
    ServiceNumberCounter,
    ServiceRequest,
    ServiceRequestEvent,
)
from aftersales.sla import engine

BATCH = 1000
# The error report keeps this many lines; `error_count` has them all.
MAX_REPORTED_ERRORS = 5000
S = ServiceRequest.Status
Event = ServiceRequestEvent.Kind
# Serialises imports on PostgreSQL (SQLite writers are serialised already): two imports of
# overlapping files must not both create the same customer.
_ADVISORY_LOCK = 0x1A_0B_05


def _check_kind(kind: str) -> None:
    if kind not in Kind.values:
        raise DomainError(
            _("Unknown kind of import."),
            fields={"kind": [_("Use one of: %(values)s.") % {"values": ", ".join(Kind.values)}]},
        )


def _check_allowed(by: User | None, kind: str) -> None:
    if by is not None and not access.can_import(by, kind):
        raise NotAllowed(_("You may not import %(kind)s.") % {"kind": Kind(kind).label})


def _apply_plan(job: ImportJob, plan: validation.Plan) -> None:
    job.rows_total = plan.total
    job.error_count = len(plan.errors)
    job.errors = plan.errors[:MAX_REPORTED_ERRORS]
    job.rows_new, job.rows_updated, job.rows_unchanged = plan.new, plan.updated, plan.unchanged
    job.status = Status.FAILED if plan.errors else Status.VALIDATED


@transaction.atomic
def import_validate(*, kind: str, file_name: str, data: bytes, by: User | None) -> ImportJob:
    """Check every row; the job records the outcome. A file that cannot be read at all (not
    CSV or XLSX, too large, too many rows) is refused with a DomainError naming `file`."""
    _check_kind(kind)
    _check_allowed(by, kind)
    job, _plan = _job_checked(kind=kind, file_name=file_name, data=data, by=by)
    # The bytes are kept for the confirm step only.
    job.content = data if job.status == Status.VALIDATED else b""
    job.save()
    return job


def _job_checked(
    *, kind: str, file_name: str, data: bytes, by: User | None
) -> tuple[ImportJob, validation.Plan]:
    name = normalise_display_name(file_name or "import", max_length=150)
    sheet = reading.read_sheet(data, name)
    plan = validation.plan_for(kind, sheet)
    job = ImportJob(
        kind=kind,
        file_name=name,
        file_format=sheet.file_format,
        encoding=sheet.encoding,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=by,
    )
    _apply_plan(job, plan)
    return job, plan


def _write(job: ImportJob, plan: validation.Plan, by: User | None) -> None:
    """Write the plan of a job that passed; the job must be saved (its keys point to it)."""
    now = timezone.now()
    if job.pk is None:
        job.save()
    WRITERS[job.kind](plan, job, by, now)
    job.status = Status.IMPORTED
    job.imported_at = now
    job.imported_by = by


def _lock_imports() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK])


@transaction.atomic
def import_run(job: ImportJob, *, by: User | None) -> ImportJob:
    """Import a validated job. Its rows are checked again first (the database may have
    changed since): if any row fails now, the job becomes failed with the new report and
    nothing is written; else every row is written, or none."""
    _check_allowed(by, job.kind)
    _lock_imports()
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status != Status.VALIDATED:
        raise Conflict(
            _("This import is %(status)s; upload the file again.")
            % {"status": job.get_status_display()},
            status=job.status,
        )
    sheet = reading.read_sheet(bytes(job.content), job.file_name)
    plan = validation.plan_for(job.kind, sheet)
    _apply_plan(job, plan)
    if not plan.errors:
        _write(job, plan, by)
    job.content = b""
    job.save()
    return job


@transaction.atomic
def import_file(
    *, kind: str, file_name: str, data: bytes, by: User | None, dry_run: bool
) -> ImportJob:
    """Check the file and, unless `dry_run`, import it at once when every row passes (one
    transaction, the rows checked once)."""
    if dry_run:
        return import_validate(kind=kind, file_name=file_name, data=data, by=by)
    _check_kind(kind)
    _check_allowed(by, kind)
    _lock_imports()
    job, plan = _job_checked(kind=kind, file_name=file_name, data=data, by=by)
    if job.status == Status.VALIDATED:
        _write(job, plan, by)
    job.content = b""
    job.save()
    return job


# --- Writers ---------------------------------------------------------------------------------


def _keys_write(kind: str, job: ImportJob, keys: list[tuple[int, int, str]]) -> None:
    ImportKey.objects.bulk_create(
        [ImportKey(kind=kind, key=key, object_id=pk, job=job, row=row) for row, pk, key in keys],
        batch_size=BATCH,
    )


def _reindex_requests_of(customer_ids: list[int]) -> None:
    """Requests show their customer's name and contacts in search: keep them in step."""
    from aftersales.search.services import search_document_update

    ids = ServiceRequest.objects.filter(customer_id__in=customer_ids).values_list("pk", flat=True)
    for request_id in ids.iterator():
        search_document_update(request_id=request_id)


def _write_customers(
    plan: validation.Plan, job: ImportJob, by: User | None, now: datetime.datetime
) -> None:
    created = Customer.objects.bulk_create([c for _r, c, _e in plan.creates], batch_size=BATCH)
    keys = [
        (row, customer.pk, external_id)
        for (row, _c, external_id), customer in zip(plan.creates, created, strict=True)
        if external_id
    ]
    keys += [(row, customer.pk, external_id) for row, customer, external_id in plan.keys]
    _keys_write(Kind.CUSTOMERS, job, keys)
    if plan.updates:
        fields = {name for _r, _c, changed in plan.updates for name in changed}
        customers = [c for _r, c, _f in plan.updates]
        for customer in customers:
            customer.updated_at = now
        Customer.objects.bulk_update(
            customers, [*fields, "phone_key", "email_key", "updated_at"], batch_size=BATCH
        )
        _reindex_requests_of([c.pk for c in customers])


def _write_units(
    plan: validation.Plan, job: ImportJob, by: User | None, now: datetime.datetime
) -> None:
    Unit.objects.bulk_create([u for _r, u, _e in plan.creates], batch_size=BATCH)
    if plan.updates:
        fields = {name for _r, _u, changed in plan.updates for name in changed}
        units = [u for _r, u, _f in plan.updates]
        for unit in units:
            unit.updated_at = now
        Unit.objects.bulk_update(units, [*fields, "updated_at"], batch_size=BATCH)


def _counter_at_least(day: datetime.date, last: int) -> None:
    """A given number SR-day-NNNN: the day's counter moves past it, so a number made later
    that day never collides with an imported one."""
    table = connection.ops.quote_name(ServiceNumberCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, last) VALUES (%s, %s) "  # noqa: S608 - table name is ours
            f"ON CONFLICT (day) DO UPDATE SET last = CASE WHEN {table}.last < %s "
            f"THEN %s ELSE {table}.last END",
            [day, last, last, last],
        )


def _numbers_reserve(day: datetime.date, count: int) -> int:
    """`count` numbers of `day` at once (as the bulk loader does); returns the first."""
    table = connection.ops.quote_name(ServiceNumberCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, last) VALUES (%s, %s) "  # noqa: S608 - table name is ours
            f"ON CONFLICT (day) DO UPDATE SET last = {table}.last + %s RETURNING last",
            [day, count, count],
        )
        (last,) = cursor.fetchone()
    return last - count + 1


def _numbers_assign(rows: list[validation.RequestRow]) -> None:
    for item in rows:
        match = validation.NUMBER_PATTERN.match(item.number)
        if match:
            try:
                day = datetime.datetime.strptime(match.group(1), "%Y%m%d").date()  # noqa: DTZ007
            except ValueError:
                continue  # not a real date: it cannot collide with a number we make
            _counter_at_least(day, int(match.group(2)))
    by_day: dict[datetime.date, list[validation.RequestRow]] = {}
    for item in sorted(rows, key=lambda r: (r.request.received_at, r.row)):
        if not item.number:
            by_day.setdefault(numbering.local_day(item.request.received_at), []).append(item)
    for day, items in sorted(by_day.items()):
        first = _numbers_reserve(day, len(items))
        for offset, item in enumerate(items):
            item.request.number = numbering.format_number(day, first + offset)
    for item in rows:
        if item.number:
            item.request.number = item.number


def _due_times(rows: list[validation.RequestRow], now: datetime.datetime) -> None:
    """Due times from the SLA engine as of `received_at`. A deadline already past when the
    request is imported is marked as announced, so the sweep never reports old history."""
    snapshot = engine.PolicySnapshot.load()
    for item in rows:
        request = item.request
        deadlines.apply_due_times(request, pauses=[], snapshot=snapshot)
        if request.status in (S.RESOLVED, S.CLOSED) and request.first_responded_at is None:
            # The resolution is a response the customer sees (as in live work).
            request.first_responded_at = request.resolved_at
        for level in sla_sweep.LEVELS:
            moment = getattr(request, level.time_field)
            if moment is not None and moment <= now:
                setattr(request, level.mark_field, now)


def _history(item: validation.RequestRow, job: ImportJob, by: User | None) -> list[Any]:
    """The request's history: created when received, its state changes at their times, and
    an internal line saying who imported it from which file."""
    request = item.request
    events = [
        (
            ServiceRequestEvent(
                request=request,
                kind=Event.CREATED,
                to_status=S.NEW,
                changes={"channel": request.channel, "priority": request.priority},
            ),
            request.received_at,
        )
    ]
    steps = {
        S.IN_PROGRESS: [("start", S.NEW, S.IN_PROGRESS, request.received_at, "")],
        S.RESOLVED: [("resolve", S.NEW, S.RESOLVED, request.resolved_at, request.resolution)],
        S.CLOSED: [
            ("resolve", S.NEW, S.RESOLVED, request.resolved_at, request.resolution),
            ("close", S.RESOLVED, S.CLOSED, request.closed_at, ""),
        ],
        S.CANCELLED: [("cancel", S.NEW, S.CANCELLED, request.cancelled_at, "")],
    }.get(request.status, [])
    for action, source, target, moment, note in steps:
        event = ServiceRequestEvent(
            request=request,
            kind=Event.STATUS_CHANGED,
            action=action,
            actor=request.assignee,
            from_status=source,
            to_status=target,
            note=note,
        )
        events.append((event, moment))
    note = _("Imported from %(file)s (import %(job)s, row %(row)s).") % {
        "file": job.file_name,
        "job": job.pk,
        "row": item.row,
    }
    imported = ServiceRequestEvent(
        request=request,
        kind=Event.UPDATED,
        action="import.imported",
        actor=by,
        note=note,
        # The timeline reads `changes` of an "updated" line as field: (old, new) pairs; the
        # file, job and row are in the note.
        is_internal=True,
    )
    events.append((imported, None))
    return events


def _write_requests(
    plan: validation.Plan, job: ImportJob, by: User | None, now: datetime.datetime
) -> None:
    rows = plan.requests
    _numbers_assign(rows)
    _due_times(rows, now)
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        requests = ServiceRequest.objects.bulk_create([item.request for item in batch])
        for item, saved in zip(batch, requests, strict=True):
            item.request.pk = saved.pk
        dated: list[tuple[ServiceRequestEvent, datetime.datetime]] = []
        events: list[ServiceRequestEvent] = []
        for item in batch:
            for event, moment in _history(item, job, by):
                events.append(event)
                if moment is not None:
                    dated.append((event, moment))
        for event, moment in dated:
            event.created_at = moment
        _events_insert(events, now)
        Assignment.objects.bulk_create(
            [
                Assignment(
                    request=item.request,
                    assignee=item.request.assignee,
                    team=item.request.team,
                    assigned_by=by,
                    reason=_("Imported"),
                    assigned_at=item.request.received_at,
                    ended_at=None if item.request.is_open else _ended(item.request),
                )
                for item in batch
                if item.request.assignee_id is not None
            ]
        )
        SearchDocument.objects.bulk_create(
            [
                SearchDocument(
                    request=item.request,
                    **dict(
                        zip(("public", "internal"), search_documents(item.request, []), strict=True)
                    ),
                )
                for item in batch
            ]
        )
        _keys_write(
            Kind.REQUESTS, job, [(item.row, item.request.pk, item.source_key) for item in batch]
        )


def _events_insert(events: list[ServiceRequestEvent], now: datetime.datetime) -> None:
    """History lines with the times things happened. bulk_create would stamp every line with
    the time of the import (`created_at` is set on insert), so they are inserted directly,
    each value prepared by its field as the ORM would."""
    fields = [f for f in ServiceRequestEvent._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    table = quote(ServiceRequestEvent._meta.db_table)
    rows = []
    for event in events:
        if event.created_at is None:
            event.created_at = now
        rows.append([f.get_db_prep_save(getattr(event, f.attname), connection) for f in fields])
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608 - our table
            rows,
        )


def _ended(request: ServiceRequest) -> datetime.datetime:
    return request.closed_at or request.resolved_at or request.cancelled_at or request.received_at


WRITERS = {
    Kind.CUSTOMERS: _write_customers,
    Kind.UNITS: _write_units,
    Kind.REQUESTS: _write_requests,
}
