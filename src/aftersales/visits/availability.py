"""A technician's calendar: working hours from their team's calendar, leave, booked visits.

Reads only. The interval arithmetic is `visits.slots` (pure); the working periods come
from `sla` (the same calendars the SLA clock runs on, holidays and make-up days included).
"""

import datetime
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q

from aftersales.accounts.models import User
from aftersales.sla import engine
from aftersales.sla.defaults import WORKING_HOURS
from aftersales.sla.models import Calendar
from aftersales.visits import slots
from aftersales.visits.models import Leave, TeamSchedule, VisitTechnician

Interval = slots.Interval
DEFAULT_LENGTH = datetime.timedelta(hours=2)


def calendar_for(technician: User) -> Calendar | None:
    """The calendar of the technician's first team (by id) that has one, else the shipped
    working hours (工作时间); None only if an administrator deleted that too."""
    schedule = (
        TeamSchedule.objects.select_related("calendar")
        .filter(team__members=technician)
        .order_by("team_id")
        .first()
    )
    if schedule is not None:
        return schedule.calendar
    return Calendar.objects.filter(name=WORKING_HOURS).first()


def _zone(calendar: Calendar | None) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(calendar.time_zone if calendar else settings.SERVICE_TIME_ZONE)


def day_bounds(day: datetime.date, zone: zoneinfo.ZoneInfo) -> Interval:
    start = datetime.datetime.combine(day, datetime.time(), tzinfo=zone)
    end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), tzinfo=zone)
    return start, end


def working_intervals(calendar: Calendar | None, day: datetime.date) -> list[Interval]:
    """The working periods of a local date of `calendar` (the whole day without one)."""
    zone = _zone(calendar)
    if calendar is None:
        return [day_bounds(day, zone)]
    spec = engine.clock_for(calendar).spec
    intervals = []
    for start_minute, end_minute in spec.periods_on(day):
        start = datetime.datetime.combine(day, datetime.time(), tzinfo=zone) + datetime.timedelta(
            minutes=start_minute
        )
        intervals.append((start, start + datetime.timedelta(minutes=end_minute - start_minute)))
    return intervals


def within_working_hours(
    calendar: Calendar | None, start: datetime.datetime, end: datetime.datetime
) -> bool:
    """Whether all of [start, end) is working time of `calendar`."""
    if calendar is None:
        return True
    clock = engine.clock_for(calendar)
    return clock.elapsed(start, end) == int((end - start).total_seconds())


def leave_overlapping(
    technician: User, start: datetime.datetime, end: datetime.datetime
) -> Leave | None:
    return (
        Leave.objects.filter(technician=technician, start__lt=end, end__gt=start)
        .order_by("start")
        .first()
    )


def booking_overlapping(
    technician: User,
    start: datetime.datetime,
    end: datetime.datetime,
) -> VisitTechnician | None:
    """An active booking of the technician whose window overlaps [start, end)."""
    return (
        VisitTechnician.objects.select_related("visit__service_request")
        .filter(technician=technician, active=True, window_start__lt=end, window_end__gt=start)
        .order_by("window_start")
        .first()
    )


def busy_intervals(technician: User, start: datetime.datetime, end: datetime.datetime) -> list:
    """Active visits and leave of the technician that touch [start, end)."""
    overlapping = Q(start__lt=end, end__gt=start)
    leaves = Leave.objects.filter(overlapping, technician=technician).values_list("start", "end")
    visits = VisitTechnician.objects.filter(
        technician=technician, active=True, window_start__lt=end, window_end__gt=start
    ).values_list("window_start", "window_end")
    return [*leaves, *visits]


@dataclass
class FreeTime:
    """A technician's (or several technicians' shared) day: what to offer the customer."""

    day: datetime.date
    time_zone: str
    working: list[Interval]
    free: list[Interval]
    suggested: list[Interval]


def free_time(
    technicians: list[User],
    day: datetime.date,
    *,
    length: datetime.timedelta = DEFAULT_LENGTH,
    now: datetime.datetime | None = None,
) -> FreeTime:
    """When all of `technicians` work and are free on `day`, and windows of `length` to
    suggest (none before `now`). The day is a date in the first technician's calendar's
    time zone."""
    calendars = [calendar_for(t) for t in technicians]
    zone = _zone(calendars[0] if calendars else None)
    bounds = day_bounds(day, zone)
    working: list[Interval] | None = None
    free: list[Interval] | None = None
    for technician, calendar in zip(technicians, calendars, strict=True):
        own_working = working_intervals(calendar, day)
        own_free = slots.free_intervals(
            own_working, busy_intervals(technician, *bounds), not_before=now
        )
        working = own_working if working is None else slots.intersect(working, own_working)
        free = own_free if free is None else slots.intersect(free, own_free)
    working, free = working or [], free or []
    local = [(s.astimezone(zone), e.astimezone(zone)) for s, e in free]
    return FreeTime(
        day=day,
        time_zone=str(zone),
        working=[(s.astimezone(zone), e.astimezone(zone)) for s, e in working],
        free=local,
        suggested=slots.suggest_windows(local, length=length),
    )
