"""Daily rollups: the measures' additive parts per service day, kept so that a year of a
million requests is read from a few hundred thousand small rows instead of the requests.

- `build_day(day)`: the parts of one day from the requests (`measures.tallies_of_requests`,
  the same code the measures read with), summed into each cube (`CUBES`);
- `refresh(limit=)`: builds the days that are missing, built under other calendars or
  another time zone, or marked stale by the database triggers (`metrics/triggers.py`);
  Celery runs it every minute, `manage.py rollup_measures` all at once;
- `read(...)` / `read_daily(...)`: what `measures.tallies` and `measures.daily_series` take
  from the rollups, returning the spans they must still read from the requests.

The rollups never change a figure: a day is read from them only if it was built under the
current fingerprint (time zone, calendars) and no stale mark touches it; every other day is
read from the requests. The backlog (open now) is always counted on the requests.
"""

import datetime
import hashlib
from collections.abc import Callable, Collection, Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Min, Q, Sum
from django.utils import timezone

from aftersales.metrics import measures
from aftersales.metrics.models import MeasureRollup, RolledDay, StaleDay
from aftersales.service_requests.models import ServiceRequest
from aftersales.sla.models import Calendar

# Changing what a rollup row means: bump, and every day is rebuilt.
LAYOUT = 1
# The requests' team in every row, whatever the grouping: a supervisor's scope.
SCOPE_TEAM = measures.Dimension(
    "scope_team",
    "team_id",
    (),
    lambda values, key: str(key or ""),
    answer_field="response__request__team_id",
)
FINE = (
    SCOPE_TEAM,
    *(
        measures.DIMENSIONS[name]
        for name in (
            "team",
            "person",
            "channel",
            "kind",
            "category",
            "priority",
            "product_model",
            "batch",
        )
    ),
)
FINE_NAMES = tuple(d.name for d in FINE)
# Each cube keeps the parts per value of its dimensions (and of `scope_team`). A reading
# uses the first cube holding its grouping and filters, so the small ones come first.
# Region and customer are in none: too many values to gain anything, they are read from the
# requests.
CUBES: dict[str, tuple[str, ...]] = {
    "all": (),
    "channel": ("channel",),
    "category": ("category",),
    "kind": ("kind",),
    "team": ("team",),
    "team_priority": ("team", "priority"),
    "team_person": ("team", "person"),
    "team_product_model": ("team", "product_model"),
    "team_batch": ("team", "batch"),
    "team_kind_channel_category": ("team", "kind", "channel", "category"),
}
PARTS = tuple(
    name
    for name in measures._PARTS
    if name != "backlog" and name not in {bucket for bucket, _y, _o in measures.AGE_BUCKETS}
)
_SUMS = {f"sum_{name}": Sum(name) for name in PARTS}


def enabled() -> bool:
    return bool(getattr(settings, "MEASURE_ROLLUPS", True))


def cube_for(needed: Collection[str]) -> str | None:
    for name, dimensions in CUBES.items():
        if set(needed) <= set(dimensions):
            return name
    return None


def fingerprint() -> str:
    """What the parts depend on beyond the rows: the service time zone and every
    calendar's revision (business seconds)."""
    calendars = sorted(
        (pk, created.isoformat(), revision)
        for pk, created, revision in Calendar.objects.values_list("pk", "created_at", "revision")
    )
    text = repr((LAYOUT, settings.SERVICE_TIME_ZONE, calendars))
    return hashlib.sha256(text.encode()).hexdigest()


# --- Days ------------------------------------------------------------------------------------


def _days(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]


def utc_dates(day: datetime.date) -> list[datetime.date]:
    """The UTC dates that service day `day` overlaps (one or two)."""
    start, end = measures.bounds(day, day)
    first = start.astimezone(datetime.UTC).date()
    last = (end - datetime.timedelta(microseconds=1)).astimezone(datetime.UTC).date()
    return _days(first, last)


