"""Demo visits: field service hours for the field teams, visits of the field technicians
for today and tomorrow (today's finished ones worked through), and one afternoon of leave.

Built through the services, like the rest of the demo, on the demo's simulated clock: the
bookings are made early this morning and today's past visits are worked at their times, so
nothing is stamped later than the real now. Called by `core.demo.demo_seed` once the
requests exist.
"""

import datetime
import zoneinfo
from typing import Any

from django.conf import settings

from aftersales.accounts.models import Team, User
from aftersales.core.errors import DomainError
from aftersales.service_requests.models import ServiceRequest
from aftersales.sla.models import Calendar, CalendarPeriod
from aftersales.visits import services
from aftersales.visits.models import Leave, TeamSchedule, Visit

FIELD_HOURS = "上门服务时间"
FIELD_TEAMS = ("field_north", "field_south")
TECHNICIANS = ("tech1", "tech2", "tech3", "tech4")
# (day: 0 today, 1 tomorrow; from hour; until hour)
PLAN = [(0, 9, 11), (0, 14, 16), (1, 10, 12)]
SUMMARIES = ["更换启动电容后试机正常", "清洗滤网并补充冷媒，制冷恢复", "更换点火针，点火正常"]
# Requests a technician would go out for, those being worked first.
WAITING = (
    ServiceRequest.Status.ASSIGNED,
    ServiceRequest.Status.IN_PROGRESS,
    ServiceRequest.Status.SCHEDULED,
    ServiceRequest.Status.REOPENED,
    ServiceRequest.Status.PENDING_CUSTOMER,
)


def _field_calendar() -> Calendar:
    """Home visits happen on weekends too: every day, 09:00–12:00 and 13:00–18:00."""
    calendar = Calendar.objects.create(
        name=FIELD_HOURS, name_en="Field service hours", time_zone=settings.SERVICE_TIME_ZONE
    )
    CalendarPeriod.objects.bulk_create(
        CalendarPeriod(calendar=calendar, weekday=weekday, start=start, end=end)
        for weekday in range(7)
        for start, end in [
            (datetime.time(9), datetime.time(12)),
            (datetime.time(13), datetime.time(18)),
        ]
    )
    return calendar


def visits_demo_seed(
    *,
    teams: dict[str, Team],
    staff: dict[str, User],
    lead_of: dict[str, User],
    clock: Any,
    anchor: datetime.datetime,
) -> int:
    """Book the demo visits; `clock.moment` is set to each step's time. Returns how many."""
    calendar = _field_calendar()
    for key in FIELD_TEAMS:
        TeamSchedule.objects.create(team=teams[key], calendar=calendar)
    zone = zoneinfo.ZoneInfo(settings.SERVICE_TIME_ZONE)
    today = anchor.astimezone(zone).date()

    def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
        moment = datetime.datetime.combine(today, datetime.time(hour, minute), tzinfo=zone)
        return moment + datetime.timedelta(days=day)

    dispatcher = staff["agent1"]
    clock.moment = min(anchor, at(0, 7))
    booked: list[Visit] = []
    for username in TECHNICIANS:
        technician = staff.get(username)
        if technician is None:
            continue
        requests = list(
            ServiceRequest.objects.filter(assignee=technician, status__in=WAITING).order_by(
                "-received_at"
            )
        )
        requests.sort(key=lambda r: WAITING.index(r.status))
        if not requests:
            continue
        # Fewer requests than visits: the first gets a follow-up visit.
        for index, (day, start, end) in enumerate(PLAN):
            request = requests[index % len(requests)]
            if at(day, start) <= clock.moment:
                continue  # the demo was built after that window had begun
            try:
                visit = services.visit_book(
                    service_request=request,
                    technicians=[technician],
                    window_start=at(day, start),
                    window_end=at(day, end),
                    notes="请提前电话联系客户" if start < 12 else "",
                    by=dispatcher,
                )
            except DomainError:
                continue
            booked.append(visit)

    # Today's visits that began by now were worked, at their times: set off 25 minutes
    # before the window, on site 10 minutes into it, done 20 minutes before its end.
    for index, visit in enumerate(booked):
        technician = visit.technicians.get()
        steps = [
            (visit.window_start - datetime.timedelta(minutes=25), "start"),
            (visit.window_start + datetime.timedelta(minutes=10), "arrive"),
            (visit.window_end - datetime.timedelta(minutes=20), "finish"),
        ]
        for moment, step in steps:
            if moment > anchor:
                break
            clock.moment = moment
            if step == "finish":
                summary = SUMMARIES[index % len(SUMMARIES)]
                services.visit_finish(visit, by=technician, summary=summary)
            else:
                services.visit_start(visit, by=technician, on_site=step == "arrive")
    clock.moment = None

    if "tech2" in staff:
        Leave.objects.create(
            technician=staff["tech2"],
            start=at(1, 13),
            end=at(1, 18),
            reason="厂家新品培训",
            created_by=lead_of.get("field_north"),
        )
    return len(booked)
