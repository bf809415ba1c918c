"""Write use cases of on-site visits (SPEC §2.5).

- visit_book: book technicians for a window agreed with the customer; the request is scheduled
- visit_reschedule: move a visit to a new window (the old one is kept, with the reason, and
  linked to the new one)
- visit_cancel: cancel a visit, with a reason
- visit_start: a technician sets off (en route) or arrives (on site); the request is started
- visit_work_record: a technician's internal note on the request, from the visit
- visit_no_one_home: the technician came and found no one; time and note are recorded and
  the request goes back to in progress, so that the next visit can be booked
- visit_finish: the technician is done on site; resolving the request stays a decision of
  its own (the customer confirms the result, SPEC §2.6)
- visits_follow_request: a cancelled or closed request's visits that have not begun are
  cancelled with it (a receiver of `request_changed`, in the same transaction)
- leave_add / leave_delete: a technician's absence

Every change writes an event to the request's history (internal: the customer is told by
mail and sees the next visit's window on the tracking page), tells the customer by mail
where it concerns them and the technicians in the app.

No double booking: the services check each technician's active bookings; on SQLite that
check runs under the write lock every transaction takes at its start (IMMEDIATE), so
bookings are serialised; on PostgreSQL two bookings can pass the check at once, and the
exclusion constraint refuses the second at insert, which is answered as a Conflict too.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.accounts.models import User
from aftersales.core.errors import Conflict, DomainError, InvalidTransition, NotAllowed
from aftersales.service_requests import access as request_access
from aftersales.service_requests import assignments, signals, transitions
from aftersales.service_requests import services as request_services
from aftersales.service_requests.models import ServiceRequest, ServiceRequestEvent
from aftersales.visits import access, availability, notices
from aftersales.visits.models import NO_OVERLAP_CONSTRAINT, Leave, Visit, VisitTechnician

V = Visit.Status
S = ServiceRequest.Status

MAX_WINDOW = datetime.timedelta(hours=12)
# Appointments are agreed for the coming weeks; a date years ahead is a typing error.
MAX_AHEAD = datetime.timedelta(days=366)
MAX_LEAVE = datetime.timedelta(days=366)
MAX_TECHNICIANS = 10
# PostgreSQL's SQLSTATE for "deadlock detected", and how often a booking insert that lost
# such a tie is tried again.
DEADLOCK_DETECTED = "40P01"
DEADLOCK_RETRIES = 3
TEXT_MAX = 2000

# What each step is called, and the visit states it may leave from.
ACTIONS: dict[str, tuple[Any, frozenset[str]]] = {
    "reschedule": (gettext_lazy("Reschedule"), frozenset({V.BOOKED, V.EN_ROUTE})),
    "cancel": (gettext_lazy("Cancel the visit"), frozenset({V.BOOKED, V.EN_ROUTE})),
    "start": (gettext_lazy("On my way"), frozenset({V.BOOKED})),
    "arrive": (gettext_lazy("Arrived"), frozenset({V.BOOKED, V.EN_ROUTE})),
    "record": (
        gettext_lazy("Record work"),
        frozenset({*Visit.ACTIVE, V.DONE, V.NO_ONE_HOME}),
    ),
    "no_one_home": (gettext_lazy("No one home"), frozenset(Visit.ACTIVE)),
    "finish": (gettext_lazy("Finish"), frozenset(Visit.ACTIVE)),
}
DISPATCH_ACTIONS = ("reschedule", "cancel")
TECHNICIAN_ACTIONS = ("start", "arrive", "record", "no_one_home", "finish")


def available_actions(visit: Visit, user: User) -> list[str]:
    """The steps `user` may take on `visit` now: what the pages and the API offer."""
    names: list[str] = []
    if access.can_book(user, visit.service_request):
        names += [n for n in DISPATCH_ACTIONS if visit.status in ACTIONS[n][1]]
    if access.is_on_visit(user, visit):
        names += [n for n in TECHNICIAN_ACTIONS if visit.status in ACTIONS[n][1]]
    return names


# --- Checks ----------------------------------------------------------------------------------


def _refuse(field: str, message: str) -> DomainError:
    return DomainError(message, fields={field: [message]})


def _required_text(value: str | None, field: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise _refuse(field, message)
    if len(text) > TEXT_MAX:
        raise _refuse(field, _("At most %(count)d characters.") % {"count": TEXT_MAX})
    return text


def _check_source(visit: Visit, action: str) -> None:
    label, sources = ACTIONS[action]
    if visit.status not in sources:
        raise InvalidTransition(
            _("“%(action)s” is not possible while the visit is “%(status)s”.")
            % {"action": label, "status": visit.get_status_display()},
            status=visit.status,
        )


def _check_window(start: datetime.datetime, end: datetime.datetime, now: datetime.datetime) -> None:
    for name, value in (("window_start", start), ("window_end", end)):
        if not isinstance(value, datetime.datetime) or timezone.is_naive(value):
            raise _refuse(name, _("Give a date and time with its time zone."))
    if end <= start:
        raise _refuse("window_end", _("The window must end after it starts."))
    if end - start > MAX_WINDOW:
        raise _refuse(
            "window_end",
            _("A visit window is at most %(hours)d hours long.")
            % {"hours": MAX_WINDOW.total_seconds() // 3600},
        )
    if start < now:
        raise _refuse("window_start", _("The visit cannot start in the past."))
    if start > now + MAX_AHEAD:
        raise _refuse("window_start", _("Visits are booked at most a year ahead."))


def _people(technicians: Iterable[User]) -> list[User]:
    people: list[User] = []
    for person in technicians:
        if person.pk not in {p.pk for p in people}:
            people.append(person)
    if not people:
        raise _refuse("technicians", _("Choose at least one technician."))
    if len(people) > MAX_TECHNICIANS:
        raise _refuse(
            "technicians",
            _("At most %(count)d technicians on one visit.") % {"count": MAX_TECHNICIANS},
        )
    for person in people:
        if not access.can_be_booked(person):
            raise _refuse(
                "technicians",
                _("%(name)s cannot be sent on visits.") % {"name": person.display_name},
            )
    return people


def _local(moment: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(moment)


def _check_available(person: User, start: datetime.datetime, end: datetime.datetime) -> None:
    """Within the technician's working hours and not on leave (unless overridden)."""
    calendar = availability.calendar_for(person)
    if not availability.within_working_hours(calendar, start, end):
        raise _refuse(
            "window_start",
            _(
                "%(window)s is outside the working hours of %(name)s (%(calendar)s). Choose "
                "another time, or book outside working hours on purpose."
            )
            % {
                "window": notices.window_text(start, end),
                "name": person.display_name,
                "calendar": calendar,
            },
        )
    leave = availability.leave_overlapping(person, start, end)
    if leave is not None:
        raise _refuse(
            "window_start",
            _(
                "%(name)s is on leave %(leave)s. Choose another time or technician, or book "
                "outside working hours on purpose."
            )
            % {
                "name": person.display_name,
                "leave": notices.window_text(leave.start, leave.end),
            },
        )


