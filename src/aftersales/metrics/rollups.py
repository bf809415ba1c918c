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
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Min, Q, Sum
from django.utils import timezone

from aftersales.core import bulk
from aftersales.metrics import measures
from aftersales.metrics.models import MeasureRollup, RolledDay, RolledMonth, StaleDay
from aftersales.service_requests.models import ServiceRequest
from aftersales.sla.models import Calendar

# Changing what a rollup row means: bump, and every day is rebuilt (changing the cubes does
# that by itself: they are part of the fingerprint).
LAYOUT = 2
# The requests' team, kept in the scoped cubes' rows whatever the grouping: what a
# supervisor's scope filters on.
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


@dataclass(frozen=True)
class Cube:
    """The parts per day and per value of `dimensions`; per `scope_team` too when `scoped`
    (read for a scope of teams), else summed over every team (read without one)."""

    dimensions: tuple[str, ...]
    scoped: bool


# A reading uses the first cube holding its grouping and filters (and its scope, if any), so
# the small ones come first. Region and customer are in none: too many values to gain
# anything, they are read from the requests.
CUBES: dict[str, Cube] = {
    "all": Cube((), scoped=False),
    "channel": Cube(("channel",), scoped=False),
    "category": Cube(("category",), scoped=False),
    "kind": Cube(("kind",), scoped=False),
    "priority": Cube(("priority",), scoped=False),
    "team": Cube(("team",), scoped=True),
    "product_model": Cube(("product_model",), scoped=False),
    "kind_channel_category": Cube(("kind", "channel", "category"), scoped=False),
    "team_channel": Cube(("team", "channel"), scoped=True),
    "team_priority": Cube(("team", "priority"), scoped=True),
    "team_person": Cube(("team", "person"), scoped=True),
    "team_product_model": Cube(("team", "product_model"), scoped=True),
    "batch": Cube(("batch",), scoped=False),
    "team_kind_channel_category": Cube(("team", "kind", "channel", "category"), scoped=True),
    "team_batch": Cube(("team", "batch"), scoped=True),
}
PARTS = tuple(
    name
    for name in measures._PARTS
    if name != "backlog" and name not in {bucket for bucket, _y, _o in measures.AGE_BUCKETS}
)


def enabled() -> bool:
    return bool(getattr(settings, "MEASURE_ROLLUPS", True))


def cube_for(needed: Collection[str], *, scoped: bool = False) -> str | None:
    """The first cube holding the dimensions `needed` (and the scope, if `scoped`)."""
    for name, cube in CUBES.items():
        if set(needed) <= set(cube.dimensions) and (cube.scoped or not scoped):
            return name
    return None


def fingerprint() -> str:
    """What the rows depend on beyond the requests: their layout and cubes, the service time
    zone and every calendar's revision (business seconds)."""
    calendars = sorted(
        (pk, created.isoformat(), revision)
        for pk, created, revision in Calendar.objects.values_list("pk", "created_at", "revision")
    )
    text = repr((LAYOUT, sorted(CUBES.items()), settings.SERVICE_TIME_ZONE, calendars))
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


def _month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _month_days(month: datetime.date) -> list[datetime.date]:
    following = (month + datetime.timedelta(days=32)).replace(day=1)
    return _days(month, following - datetime.timedelta(days=1))


def whole_months(fresh: set[datetime.date]) -> set[datetime.date]:
    """The months all of whose days are fresh and whose month rows are built."""
    candidates = {
        month
        for month in {_month_start(day) for day in fresh}
        if fresh.issuperset(_month_days(month))
    }
    if not candidates:
        return set()
    return set(RolledMonth.objects.filter(month__in=candidates).values_list("month", flat=True))


def _rows(
    cube: str,
    fresh: set[datetime.date],
    filters: measures.Filters,
    teams: Collection[int] | None,
    *,
    by_month: bool,
) -> Any:
    """The cube's rows of the fresh days: the month rows of their whole months (`by_month`)
    and the daily rows of the rest."""
    months = whole_months(fresh) if by_month else set()
    daily = {day for day in fresh if _month_start(day) not in months}
    in_fresh = Q(whole_month=True, day__in=sorted(months)) if months else Q(pk__in=[])
    for first, last in runs(daily):
        in_fresh |= Q(whole_month=False, day__gte=first, day__lte=last)
    qs = MeasureRollup.objects.filter(in_fresh, cube=cube).order_by()
    for dimension in measures.DIMENSIONS.values():
        value = getattr(filters, dimension.name)
        if value not in (None, ""):
            qs = qs.filter(**{dimension.name: value})
    return qs if teams is None else qs.filter(scope_team__in=list(teams))