def service_days(utc_date: datetime.date) -> list[datetime.date]:
    """The service days that UTC date `utc_date` overlaps."""
    zone = measures.service_zone()
    start = datetime.datetime.combine(utc_date, datetime.time(), tzinfo=datetime.UTC)
    end = start + datetime.timedelta(days=1) - datetime.timedelta(microseconds=1)
    return _days(start.astimezone(zone).date(), end.astimezone(zone).date())


def runs(days: Iterable[datetime.date]) -> list[tuple[datetime.date, datetime.date]]:
    """Consecutive days as (first, last) runs."""
    result: list[tuple[datetime.date, datetime.date]] = []
    for day in sorted(days):
        if result and result[-1][1] + datetime.timedelta(days=1) == day:
            result[-1] = (result[-1][0], day)
        else:
            result.append((day, day))
    return result


def spans_of(days: Iterable[datetime.date]) -> list[measures.Span]:
    return [measures.bounds(first, last) for first, last in runs(days)]


def fresh_days(first: datetime.date, last: datetime.date) -> set[datetime.date]:
    """The days of [first, last] that the rollups hold as the requests are now."""
    built = dict(
        RolledDay.objects.filter(day__gte=first, day__lte=last).values_list("day", "fingerprint")
    )
    if not built:
        return set()
    current = fingerprint()
    built_days = {day for day, mark in built.items() if mark == current}
    if not built_days:
        return set()
    lowest, highest = utc_dates(min(built_days))[0], utc_dates(max(built_days))[-1]
    stale = set(
        StaleDay.objects.filter(day__gte=lowest, day__lte=highest).values_list("day", flat=True)
    )
    return {day for day in built_days if not stale.intersection(utc_dates(day))}


# --- Reading ---------------------------------------------------------------------------------


def _needed(filters: measures.Filters, *extra: str) -> set[str]:
    given = {
        d.name for d in measures.DIMENSIONS.values() if getattr(filters, d.name) not in (None, "")
    }
    return given | set(extra)


def _rows(
    cube: str,
    fresh: set[datetime.date],
    filters: measures.Filters,
    teams: Collection[int] | None,
) -> Any:
    in_fresh = Q(pk__in=[])
    for first, last in runs(fresh):
        in_fresh |= Q(day__gte=first, day__lte=last)
    qs = MeasureRollup.objects.filter(in_fresh, cube=cube).order_by()
    for dimension in measures.DIMENSIONS.values():
        value = getattr(filters, dimension.name)
        if value not in (None, ""):
            qs = qs.filter(**{dimension.name: value})
    return qs if teams is None else qs.filter(scope_team__in=list(teams))


def _parts(row: dict[str, Any]) -> dict[str, Any]:
    return {name: row[f"sum_{name}"] for name in PARTS}


def _fresh_rows(
    needed: set[str],
    first: datetime.date,
    last: datetime.date,
    filters: measures.Filters,
    teams: Collection[int] | None,
) -> tuple[Any, list[measures.Span]]:
    """The rollup rows of the fresh days of [first, last] in the cube that holds `needed`
    (None when no cube or day serves), and the spans left to read from the requests."""
    days = _days(first, last)
    cube = cube_for(needed)
    fresh = fresh_days(first, last) if cube is not None and enabled() else set()
    if not fresh:
        return None, spans_of(days)
    return _rows(cube, fresh, filters, teams), spans_of(d for d in days if d not in fresh)


def read(
    into: measures.Tallies,
    first: datetime.date,
    last: datetime.date,
    dimension: measures.Dimension | None,
    filters: measures.Filters,
    teams: Collection[int] | None,
) -> list[measures.Span]:
    """Add the parts of the fresh days to `into` (groups labelled later); return the spans
    left to read from the requests."""
    needed = _needed(filters, *([dimension.name] if dimension else []))
    rows, spans = _fresh_rows(needed, first, last, filters, teams)
    if rows is None:
        return spans
    dimensions = (dimension,) if dimension else ()
    if dimension is None:
        measures._group(into, dimensions, None, None).take(_parts(rows.aggregate(**_SUMS)))
    else:
        for row in rows.values(dimension.name).annotate(**_SUMS):
            measures._group(into, dimensions, row[dimension.name], None).take(_parts(row))
    return spans