def _clash_conflict(person: User, clash: VisitTechnician | None, by: User) -> Conflict:
    """The technician is booked then already: name them and the visit in the way (its
    request number only to whoever may see that request)."""
    if clash is None:
        message = _("%(name)s was booked for this time by someone else just now.") % {
            "name": person.display_name
        }
        return Conflict(message, fields={"technicians": [message]}, technician=person.username)
    visit = clash.visit
    request = visit.service_request
    values = {
        "name": person.display_name,
        "window": notices.window_text(clash.window_start, clash.window_end),
        "visit": visit.pk,
        "number": request.number,
    }
    if request_access.can_view(by, request):
        message = _("%(name)s is already booked %(window)s (visit %(visit)s, %(number)s).")
    else:
        message = _("%(name)s is already booked %(window)s (visit %(visit)s).")
    message = message % values
    return Conflict(
        message,
        fields={"technicians": [message]},
        technician=person.username,
        visit=visit.pk,
    )


def _check_free(
    person: User, start: datetime.datetime, end: datetime.datetime, *, by: User
) -> None:
    """No active booking of the technician overlaps [start, end). The whole guard on SQLite
    (writers are serialised); on PostgreSQL the answer for all but a race, which the
    exclusion constraint settles."""
    clash = availability.booking_overlapping(person, start, end)
    if clash is not None:
        raise _clash_conflict(person, clash, by)


