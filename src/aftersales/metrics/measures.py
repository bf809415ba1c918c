"""The measures of SPEC §5 for a period and a grouping: the one module that the API, the
pages and the dashboards read. Each measure's definition is in `docs/measures.md`.

- `compute(period_from, period_to, group_by=..., filters=..., teams=...)`: one row per group
  with every measure;
- `tallies(...)` + `rows_of(...)` / `total_of(...)`: the same, keeping the additive parts (the
  API shows the rows and their total from one reading);
- `daily_series(...)`: per day, intake by channel, SLA compliance and satisfaction (trends).

Every figure is made of additive parts (a `Tally`: counts, sums of seconds, sums of scores)
read from the database grouped by the dimension asked for; rates and means are made from the
parts at the end, as exact decimals. So a daily rollup table holding the same parts per day
and dimension could feed `rows_of` in place of the raw tables. The number of queries depends
on the measures, not on the number of requests or groups.

Periods are whole days in the service time zone (`settings.SERVICE_TIME_ZONE`), both ends
included.
"""

import datetime
import zoneinfo
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from aftersales.service_requests.models import (
    Category,
    Channel,
    Kind,
    Priority,
    ServiceRequest,
    Status,
)
from aftersales.sla import engine
from aftersales.sla.models import Calendar
from aftersales.surveys.models import Answer, QuestionKind

S = Status
# Finished work: `closed` keeps the time it was resolved.
DONE = (S.RESOLVED, S.CLOSED)
OPEN = ServiceRequest.OPEN_STATUSES
# Backlog ages (days since received): [from, to), the last open-ended.
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("days_0_1", 0, 1),
    ("days_1_3", 1, 3),
    ("days_3_7", 3, 7),
    ("days_7_30", 7, 30),
    ("days_30_plus", 30, None),
)
# An answer's request, seen from the Answer table.
_OF_ANSWER = "response__request__"


# --- Dimensions ----------------------------------------------------------------------------


def _first(values: tuple[Any, ...], key: Any) -> str:
    return str(values[0]) if values and values[0] is not None else ""


def _person(values: tuple[Any, ...], key: Any) -> str:
    first, last, username = values
    return f"{first or ''} {last or ''}".strip() or (username or "")


def _choice(choices: Any) -> Callable[[tuple[Any, ...], Any], str]:
    def label(values: tuple[Any, ...], key: Any) -> str:
        return str(choices(key).label) if key in choices.values else str(key or "")

    return label


def _itself(values: tuple[Any, ...], key: Any) -> str:
    return str(key or "")


@dataclass(frozen=True)
class Dimension:
    """What requests are grouped or filtered by: the key's field on ServiceRequest, the
    fields its label is made of, and — for satisfaction by team — the Answer's own path."""

    name: str
    field: str
    label_fields: tuple[str, ...]
    label: Callable[[tuple[Any, ...], Any], str]
    answer_field: str = ""
    answer_label_fields: tuple[str, ...] = ()

    def paths(self, *, answers: bool) -> tuple[str, tuple[str, ...]]:
        if not answers:
            return self.field, self.label_fields
        if self.answer_field:
            return self.answer_field, self.answer_label_fields
        return _OF_ANSWER + self.field, tuple(_OF_ANSWER + f for f in self.label_fields)


DIMENSIONS: dict[str, Dimension] = {
    d.name: d
    for d in (
        # Satisfaction goes to the team recorded with the answer (the team when it was
        # answered), as on the Satisfaction page; everything else to the request's team.
        Dimension(
            "team",
            "team_id",
            ("team__name",),
            _first,
            answer_field="response__team_id",
            answer_label_fields=("response__team__name",),
        ),
        Dimension(
            "person",
            "assignee_id",
            ("assignee__first_name", "assignee__last_name", "assignee__username"),
            _person,
        ),
        Dimension("category", "category", (), _choice(Category)),
        Dimension("kind", "kind", (), _choice(Kind)),
        Dimension("channel", "channel", (), _choice(Channel)),
        Dimension("priority", "priority", (), _choice(Priority)),
        Dimension("product_model", "product_id", ("product__model",), _first),
        Dimension("batch", "batch_number", (), _itself),
        Dimension("region", "customer__region", (), _itself),
        Dimension("customer", "customer_id", ("customer__name",), _first),
    )
}
GROUPINGS = tuple(DIMENSIONS)