def read_daily(
    days: dict[datetime.date, dict[str, Any]],
    intake_add: Callable[[datetime.date, str, int], None],
    first: datetime.date,
    last: datetime.date,
    filters: measures.Filters,
    teams: Collection[int] | None,
) -> list[measures.Span]:
    """`measures.daily_series`' figures of the fresh days, by day and channel; return the
    spans left to read from the requests."""
    rows, spans = _fresh_rows(_needed(filters, "channel"), first, last, filters, teams)
    if rows is None:
        return spans
    for row in rows.values("day", "channel").annotate(**_SUMS):
        parts = _parts(row)
        if parts["received"]:
            intake_add(row["day"], row["channel"], parts["received"])
        days[row["day"]]["tally"].take({k: v for k, v in parts.items() if k != "received"})
    return spans


# --- Building --------------------------------------------------------------------------------


def build_day(day: datetime.date, mark: str | None = None) -> int:
    """Replace the rollups of service day `day`; the number of rows written."""
    mark = mark or fingerprint()
    parts = measures.tallies_of_requests((measures.bounds(day, day),), FINE)
    rows = []
    for cube, names in CUBES.items():
        positions = [FINE_NAMES.index(name) for name in ("scope_team", *names)]
        summed: dict[tuple[Any, ...], measures.Tally] = {}
        for key, group in parts.items():
            summed.setdefault(tuple(key[i] for i in positions), measures.Tally()).add(group.tally)
        for key, tally in summed.items():
            rows.append(
                MeasureRollup(
                    day=day,
                    cube=cube,
                    **dict(zip(("scope_team", *names), key, strict=True)),
                    **{name: getattr(tally, name) for name in PARTS},
                )
            )
    with transaction.atomic():
        MeasureRollup.objects.filter(day=day).delete()
        MeasureRollup.objects.bulk_create(rows, batch_size=2000)
        RolledDay.objects.update_or_create(
            day=day, defaults={"fingerprint": mark, "built_at": timezone.now()}
        )
    return len(rows)


def _today() -> datetime.date:
    return timezone.now().astimezone(measures.service_zone()).date()


def refresh(
    *, limit: int | None = None, progress: Callable[[int, int], None] | None = None
) -> dict[str, int]:
    """Build the days that need it, newest first, at most `limit`; clear the stale marks
    whose days were all rebuilt (only if not marked again meanwhile)."""
    mark = fingerprint()
    stale = dict(StaleDay.objects.values_list("day", "version"))
    earliest = ServiceRequest.objects.aggregate(first=Min("received_at"))["first"]
    needed: set[datetime.date] = set()
    if earliest is not None:
        today = _today()
        first = min(earliest.astimezone(measures.service_zone()).date(), today)
        current = set(
            RolledDay.objects.filter(fingerprint=mark, day__gte=first).values_list("day", flat=True)
        )
        needed = {day for day in _days(first, today) if day not in current}
    by_mark = {utc_date: service_days(utc_date) for utc_date in stale}
    for days in by_mark.values():
        needed.update(days)
    order = sorted(needed, reverse=True)
    chosen = order if limit is None else order[:limit]
    rows = 0
    for number, day in enumerate(chosen, 1):
        rows += build_day(day, mark)
        if progress:
            progress(number, len(chosen))
    built = set(chosen)
    cleared = 0
    for utc_date, days in by_mark.items():
        if built.issuperset(days):
            cleared += StaleDay.objects.filter(day=utc_date, version=stale[utc_date]).delete()[0]
    return {"days": len(chosen), "rows": rows, "left": len(order) - len(chosen), "cleared": cleared}