def _is_overlap(exc: IntegrityError) -> bool:
    cause = exc.__cause__
    diag = getattr(cause, "diag", None)
    if diag is not None and getattr(diag, "constraint_name", None) == NO_OVERLAP_CONSTRAINT:
        return True
    return NO_OVERLAP_CONSTRAINT in str(exc)


def _is_deadlock(exc: OperationalError) -> bool:
    return getattr(exc.__cause__, "sqlstate", None) == DEADLOCK_DETECTED


def _insert_in_savepoint(rows: list[VisitTechnician]) -> None:
    """Insert the bookings in a savepoint, so that after a refusal the transaction can still
    read who was faster. Two overlapping inserts at the same instant each wait for the
    other's exclusion check and PostgreSQL breaks the deadlock by failing one; inserting
    again then waits for the survivor and ends in the ordinary overlap refusal."""
    for attempt in range(DEADLOCK_RETRIES):
        try:
            with transaction.atomic():
                VisitTechnician.objects.bulk_create(rows)
            return
        except OperationalError as exc:
            if not _is_deadlock(exc) or attempt == DEADLOCK_RETRIES - 1:
                raise
            for row in rows:
                row.pk = None


def _insert_bookings(visit: Visit, people: list[User], by: User) -> None:
    rows = [
        VisitTechnician(
            visit=visit,
            technician=person,
            window_start=visit.window_start,
            window_end=visit.window_end,
            active=True,
        )
        for person in people
    ]
    try:
        _insert_in_savepoint(rows)
    except IntegrityError as exc:
        if not _is_overlap(exc):
            raise
        # PostgreSQL waited for the other booking to commit before refusing this one, so
        # it is visible now.
        for person in people:
            clash = availability.booking_overlapping(person, visit.window_start, visit.window_end)
            if clash is not None:
                raise _clash_conflict(person, clash, by) from exc
        raise _clash_conflict(people[0], None, by) from exc


# --- The request's side ----------------------------------------------------------------------


def _event(
    request: ServiceRequest,
    *,
    by: User | None,
    verb: str,
    note: str,
    changes: dict[str, list[Any]] | None = None,
) -> None:
    ServiceRequestEvent.objects.create(
        request=request,
        kind=ServiceRequestEvent.Kind.UPDATED,
        action=f"visit.{verb}",
        actor=by,
        note=note,
        changes=changes or {},
        is_internal=True,
    )
    signals.request_changed.send(sender=ServiceRequest, request_id=request.pk)


def _service_window(visit: Visit) -> str:
    """A visit's window as the history keeps it: in the service time zone."""
    with timezone.override(settings.SERVICE_TIME_ZONE):
        return notices.window_text(visit.window_start, visit.window_end)


def _names(people: Iterable[User]) -> str:
    return ", ".join(person.display_name for person in people)


def technicians_of(visit: Visit) -> list[User]:
    """The visit's technicians in the order they were booked."""
    return [b.technician for b in visit.bookings.select_related("technician").order_by("id")]