@dataclass(frozen=True)
class Filters:
    """Only the requests with these values (empty: any). Ids for team, person, product
    model and customer; the stored values for the rest."""

    team: int | None = None
    person: int | None = None
    category: str = ""
    kind: str = ""
    channel: str = ""
    priority: str = ""
    product_model: int | None = None
    batch: str = ""
    region: str = ""
    customer: int | None = None

    def condition(self, *, answers: bool = False) -> Q:
        condition = Q()
        for dimension in DIMENSIONS.values():
            value = getattr(self, dimension.name)
            if value is None or value == "":
                continue
            path, _labels = dimension.paths(answers=answers)
            condition &= Q(**{path: value})
        return condition


# --- The additive parts ----------------------------------------------------------------------


@dataclass
class Tally:
    """Counts and sums that add up across groups and days; every measure is made of them."""

    # Received in the period (cancelled included), and of those:
    received: int = 0
    cancelled: int = 0
    received_done: int = 0  # resolved or closed now
    complaints: int = 0  # of kind complaint, not cancelled
    # Resolved in the period (by the time of their last resolution):
    resolved: int = 0
    first_time_fixed: int = 0
    reopened: int = 0
    first_response_targets: int = 0
    first_response_met: int = 0
    resolution_targets: int = 0
    resolution_met: int = 0
    resolution_timed: int = 0
    resolution_seconds: int = 0
    # First responded in the period (not cancelled):
    first_responses: int = 0
    first_response_seconds: int = 0
    # Score answers given in the period:
    csat_answers: int = 0
    csat_satisfied: int = 0
    csat_score_sum: int = 0
    # Open now, by age:
    backlog: int = 0
    days_0_1: int = 0
    days_1_3: int = 0
    days_3_7: int = 0
    days_7_30: int = 0
    days_30_plus: int = 0

    def add(self, other: "Tally") -> None:
        for name in _PARTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def take(self, values: dict[str, Any]) -> None:
        """Add the aggregates of a query row (its other columns are the group's)."""
        for name in _PARTS:
            if name in values:
                setattr(self, name, getattr(self, name) + int(values[name] or 0))


_PARTS = tuple(part.name for part in fields(Tally))


@dataclass
class Group:
    key: Any
    label: str
    tally: Tally


Tallies = dict[Any, Group]


# --- Exact numbers ---------------------------------------------------------------------------

_TENTH = Decimal("0.1")
_HUNDREDTH = Decimal("0.01")


def percent(part: int, whole: int) -> Decimal | None:
    """`part` of `whole` in percent, one decimal, half up; None when `whole` is 0."""
    if not whole:
        return None
    return (Decimal(100 * part) / Decimal(whole)).quantize(_TENTH, rounding=ROUND_HALF_UP)


def _mean(total: int, count: int, step: Decimal) -> Decimal | None:
    if not count:
        return None
    return (Decimal(total) / Decimal(count)).quantize(step, rounding=ROUND_HALF_UP)


def _ratio(numerator: int, denominator: int) -> dict[str, Any]:
    return {
        "numerator": numerator,
        "denominator": denominator,
        "percent": percent(numerator, denominator),
    }


def _duration(count: int, seconds: int) -> dict[str, Any]:
    mean = _mean(seconds, count, Decimal(1))
    return {"requests": count, "average_seconds": None if mean is None else int(mean)}


# --- Periods -------------------------------------------------------------------------------


def service_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.SERVICE_TIME_ZONE)