def _sums(parts: Collection[str]) -> dict[str, Sum]:
    return {f"sum_{name}": Sum(name) for name in parts}


def _parts(row: dict[str, Any], parts: Collection[str] = PARTS) -> dict[str, Any]:
    return {name: row[f"sum_{name}"] for name in parts}


def _fresh_rows(
    needed: set[str],
    first: datetime.date,
    last: datetime.date,
    filters: measures.Filters,
    teams: Collection[int] | None,
    *,
    by_month: bool,
) -> tuple[Any, list[measures.Span]]:
    """The rollup rows of the fresh days of [first, last] in the cube that holds `needed`
    (None when no cube or day serves), and the spans left to read from the requests."""
    days = _days(first, last)
    cube = cube_for(needed, scoped=teams is not None)
    fresh = fresh_days(first, last) if cube is not None and enabled() else set()
    if not fresh:
        return None, spans_of(days)
    rows = _rows(cube, fresh, filters, teams, by_month=by_month)
    return rows, spans_of(d for d in days if d not in fresh)


def read(
    into: measures.Tallies,
    first: datetime.date,
    last: datetime.date,
    dimension: measures.Dimension | None,
    filters: measures.Filters,
    teams: Collection[int] | None,
    parts: Collection[str] = PARTS,
) -> list[measures.Span]:
    """Add the `parts` of the fresh days to `into` (groups labelled later); return the spans
    left to read from the requests."""
    needed = _needed(filters, *([dimension.name] if dimension else []))
    rows, spans = _fresh_rows(needed, first, last, filters, teams, by_month=True)
    if rows is None:
        return spans
    dimensions = (dimension,) if dimension else ()
    sums = _sums(parts)
    if dimension is None:
        total = rows.aggregate(**sums)
        measures._group(into, dimensions, None, None).take(_parts(total, parts))
    else:
        for row in rows.values(dimension.name).annotate(**sums):
            group = measures._group(into, dimensions, row[dimension.name], None)
            group.take(_parts(row, parts))
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
    needed = _needed(filters, "channel")
    rows, spans = _fresh_rows(needed, first, last, filters, teams, by_month=False)
    if rows is None:
        return spans
    for row in rows.values("day", "channel").annotate(**_sums(PARTS)):
        parts = _parts(row)
        if parts["received"]:
            intake_add(row["day"], row["channel"], parts["received"])
        days[row["day"]]["tally"].take({k: v for k, v in parts.items() if k != "received"})
    return spans


# --- Building --------------------------------------------------------------------------------


# Days built from one reading of the requests (a query per part covers them all).
DAYS_PER_BUILD = 31


def _cube_rows(
    parts: measures.Tallies, positions_by_cube: dict[str, list[int]]
) -> Iterable[tuple[datetime.date, str, dict[str, Any], list[int]]]:
    """(day, cube, key values, parts in PARTS' order) per cube row, summed from the fine
    groups keyed (day, *FINE)."""
    vectors = [
        (key, [getattr(group.tally, name) for name in PARTS]) for key, group in parts.items()
    ]
    for cube, positions in positions_by_cube.items():
        summed: dict[tuple[Any, ...], list[int]] = {}
        for key, values in vectors:
            cube_key = (key[0], *(key[1 + i] for i in positions))
            total = summed.get(cube_key)
            if total is None:
                summed[cube_key] = list(values)
            else:
                summed[cube_key] = [a + b for a, b in zip(total, values, strict=True)]
        names = [FINE_NAMES[i] for i in positions]
        for cube_key, values in summed.items():
            yield cube_key[0], cube, dict(zip(names, cube_key[1:], strict=True)), values