def _sync_scheduled_for(request_id: int) -> dict[str, list[Any]]:
    """The request's "visit scheduled for" is the start of its next active visit (none:
    empty), kept in step after every change of its visits. The row is locked already."""
    current = ServiceRequest.objects.get(pk=request_id)
    next_start = (
        Visit.objects.filter(service_request_id=request_id, status__in=Visit.ACTIVE)
        .order_by("window_start")
        .values_list("window_start", flat=True)
        .first()
    )
    if not current.is_open or current.scheduled_for == next_start:
        return {}
    ServiceRequest.objects.filter(pk=request_id).update(
        scheduled_for=next_start, version=F("version") + 1, updated_at=timezone.now()
    )

    def iso(value: datetime.datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {"scheduled_for": [iso(current.scheduled_for), iso(next_start)]}


def _after_booking(request: ServiceRequest, visit: Visit, by: User) -> dict[str, list[Any]]:
    """A request being worked (assigned or in progress) moves to "scheduled" through the
    lifecycle's own action; in any other open state it keeps its state."""
    current = ServiceRequest.objects.get(pk=request.pk)
    if current.status in {S.ASSIGNED, S.IN_PROGRESS}:
        request_services.service_request_act(
            current, "schedule", by=by, data={"scheduled_for": visit.window_start}
        )
    return _sync_scheduled_for(request.pk)


def _after_ending(request: ServiceRequest, by: User, note: str) -> dict[str, list[Any]]:
    """When a scheduled request has no visit left to wait for, it goes back to in progress
    (the lifecycle's "start"), from where the next visit is booked or it is resolved. One
    in progress that still has a visit booked (not begun) waits for it: "scheduled"."""
    current = ServiceRequest.objects.get(pk=request.pk)
    active = list(
        Visit.objects.filter(service_request=current, status__in=Visit.ACTIVE).order_by(
            "window_start"
        )
    )
    if current.status == S.SCHEDULED and not active:
        request_services.service_request_act(current, "start", by=by, data={"note": note})
    elif (
        current.status == S.IN_PROGRESS
        and active
        and all(v.status == V.BOOKED for v in active)
        and active[0].window_start >= timezone.now()
    ):
        request_services.service_request_act(
            current, "schedule", by=by, data={"scheduled_for": active[0].window_start}
        )
    return _sync_scheduled_for(request.pk)


def _join_task_force(request: ServiceRequest, people: list[User], by: User) -> None:
    """A technician sent to the customer must see and work the request: those who do not
    already (another team's) join its task force."""
    for person in people:
        if not request_access.works_on(person, request):
            assignments.participant_add(request, user=person, by=by)


# --- Booking ---------------------------------------------------------------------------------


def _lock(visit: Visit) -> tuple[ServiceRequest, Visit]:
    """The request, then the visit, locked in that order by every service (no deadlock)."""
    request = transitions.lock(visit.service_request, expected_version=None)
    locked = Visit.objects.select_for_update().get(pk=visit.pk)
    locked.service_request = request
    return request, locked


def _book_new(
    request: ServiceRequest,
    *,
    technicians: Iterable[User],
    window_start: datetime.datetime,
    window_end: datetime.datetime,
    address: str,
    notes: str,
    outside_hours: bool,
    by: User,
) -> Visit:
    if not request.is_open:
        raise InvalidTransition(
            _("Visits are booked for open requests only; this one is “%(status)s”.")
            % {"status": request.get_status_display()},
            status=request.status,
        )
    _check_window(window_start, window_end, timezone.now())
    people = _people(technicians)
    for person in people:
        if not outside_hours:
            _check_available(person, window_start, window_end)
        _check_free(person, window_start, window_end, by=by)
    visit = Visit(
        service_request=request,
        window_start=window_start,
        window_end=window_end,
        address=(address or "").strip() or request.address,
        notes=(notes or "").strip(),
        outside_hours=outside_hours,
        booked_by=by,
    )
    try:
        visit.full_clean(exclude=["service_request", "booked_by", "technicians"])
    except ValidationError as exc:
        raise DomainError(_("Some fields are not valid."), fields=exc.message_dict) from exc
    visit.save()
    _insert_bookings(visit, people, by)
    _join_task_force(request, people, by)
    return visit


def _require_dispatcher(by: User, request: ServiceRequest) -> None:
    if not access.can_book(by, request):
        raise NotAllowed(_("You may not book visits for this request."))


@transaction.atomic
def visit_book(
    *,
    service_request: ServiceRequest,
    technicians: Iterable[User],
    window_start: datetime.datetime,
    window_end: datetime.datetime,
    by: User,
    address: str = "",
    notes: str = "",
    outside_hours: bool = False,
) -> Visit:
    """Book `technicians` at the customer's for [window_start, window_end). Refuses a
    window in the past, over 12 hours, outside a technician's working hours or during
    their leave (DomainError naming `window_start`, unless `outside_hours`), and a
    technician booked then already (Conflict naming them and the visit in the way)."""
    _require_dispatcher(by, service_request)
    request = transitions.lock(service_request, expected_version=None)
    _require_dispatcher(by, request)
    visit = _book_new(
        request,
        technicians=technicians,
        window_start=window_start,
        window_end=window_end,
        address=address,
        notes=notes,
        outside_hours=outside_hours,
        by=by,
    )
    changes = _after_booking(request, visit, by)
    people = technicians_of(visit)
    note = _("On-site visit %(visit)s booked for %(window)s: %(names)s.") % {
        "visit": visit.pk,
        "window": _service_window(visit),
        "names": _names(people),
    }
    if outside_hours:
        note += " " + _("Booked outside working hours on purpose.")
    _event(request, by=by, verb="booked", note=note, changes=changes)
    notices.customer_mail("booked", visit)
    request_services.first_response_record(visit.service_request_id)
    notices.staff_notify("booked", visit, people, by=by)
    return visit


@transaction.atomic
def visit_reschedule(
    visit: Visit,
    *,
    by: User,
    window_start: datetime.datetime,
    window_end: datetime.datetime,
    reason: str,
    technicians: Iterable[User] | None = None,
    address: str | None = None,
    notes: str | None = None,
    outside_hours: bool = False,
) -> Visit:
    """Move a booked visit to a new window: the old one becomes "rescheduled" with the
    reason and a link to the new one, which is checked like a new booking (same
    technicians, address and notes unless given). Returns the new visit."""
    request, old = _lock(visit)
    _require_dispatcher(by, request)
    _check_source(old, "reschedule")
    reason = _required_text(reason, "reason", _("Say why the visit moves."))
    old_people = technicians_of(old)
    # The old booking stops taking the technicians' time first, so the new window may
    # overlap it (moving a visit by an hour).
    old.status = V.RESCHEDULED
    old.reason = reason
    old.ended_at = timezone.now()
    old.ended_by = by
    old.save(update_fields=["status", "reason", "ended_at", "ended_by", "updated_at"])
    old.bookings.update(active=False)
    new = _book_new(
        request,
        technicians=old_people if technicians is None else technicians,
        window_start=window_start,
        window_end=window_end,
        address=old.address if address is None else address,
        notes=old.notes if notes is None else notes,
        outside_hours=outside_hours,
        by=by,
    )
    old.rescheduled_to = new
    old.save(update_fields=["rescheduled_to", "updated_at"])
    changes = _after_booking(request, new, by)
    people = technicians_of(new)
    note = _(
        "On-site visit %(old)s moved from %(before)s to %(after)s (visit %(new)s): %(reason)s"
    ) % {
        "old": old.pk,
        "new": new.pk,
        "before": _service_window(old),
        "after": _service_window(new),
        "reason": reason,
    }
    _event(request, by=by, verb="rescheduled", note=note, changes=changes)
    notices.customer_mail("rescheduled", new, previous=old)
    notices.staff_notify("rescheduled", new, people, by=by, key_visit=old)
    staying = {person.pk for person in people}
    notices.staff_notify("removed", old, [p for p in old_people if p.pk not in staying], by=by)
    return new


def _end(visit: Visit, status: str, *, by: User | None, **fields: Any) -> None:
    visit.status = status
    visit.ended_at = timezone.now()
    visit.ended_by = by
    for name, value in fields.items():
        setattr(visit, name, value)
    visit.save(update_fields=["status", "ended_at", "ended_by", "updated_at", *fields])
    visit.bookings.update(active=False)


@transaction.atomic
def visit_cancel(visit: Visit, *, by: User, reason: str) -> Visit:
    """Cancel a visit that has not started on site, with a reason; the technicians' time
    is free again. The customer is told."""
    request, locked = _lock(visit)
    _require_dispatcher(by, request)
    _check_source(locked, "cancel")
    reason = _required_text(reason, "reason", _("Say why the visit is cancelled."))
    people = technicians_of(locked)
    _end(locked, V.CANCELLED, by=by, reason=reason)
    changes = _after_ending(
        request, by, _("The on-site visit was cancelled; another can be booked.")
    )
    note = _("On-site visit %(visit)s on %(window)s cancelled: %(reason)s") % {
        "visit": locked.pk,
        "window": _service_window(locked),
        "reason": reason,
    }
    _event(request, by=by, verb="cancelled", note=note, changes=changes)
    notices.customer_mail("cancelled", locked)
    notices.staff_notify("cancelled", locked, people, by=by)
    return locked


def _require_technician(by: User, visit: Visit) -> None:
    if not access.is_on_visit(by, visit):
        raise NotAllowed(_("Only the technicians on this visit may do this."))


@transaction.atomic
def visit_start(visit: Visit, *, by: User, on_site: bool = False) -> Visit:
    """The technician sets off (`on_site` False: en route) or arrives (True: on site). The
    request is started if it was waiting for the visit."""
    request, locked = _lock(visit)
    _require_technician(by, locked)
    _check_source(locked, "arrive" if on_site else "start")
    now = timezone.now()
    if on_site:
        locked.status = V.IN_PROGRESS
        locked.arrived_at = now
        locked.save(update_fields=["status", "arrived_at", "updated_at"])
        note = _("Arrived on site for visit %(visit)s.")
    else:
        locked.status = V.EN_ROUTE
        locked.en_route_at = now
        locked.save(update_fields=["status", "en_route_at", "updated_at"])
        note = _("On the way to the customer for visit %(visit)s.")
    if request.status in transitions.TRANSITIONS["start"].sources:
        request_services.service_request_act(request, "start", by=by)
    _event(
        request,
        by=by,
        verb="arrived" if on_site else "en_route",
        note=note % {"visit": locked.pk},
    )
    return locked


@transaction.atomic
def visit_work_record(visit: Visit, *, by: User, body: str) -> Any:
    """What the technician did or found, as an internal note on the request."""
    request, locked = _lock(visit)
    _require_technician(by, locked)
    _check_source(locked, "record")
    text = _required_text(body, "body", _("Write what you did or found."))
    return request_services.comment_add(request, by=by, body=text, internal=True)


@transaction.atomic
def visit_no_one_home(visit: Visit, *, by: User, note: str) -> Visit:
    """The technician came in the window and found no one: the time and what they tried
    are recorded, the technicians' time is free, the request goes back to in progress (if it
    was waiting for this visit) so that a new visit can be booked; the customer is told,
    and so are whoever booked the visit and the request's assignee."""
    request, locked = _lock(visit)
    _require_technician(by, locked)
    _check_source(locked, "no_one_home")
    text = _required_text(note, "note", _("Say what you tried (rang, called, waited)."))
    _end(locked, V.NO_ONE_HOME, by=by, reason=text)
    changes = _after_ending(
        request, by, _("No one was home at the on-site visit; a new visit is to be booked.")
    )
    with timezone.override(settings.SERVICE_TIME_ZONE):
        at = timezone.localtime(locked.ended_at).strftime("%Y-%m-%d %H:%M")
    message = _("No one home at %(at)s for visit %(visit)s: %(note)s") % {
        "at": at,
        "visit": locked.pk,
        "note": text,
    }
    _event(request, by=by, verb="no_one_home", note=message, changes=changes)
    notices.customer_mail("no_one_home", locked)
    notices.staff_notify("no_one_home", locked, [locked.booked_by, request.assignee], by=by)
    return locked


@transaction.atomic
def visit_finish(visit: Visit, *, by: User, summary: str = "") -> Visit:
    """The technician is done on site (with what was done, if they say). The request stays
    in progress (or is started, if it was waiting for this visit) to be resolved."""
    request, locked = _lock(visit)
    _require_technician(by, locked)
    _check_source(locked, "finish")
    text = (summary or "").strip()
    if len(text) > TEXT_MAX:
        raise _refuse("summary", _("At most %(count)d characters.") % {"count": TEXT_MAX})
    _end(locked, V.DONE, by=by, summary=text)
    changes = _after_ending(request, by, _("The on-site visit is done."))
    message = _("On-site visit %(visit)s done.") % {"visit": locked.pk}
    if text:
        message += " " + text
    _event(request, by=by, verb="done", note=message, changes=changes)
    return locked


def visits_follow_request(request_id: int) -> int:
    """After a request changed (same transaction): a cancelled or closed request keeps no
    visit that has not begun on site; they are cancelled by the system, which frees the
    technicians' time and tells them. Returns how many."""
    waiting = list(
        Visit.objects.filter(
            service_request_id=request_id,
            status__in=[V.BOOKED, V.EN_ROUTE],
            service_request__status__in=[S.CANCELLED, S.CLOSED],
        ).select_related("service_request")
    )
    for visit in waiting:
        request = visit.service_request
        locked = Visit.objects.select_for_update().get(pk=visit.pk)
        if locked.status not in {V.BOOKED, V.EN_ROUTE}:
            continue
        people = technicians_of(locked)
        reason = _("The service request is %(status)s.") % {"status": request.get_status_display()}
        _end(locked, V.CANCELLED, by=None, reason=reason)
        note = _("On-site visit %(visit)s on %(window)s cancelled: %(reason)s") % {
            "visit": locked.pk,
            "window": _service_window(locked),
            "reason": reason,
        }
        _event(request, by=None, verb="cancelled", note=note)
        locked.service_request = request
        notices.staff_notify("cancelled", locked, people, by=None)
    return len(waiting)


# --- Leave -----------------------------------------------------------------------------------


@transaction.atomic
def leave_add(
    *,
    technician: User,
    start: datetime.datetime,
    end: datetime.datetime,
    by: User,
    reason: str = "",
) -> Leave:
    """Record an absence; visits are not booked into it (without an override). Visits
    already booked then stay: `leave_clashes` lists them for the dispatcher to move."""
    if not access.can_manage_leave(by, technician):
        raise NotAllowed(_("Only administrators and the technician's supervisors may enter leave."))
    if end <= start:
        raise _refuse("end", _("The leave must end after it starts."))
    if end - start > MAX_LEAVE:
        raise _refuse("end", _("Enter leave of at most a year at a time."))
    leave = Leave(technician=technician, start=start, end=end, reason=reason, created_by=by)
    try:
        leave.full_clean(exclude=["technician", "created_by"])
    except ValidationError as exc:
        raise DomainError(_("Some fields are not valid."), fields=exc.message_dict) from exc
    leave.save()
    return leave


def leave_clashes(leave: Leave) -> list[int]:
    """Active visits of the technician during the leave."""
    return list(
        VisitTechnician.objects.filter(
            technician_id=leave.technician_id,
            active=True,
            window_start__lt=leave.end,
            window_end__gt=leave.start,
        )
        .order_by("window_start")
        .values_list("visit_id", flat=True)
    )


@transaction.atomic
def leave_delete(leave: Leave, *, by: User) -> None:
    if not access.can_manage_leave(by, leave.technician):
        raise NotAllowed(
            _("Only administrators and the technician's supervisors may change leave.")
        )
    leave.delete()