def bounds(
    period_from: datetime.date, period_to: datetime.date
) -> tuple[datetime.datetime, datetime.datetime]:
    """The days from `period_from` to `period_to` (inclusive, service time zone) as the
    instants [start, end)."""
    zone = service_zone()
    start = datetime.datetime.combine(period_from, datetime.time(), tzinfo=zone)
    end = datetime.datetime.combine(
        period_to + datetime.timedelta(days=1), datetime.time(), tzinfo=zone
    )
    return start, end


# --- Reading ---------------------------------------------------------------------------------


Span = tuple[datetime.datetime, datetime.datetime]


def within(path: str, spans: Iterable[Span]) -> Q:
    """`path` in any of the instants [start, end) of `spans` (none: nothing)."""
    condition = None
    for start, end in spans:
        span = Q(**{f"{path}__gte": start, f"{path}__lt": end})
        condition = span if condition is None else condition | span
    return Q(pk__in=[]) if condition is None else condition


def _requests(filters: Filters, teams: Collection[int] | None) -> QuerySet[ServiceRequest]:
    qs = ServiceRequest.objects.filter(filters.condition()).order_by()
    return qs if teams is None else qs.filter(team_id__in=list(teams))


def _answers(
    filters: Filters, teams: Collection[int] | None, spans: Iterable[Span]
) -> QuerySet[Answer]:
    qs = Answer.objects.filter(
        filters.condition(answers=True),
        within("response__answered_at", spans),
        question__kind=QuestionKind.SCORE,
        score__isnull=False,
    ).order_by()
    return qs if teams is None else qs.filter(response__request__team_id__in=list(teams))


