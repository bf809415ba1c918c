"""Which policy applies, and when each target is due, from the configuration in the database.

The arithmetic is `sla.calendar` (pure); this module only turns rows into calendar specs
(cached per calendar revision) and picks the policy.
"""

import datetime
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aftersales.sla import calendar as business
from aftersales.sla.models import Calendar, SlaPolicy, SlaTarget

Pause = tuple[datetime.datetime, datetime.datetime | None]

# Keyed by the calendar's creation time too: SQLite gives a new row the id of a deleted
# last one, and a new calendar starts at revision 1 again.
_CLOCKS: dict[tuple[int, Any, int], business.BusinessClock] = {}


def _minutes(value: datetime.time, *, is_end: bool) -> int:
    minutes = value.hour * 60 + value.minute
    return 1440 if is_end and minutes == 0 else minutes


def _parse_period(pair: Sequence[str]) -> tuple[int, int]:
    start, end = (datetime.time.fromisoformat(p) for p in pair)
    return _minutes(start, is_end=False), _minutes(end, is_end=True)


def calendar_spec(calendar: Calendar) -> business.CalendarSpec:
    weekly: dict[int, list[tuple[int, int]]] = {d: [] for d in range(7)}
    for period in calendar.periods.all():
        weekly[period.weekday].append(
            (_minutes(period.start, is_end=False), _minutes(period.end, is_end=True))
        )
    # A make-up working day without its own periods keeps the normal working day's hours.
    normal_day = next((tuple(sorted(p)) for d, p in sorted(weekly.items()) if p), ())
    exceptions: dict[datetime.date, tuple[tuple[int, int], ...]] = {}
    for exception in calendar.exceptions.all():
        if not exception.working:
            exceptions[exception.date] = ()
        elif exception.periods:
            exceptions[exception.date] = tuple(sorted(_parse_period(p) for p in exception.periods))
        else:
            exceptions[exception.date] = normal_day
    return business.CalendarSpec(
        time_zone=calendar.time_zone,
        weekly={d: tuple(sorted(p)) for d, p in weekly.items()},
        exceptions=exceptions,
        always_open=calendar.always_open,
    )


def clock_for(calendar: Calendar) -> business.BusinessClock:
    key = (calendar.pk, calendar.created_at, calendar.revision)
    clock = _CLOCKS.get(key)
    if clock is None:
        fresh = Calendar.objects.prefetch_related("periods", "exceptions").get(pk=calendar.pk)
        clock = business.BusinessClock(calendar_spec(fresh))
        _CLOCKS[(fresh.pk, fresh.created_at, fresh.revision)] = clock
    return clock


def _matches(
    policy: SlaPolicy, *, kind: str, category: str, channel: str, priority: str, customer_id: int
) -> bool:
    if policy.kinds and kind not in policy.kinds:
        return False
    if policy.categories and category not in policy.categories:
        return False
    if policy.channels and channel not in policy.channels:
        return False
    if policy.priorities and priority not in policy.priorities:
        return False
    customer_ids = [c.pk for c in policy.customers.all()]
    return not customer_ids or customer_id in customer_ids


@dataclass(frozen=True)
class PolicySnapshot:
    """The active policies with their targets, read once: what a recomputation of many
    requests consults for each of them without a query."""

    policies: tuple[tuple[SlaPolicy, dict[str, SlaTarget]], ...]

    @classmethod
    def load(cls) -> "PolicySnapshot":
        policies = (
            SlaPolicy.objects.filter(is_active=True)
            .prefetch_related("customers")
            .order_by("order", "id")
        )
        targets: dict[int, dict[str, SlaTarget]] = {}
        for target in SlaTarget.objects.filter(policy__is_active=True).select_related(
            "policy", "first_response_calendar", "resolution_calendar"
        ):
            targets.setdefault(target.policy_id, {})[target.priority] = target
        return cls(tuple((p, targets.get(p.pk, {})) for p in policies))

    def target_for(
        self, *, kind: str, category: str, channel: str, priority: str, customer_id: int
    ) -> SlaTarget | None:
        for policy, targets in self.policies:
            if priority in targets and _matches(
                policy,
                kind=kind,
                category=category,
                channel=channel,
                priority=priority,
                customer_id=customer_id,
            ):
                return targets[priority]
        return None


def target_for(
    *,
    kind: str,
    category: str,
    channel: str,
    priority: str,
    customer_id: int,
    snapshot: PolicySnapshot | None = None,
) -> SlaTarget | None:
    """The target of the first active policy (by order) that matches and has this priority."""
    return (snapshot or PolicySnapshot.load()).target_for(
        kind=kind, category=category, channel=channel, priority=priority, customer_id=customer_id
    )


@dataclass(frozen=True)
class DueTimes:
    target: SlaTarget | None
    first_response_due: datetime.datetime | None
    resolution_due: datetime.datetime | None


def due_times(
    *,
    received_at: datetime.datetime,
    kind: str,
    category: str,
    channel: str,
    priority: str,
    customer_id: int,
    pauses: Sequence[Pause] = (),
    snapshot: PolicySnapshot | None = None,
) -> DueTimes:
    """Due times from `received_at`; time in `pauses` (waiting for the customer) does not
    count towards resolution. A pause still running leaves the resolution due open (None)."""
    target = target_for(
        kind=kind,
        category=category,
        channel=channel,
        priority=priority,
        customer_id=customer_id,
        snapshot=snapshot,
    )
    if target is None:
        return DueTimes(None, None, None)
    first_clock = clock_for(target.first_response_calendar)
    resolution_clock = clock_for(target.resolution_calendar)
    first_due = first_clock.add(received_at, target.first_response_minutes * 60)
    resolution_due = business.due_with_pauses(
        resolution_clock, received_at, target.resolution_minutes * 60, pauses
    )
    return DueTimes(target, first_due, resolution_due)


def business_seconds(
    calendar: Calendar,
    start: datetime.datetime,
    end: datetime.datetime,
    pauses: Sequence[Pause] = (),
) -> int:
    return business.elapsed_excluding(clock_for(calendar), start, end, pauses)


def missing_holiday_years(
    calendar: Calendar, start: datetime.datetime, end: datetime.datetime
) -> list[int]:
    """Years between start and end for which a holiday calendar has no complete data."""
    if not calendar.holiday_region or calendar.always_open:
        return []
    tz = zoneinfo.ZoneInfo(calendar.time_zone)
    years = set(range(start.astimezone(tz).year, end.astimezone(tz).year + 1))
    complete = set(calendar.holiday_years.filter(complete=True).values_list("year", flat=True))
    return sorted(years - complete)
