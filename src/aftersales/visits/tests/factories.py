"""Visits for tests: booked through the real service, or (`make_visit_rows`) written directly
where a test needs a visit without the lifecycle effects of booking."""

import datetime
import zoneinfo
from typing import Any

from aftersales.accounts.models import User
from aftersales.service_requests.models import ServiceRequest
from aftersales.visits import services
from aftersales.visits.models import Visit, VisitTechnician

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# A Monday that is a working day on the Chinese calendar (not a holiday, not 调休).
MONDAY = datetime.date(2026, 3, 2)


def local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=SHANGHAI)


def window(
    day: datetime.date = MONDAY, start: tuple[int, int] = (10, 0), end: tuple[int, int] = (12, 0)
) -> tuple[datetime.datetime, datetime.datetime]:
    return local(day, *start), local(day, *end)


def book(
    request: ServiceRequest,
    *,
    by: User,
    technicians: list[User],
    day: datetime.date = MONDAY,
    start: tuple[int, int] = (10, 0),
    end: tuple[int, int] = (12, 0),
    **extra: Any,
) -> Visit:
    window_start, window_end = window(day, start, end)
    return services.visit_book(
        service_request=request,
        technicians=technicians,
        window_start=window_start,
        window_end=window_end,
        by=by,
        **extra,
    )


def make_visit_rows(
    request: ServiceRequest,
    *,
    technicians: list[User],
    window_start: datetime.datetime,
    window_end: datetime.datetime,
    booked_by: User | None = None,
) -> Visit:
    """A booked visit written directly: the request's state is left as it is."""
    visit = Visit.objects.create(
        service_request=request,
        window_start=window_start,
        window_end=window_end,
        address=request.address,
        booked_by=booked_by,
        outside_hours=True,
    )
    VisitTechnician.objects.bulk_create(
        VisitTechnician(
            visit=visit, technician=person, window_start=window_start, window_end=window_end
        )
        for person in technicians
    )
    return visit