def _paths(
    dimensions: tuple[Dimension, ...], *, answers: bool
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The key paths of `dimensions`, and the label paths (one dimension only: several are
    the rollups' keys, labelled when read)."""
    keys = tuple(d.paths(answers=answers)[0] for d in dimensions)
    labels = dimensions[0].paths(answers=answers)[1] if len(dimensions) == 1 else ()
    return keys, labels


def _key(values: tuple[Any, ...]) -> Any:
    """A group's key: None without dimensions, the value for one, the tuple for several."""
    if not values:
        return None
    return values[0] if len(values) == 1 else values


def _grouped(
    qs: QuerySet[Any],
    reading: "_Reading",
    annotations: dict[str, Any],
    *,
    moment: str,
    answers: bool = False,
) -> Iterable[tuple[Any, tuple[Any, ...], dict[str, Any]]]:
    """(key, label values, aggregates) per group: one query. By day (`reading.by_day`), the
    service day of the instant `moment` comes first in every key."""
    keys, labels = _paths(reading.dimensions, answers=answers)
    if reading.by_day:
        qs = qs.annotate(service_day=TruncDate(moment, tzinfo=service_zone()))
        keys, labels = ("service_day", *keys), ()
    if not keys:
        yield None, (), qs.aggregate(**annotations)
        return
    for row in qs.values(*keys, *labels).annotate(**annotations):
        yield _key(tuple(row[k] for k in keys)), tuple(row[name] for name in labels), row


def _group(
    tallies: Tallies, dimensions: tuple[Dimension, ...], key: Any, labels: tuple | None
) -> Tally:
    """The tally of group `key`, made on first sight. `labels` None: label it later
    (`label_groups`)."""
    group = tallies.get(key)
    if group is None:
        if len(dimensions) != 1 or key is None:
            label: str | None = ""
        else:
            label = None if labels is None else dimensions[0].label(labels, key)
        group = tallies[key] = Group(key, label, Tally())  # type: ignore[arg-type]
    return group.tally


def label_groups(tallies: Tallies, dimension: Dimension | None) -> None:
    """Label the groups made without their label (read from rollups): one query for a
    dimension of a related row (team, person, product model, customer), none otherwise."""
    missing = [g for g in tallies.values() if g.label is None]
    if not missing:
        return
    if dimension is None or not dimension.label_fields:
        for group in missing:
            group.label = dimension.label((), group.key) if dimension else ""
        return
    relation = dimension.label_fields[0].split("__", 1)[0]
    model = ServiceRequest._meta.get_field(relation).related_model
    names = [path.split("__", 1)[1] for path in dimension.label_fields]
    values = {
        row[0]: tuple(row[1:])
        for row in model._default_manager.filter(pk__in=[g.key for g in missing]).values_list(
            "pk", *names
        )
    }
    for group in missing:
        group.label = dimension.label(values.get(group.key, (None,) * len(names)), group.key)


def _clocks() -> dict[int, Any]:
    """The SLA engine's clock of each calendar (a handful of rows; the engine caches each
    clock per calendar revision)."""
    return {c.pk: engine.clock_for(c) for c in Calendar.objects.all()}


def _used_seconds(
    clocks: dict[int, Any],
    calendar_id: int | None,
    start: datetime.datetime,
    end: datetime.datetime,
    paused: int = 0,
) -> int:
    """Business seconds from `start` to `end` on the request's calendar, less `paused` —
    the SLA's own "used" figure (`deadlines.sla_block`); around the clock without one."""
    if end <= start:
        return 0
    clock = clocks.get(calendar_id) if calendar_id is not None else None
    if clock is None:
        return max(0, int((end - start).total_seconds()) - paused)
    return max(0, clock.elapsed(start, end) - paused)


@dataclass(frozen=True)
class _Reading:
    """What every part is read with: the grouping (none, one dimension, or — building the
    rollups — several), the requests in scope, and the spans of the period to read from the
    requests themselves (the whole period, or the days the rollups do not hold)."""

    dimensions: tuple[Dimension, ...]
    filters: Filters
    teams: Collection[int] | None
    spans: tuple[Span, ...]
    now: datetime.datetime
    # Building the rollups: every key starts with the service day of the part's instant.
    by_day: bool = False

    @property
    def requests(self) -> QuerySet[ServiceRequest]:
        return _requests(self.filters, self.teams)

    @property
    def resolved(self) -> QuerySet[ServiceRequest]:
        return self.requests.filter(within("resolved_at", self.spans), status__in=DONE)


_NOT_CANCELLED = ~Q(status=S.CANCELLED)


def _received_parts(reading: _Reading, into: Tallies) -> None:
    received = reading.requests.filter(within("received_at", reading.spans))
    parts = {
        "received": Count("pk"),
        "cancelled": Count("pk", filter=Q(status=S.CANCELLED)),
        "received_done": Count("pk", filter=Q(status__in=DONE)),
        "complaints": Count("pk", filter=Q(kind=Kind.COMPLAINT) & _NOT_CANCELLED),
    }
    for key, labels, values in _grouped(received, reading, parts, moment="received_at"):
        _group(into, reading.dimensions, key, labels).take(values)


def _resolved_parts(reading: _Reading, into: Tallies) -> None:
    parts = {
        "resolved": Count("pk"),
        "first_time_fixed": Count("pk", filter=Q(reopen_count=0)),
        "reopened": Count("pk", filter=Q(reopen_count__gt=0)),
        "first_response_targets": Count("pk", filter=Q(first_response_due_at__isnull=False)),
        "first_response_met": Count(
            "pk", filter=Q(first_responded_at__lte=F("first_response_due_at"))
        ),
        "resolution_targets": Count("pk", filter=Q(resolution_due_at__isnull=False)),
        "resolution_met": Count("pk", filter=Q(resolved_at__lte=F("resolution_due_at"))),
    }
    for key, labels, values in _grouped(reading.resolved, reading, parts, moment="resolved_at"):
        _group(into, reading.dimensions, key, labels).take(values)


def _duration_parts(reading: _Reading, into: Tallies) -> None:
    """Business time depends on each request's calendar: the times of the requests first
    responded or resolved in the period are read (one query each, streamed) and counted
    with the SLA engine's clocks."""
    dimensions = reading.dimensions
    key_paths, label_paths = _paths(dimensions, answers=False)
    if reading.by_day:
        label_paths = ()
    keys, width = len(key_paths), len(key_paths) + len(label_paths)
    clocks = _clocks()
    zone = service_zone()

    def tally_of(row: tuple[Any, ...], moment: datetime.datetime) -> Tally:
        values = row[:keys]
        if reading.by_day:
            values = (moment.astimezone(zone).date(), *values)
        return _group(into, dimensions, _key(values), row[keys:width])

    first = reading.requests.filter(
        _NOT_CANCELLED, within("first_responded_at", reading.spans)
    ).values_list(
        *key_paths, *label_paths, "received_at", "first_responded_at", "first_response_calendar"
    )
    for row in first.iterator(chunk_size=5000):
        received_at, responded_at, calendar_id = row[width:]
        tally = tally_of(row, responded_at)
        tally.first_responses += 1
        tally.first_response_seconds += _used_seconds(
            clocks, calendar_id, received_at, responded_at
        )
    done = reading.resolved.values_list(
        *key_paths,
        *label_paths,
        "received_at",
        "resolved_at",
        "resolution_calendar",
        "paused_seconds",
    )
    for row in done.iterator(chunk_size=5000):
        received_at, resolved_at, calendar_id, paused = row[width:]
        tally = tally_of(row, resolved_at)
        tally.resolution_timed += 1
        tally.resolution_seconds += _used_seconds(
            clocks, calendar_id, received_at, resolved_at, paused
        )


def _satisfaction_parts(reading: _Reading, into: Tallies) -> None:
    answers = _answers(reading.filters, reading.teams, reading.spans)
    parts = {
        "csat_answers": Count("pk"),
        "csat_satisfied": Count("pk", filter=Q(score__gte=4)),
        "csat_score_sum": Sum("score"),
    }
    for key, labels, values in _grouped(
        answers, reading, parts, moment="response__answered_at", answers=True
    ):
        _group(into, reading.dimensions, key, labels).take(values)


read_period_parts = (_received_parts, _resolved_parts, _duration_parts, _satisfaction_parts)


def _backlog_parts(reading: _Reading, into: Tallies) -> None:
    parts: dict[str, Any] = {"backlog": Count("pk")}
    for name, younger, older in AGE_BUCKETS:
        age = Q(received_at__lte=reading.now - datetime.timedelta(days=younger)) if younger else Q()
        if older is not None:
            age &= Q(received_at__gt=reading.now - datetime.timedelta(days=older))
        parts[name] = Count("pk", filter=age)
    open_now = reading.requests.filter(status__in=OPEN)
    for key, labels, values in _grouped(open_now, reading, parts, moment="received_at"):
        _group(into, reading.dimensions, key, labels).take(values)


def tallies(
    period_from: datetime.date,
    period_to: datetime.date,
    *,
    group_by: str | None = None,
    filters: Filters | None = None,
    teams: Collection[int] | None = None,
    now: datetime.datetime | None = None,
) -> Tallies:
    """The additive parts of every measure per group (key → Group).

    `teams`: only requests of these teams (a supervisor's scope); None: every request.
    `now`: the moment the backlog is counted at (default: now).
    """
    if group_by is not None and group_by not in DIMENSIONS:
        raise ValueError(f"unknown grouping {group_by!r}")
    from aftersales.metrics import rollups  # the rollups are built with this module

    dimension = DIMENSIONS[group_by] if group_by else None
    filters = filters or Filters()
    result: Tallies = {}
    # The days the rollups hold fresh are read from them; the rest from the requests.
    spans = rollups.read(result, period_from, period_to, dimension, filters, teams)
    reading = _Reading(
        dimensions=(dimension,) if dimension else (),
        filters=filters,
        teams=teams,
        spans=tuple(spans),
        now=now or timezone.now(),
    )
    if reading.spans:
        for read in read_period_parts:
            read(reading, result)
    _backlog_parts(reading, result)
    label_groups(result, dimension)
    if dimension is None:
        result.setdefault(None, Group(None, "", Tally()))
    return result


def tallies_of_requests(spans: tuple[Span, ...], dimensions: tuple[Dimension, ...]) -> Tallies:
    """The parts of every request (no filters, no scope) in `spans`, keyed by (service day,
    *`dimensions`) — several dimensions, so the groups are not labelled — backlog left out:
    what the rollups are built from."""
    if len(dimensions) == 1:
        raise ValueError("the rollups are built over several dimensions")
    reading = _Reading(
        dimensions=dimensions,
        filters=Filters(),
        teams=None,
        spans=spans,
        now=timezone.now(),
        by_day=True,
    )
    result: Tallies = {}
    for read in read_period_parts:
        read(reading, result)
    return result


def row_of(group: Group | None, tally: Tally) -> dict[str, Any]:
    """Every measure of one group (None: the total) from its parts."""
    t = tally
    return {
        "group": None if group is None else {"key": group.key, "label": group.label},
        "received": t.received,
        "cancelled": t.cancelled,
        "resolved": t.resolved,
        "first_response_time": _duration(t.first_responses, t.first_response_seconds),
        "resolution_time": _duration(t.resolution_timed, t.resolution_seconds),
        "sla_first_response": _ratio(t.first_response_met, t.first_response_targets),
        "sla_resolution": _ratio(t.resolution_met, t.resolution_targets),
        "resolution_rate": _ratio(t.received_done, t.received - t.cancelled),
        "first_time_fix_rate": _ratio(t.first_time_fixed, t.resolved),
        "reopen_rate": _ratio(t.reopened, t.resolved),
        "csat": {
            "answers": t.csat_answers,
            "satisfied": t.csat_satisfied,
            "percent": percent(t.csat_satisfied, t.csat_answers),
            "mean_score": _mean(t.csat_score_sum, t.csat_answers, _HUNDREDTH),
        },
        "complaint_rate": _ratio(t.complaints, t.received - t.cancelled),
        "backlog": {
            "open": t.backlog,
            **{name: getattr(t, name) for name, _younger, _older in AGE_BUCKETS},
        },
    }


def _order(group: Group) -> tuple[bool, str, str]:
    return (group.key is None, group.label.casefold(), str(group.key))


def rows_of(groups: Tallies) -> list[dict[str, Any]]:
    """One row per group, by label; the group without a value (no team, …) last."""
    return [row_of(group, group.tally) for group in sorted(groups.values(), key=_order)]


def total_of(groups: Tallies) -> dict[str, Any]:
    total = Tally()
    for group in groups.values():
        total.add(group.tally)
    return row_of(None, total)


def compute(
    period_from: datetime.date,
    period_to: datetime.date,
    *,
    group_by: str | None = None,
    filters: Filters | None = None,
    teams: Collection[int] | None = None,
    now: datetime.datetime | None = None,
) -> list[dict[str, Any]]:
    """Every measure per group (`group_by` one of GROUPINGS), or one row (group None) for
    all the requests when `group_by` is None."""
    groups = tallies(
        period_from, period_to, group_by=group_by, filters=filters, teams=teams, now=now
    )
    return [total_of(groups)] if group_by is None else rows_of(groups)


def received_by(
    period_from: datetime.date,
    period_to: datetime.date,
    *,
    group_by: str,
    filters: Filters | None = None,
    teams: Collection[int] | None = None,
) -> list[dict[str, Any]]:
    """Requests received in the period (cancelled included) per group, by label, as
    `{"group": {"key", "label"}, "received"}`: the `received` of `compute`'s rows, for the
    top-N tables, without reading the other measures."""
    from aftersales.metrics import rollups

    dimension = DIMENSIONS[group_by]
    filters = filters or Filters()
    result: Tallies = {}
    spans = rollups.read(
        result, period_from, period_to, dimension, filters, teams, parts=("received",)
    )
    reading = _Reading(
        dimensions=(dimension,),
        filters=filters,
        teams=teams,
        spans=tuple(spans),
        now=timezone.now(),
    )
    if reading.spans:
        _received_parts(reading, result)
    label_groups(result, dimension)
    return [
        {"group": {"key": group.key, "label": group.label}, "received": group.tally.received}
        for group in sorted(result.values(), key=_order)
        if group.tally.received
    ]


def daily_series(
    period_from: datetime.date,
    period_to: datetime.date,
    *,
    filters: Filters | None = None,
    teams: Collection[int] | None = None,
) -> list[dict[str, Any]]:
    """Per day of the period (service time zone), every day present: requests received
    (cancelled included) in all and by channel; SLA compliance of the requests resolved that
    day; satisfaction of the score answers given that day. The days the rollups hold fresh
    are one query; the rest three."""
    from aftersales.metrics import rollups

    filters = filters or Filters()
    zone = service_zone()
    days: dict[datetime.date, dict[str, Any]] = {}
    day = period_from
    while day <= period_to:
        days[day] = {"received": 0, "by_channel": {}, "tally": Tally()}
        day += datetime.timedelta(days=1)

    def intake_add(day: datetime.date, channel: str, received: int) -> None:
        entry = days[day]
        entry["received"] += received
        entry["by_channel"][channel] = entry["by_channel"].get(channel, 0) + received

    spans = rollups.read_daily(days, intake_add, period_from, period_to, filters, teams)
    requests = _requests(filters, teams)
    intake = (
        requests.filter(within("received_at", spans))
        .annotate(day=TruncDate("received_at", tzinfo=zone))
        .values("day", "channel")
        .annotate(received=Count("pk"))
    )
    resolved = (
        requests.filter(within("resolved_at", spans), status__in=DONE)
        .annotate(day=TruncDate("resolved_at", tzinfo=zone))
        .values("day")
        .annotate(
            resolved=Count("pk"),
            first_response_targets=Count("pk", filter=Q(first_response_due_at__isnull=False)),
            first_response_met=Count(
                "pk", filter=Q(first_responded_at__lte=F("first_response_due_at"))
            ),
            resolution_targets=Count("pk", filter=Q(resolution_due_at__isnull=False)),
            resolution_met=Count("pk", filter=Q(resolved_at__lte=F("resolution_due_at"))),
        )
    )
    answers = (
        _answers(filters, teams, spans)
        .annotate(day=TruncDate("response__answered_at", tzinfo=zone))
        .values("day")
        .annotate(
            csat_answers=Count("pk"),
            csat_satisfied=Count("pk", filter=Q(score__gte=4)),
            csat_score_sum=Sum("score"),
        )
    )
    if spans:
        for row in intake:
            intake_add(row["day"], row["channel"], row["received"])
        for row in resolved:
            days[row["day"]]["tally"].take(row)
        for row in answers:
            days[row["day"]]["tally"].take(row)

    series = []
    for day, entry in days.items():
        t = entry["tally"]
        series.append(
            {
                "day": day,
                "received": entry["received"],
                "by_channel": dict(sorted(entry["by_channel"].items())),
                "resolved": t.resolved,
                "sla_first_response": _ratio(t.first_response_met, t.first_response_targets),
                "sla_resolution": _ratio(t.resolution_met, t.resolution_targets),
                "csat": {
                    "answers": t.csat_answers,
                    "satisfied": t.csat_satisfied,
                    "percent": percent(t.csat_satisfied, t.csat_answers),
                    "mean_score": _mean(t.csat_score_sum, t.csat_answers, _HUNDREDTH),
                },
            }
        )
    return series