def _positions() -> dict[str, list[int]]:
    return {
        name: [
            FINE_NAMES.index(d) for d in (("scope_team",) if cube.scoped else ()) + cube.dimensions
        ]
        for name, cube in CUBES.items()
    }


def build_days(first: datetime.date, last: datetime.date, mark: str | None = None) -> int:
    """Replace the rollups of the service days [first, last] (and drop the month rows of
    their months); the number of rows written."""
    mark = mark or fingerprint()
    parts = measures.tallies_of_requests((measures.bounds(first, last),), FINE)
    rows = [
        {"day": day, "cube": cube, **key, **dict(zip(PARTS, values, strict=True))}
        for day, cube, key, values in _cube_rows(parts, _positions())
    ]
    months = sorted({_month_start(day) for day in _days(first, last)})
    built_at = timezone.now()
    with transaction.atomic():
        # One builder at a time (two overlapping runs would both insert a day's rows).
        bulk.lock(MeasureRollup)
        MeasureRollup.objects.filter(
            Q(whole_month=False, day__gte=first, day__lte=last)
            | Q(whole_month=True, day__in=months)
        ).delete()
        RolledMonth.objects.filter(month__in=months).delete()
        bulk.Table(MeasureRollup, generated_pk=True).write(rows)
        RolledDay.objects.filter(day__gte=first, day__lte=last).delete()
        RolledDay.objects.bulk_create(
            RolledDay(day=day, fingerprint=mark, built_at=built_at) for day in _days(first, last)
        )
    return len(rows)


def build_day(day: datetime.date, mark: str | None = None) -> int:
    return build_days(day, day, mark)


def build_month(month: datetime.date) -> int:
    """Sum the daily rows of `month` (its first day) into its month rows; the number of rows
    written."""
    days = _month_days(month)
    with transaction.atomic():
        bulk.lock(MeasureRollup)
        daily = (
            MeasureRollup.objects.filter(whole_month=False, day__gte=days[0], day__lte=days[-1])
            .order_by()
            .values("cube", *FINE_NAMES)
            .annotate(**_sums(PARTS))
        )
        rows = [
            {
                "day": month,
                "whole_month": True,
                "cube": row["cube"],
                **{name: row[name] for name in FINE_NAMES},
                **_parts(row),
            }
            for row in daily.iterator(chunk_size=5000)
        ]
        MeasureRollup.objects.filter(whole_month=True, day=month).delete()
        bulk.Table(MeasureRollup, generated_pk=True).write(rows)
        RolledMonth.objects.update_or_create(month=month, defaults={"built_at": timezone.now()})
    return len(rows)


def months_to_build(mark: str) -> list[datetime.date]:
    """The months over before today, all of whose days are built under `mark`, without month
    rows."""
    month_ends = _month_start(_today())
    built = RolledDay.objects.filter(fingerprint=mark, day__lt=month_ends).values_list(
        "day", flat=True
    )
    by_month: dict[datetime.date, int] = {}
    for day in built:
        by_month[_month_start(day)] = by_month.get(_month_start(day), 0) + 1
    have = set(RolledMonth.objects.values_list("month", flat=True))
    return sorted(
        (
            month
            for month, count in by_month.items()
            if month not in have and count == len(_month_days(month))
        ),
        reverse=True,
    )


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
        # From the first of its month: the months are summed once all their days are built.
        first = _month_start(min(earliest.astimezone(measures.service_zone()).date(), today))
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
    done = 0
    for run_first, run_last in sorted(runs(chosen), reverse=True):
        while run_last >= run_first:
            start = max(run_first, run_last - datetime.timedelta(days=DAYS_PER_BUILD - 1))
            rows += build_days(start, run_last, mark)
            done += (run_last - start).days + 1
            if progress:
                progress(done, len(chosen))
            run_last = start - datetime.timedelta(days=1)
    built = set(chosen)
    cleared = 0
    for utc_date, days in by_mark.items():
        if built.issuperset(days):
            cleared += StaleDay.objects.filter(day=utc_date, version=stale[utc_date]).delete()[0]
    months = months_to_build(mark)
    for month in months:
        rows += build_month(month)
    return {
        "days": len(chosen),
        "months": len(months),
        "rows": rows,
        "left": len(order) - len(chosen),
        "cleared": cleared,
    }
