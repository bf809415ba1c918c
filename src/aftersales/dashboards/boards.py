"""What the dashboards show, as tables: every chart is drawn from a `Table` (its rows are the
chart's numbers, shown below it and exported as CSV/XLSX). The numbers are
`metrics.measures`' (see `docs/measures.md`); this module only arranges them and links each
count to the request list filtered to the requests behind it.

- `read_query(...)`: the period and filters of the URL (shareable);
- `manager(...)`: KPI tiles and the service manager's charts;
- `ranking(...)`: per person (assignee) or per team, sortable by a column.

Team and person figures are per request (rates per 100 requests, per resolved request), not
per hour worked: the only recorded working time is the labour minutes of repair records,
which exist for field and workshop repairs only and are shared by the technicians of a record,
so an hour-based figure would favour whoever does no repairs (see docs/dashboards.md).
"""

import datetime
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import Team, User
from aftersales.metrics import measures
from aftersales.service_requests.models import Category, Channel, Kind, Status

DEFAULT_DAYS = 30
MAX_DAYS = 1096  # as the measures API: three years
TOP = 10
DONE = [Status.RESOLVED.value, Status.CLOSED.value]
NOT_CANCELLED = [value for value in Status.values if value != Status.CANCELLED]


# --- The URL's period and filters ------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    first: datetime.date
    last: datetime.date
    team: int | None = None
    channel: str = ""
    kind: str = ""
    category: str = ""
    errors: tuple[str, ...] = ()

    def filters(self, **extra: Any) -> measures.Filters:
        return measures.Filters(
            team=self.team, channel=self.channel, kind=self.kind, category=self.category, **extra
        )

    def params(self) -> dict[str, str]:
        """The query string that shows this view again (empty filters left out)."""
        values = {
            "from": self.first.isoformat(),
            "to": self.last.isoformat(),
            "team": "" if self.team is None else str(self.team),
            "channel": self.channel,
            "kind": self.kind,
            "category": self.category,
        }
        return {name: value for name, value in values.items() if value}

    @property
    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        return measures.bounds(self.first, self.last)


def _day(raw: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _choice(raw: str, values: Collection[str], name: str, errors: list[str]) -> str:
    if raw and raw not in values:
        errors.append(_("Unknown %(name)s: ignored.") % {"name": name})
        return ""
    return raw


def read_query(params: Mapping[str, str], *, teams: QuerySet[Team]) -> Query:
    """The period (default: the last 30 days, service time zone) and the filters; what cannot
    be read is left out and said in `errors`. `teams`: the teams the reader may pick."""
    errors: list[str] = []
    today = timezone.now().astimezone(measures.service_zone()).date()
    raw_first, raw_last = params.get("from", ""), params.get("to", "")
    first, last = _day(raw_first), _day(raw_last)
    if (raw_first and first is None) or (raw_last and last is None):
        errors.append(_("Write dates as YYYY-MM-DD."))
    last = last or max(today, first or today)
    first = first or last - datetime.timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        errors.append(_("The period's start is after its end."))
        first, last = last, first
    if (last - first).days + 1 > MAX_DAYS:
        errors.append(_("A period is at most %(days)s days long.") % {"days": MAX_DAYS})
        first = last - datetime.timedelta(days=MAX_DAYS - 1)
    raw_team = params.get("team", "")
    team = int(raw_team) if raw_team.isdigit() and len(raw_team) < 19 else None
    if raw_team and (team is None or not teams.filter(pk=team).exists()):
        errors.append(_("Unknown team: ignored."))
        team = None
    return Query(
        first=first,
        last=last,
        team=team,
        channel=_choice(params.get("channel", ""), Channel.values, _("channel"), errors),
        kind=_choice(params.get("kind", ""), Kind.values, _("kind"), errors),
        category=_choice(params.get("category", ""), Category.values, _("category"), errors),
        errors=tuple(errors),
    )


# --- Tables and the links behind their numbers ----------------------------------------------


@dataclass(frozen=True)
class Cell:
    value: Any
    link: str = ""

    @property
    def shown(self) -> str:
        if self.value is None:
            return "—"
        return str(self.value)


@dataclass
class Table:
    """A chart's numbers. `chart`: what dashboards.js draws (kind: bar, stacked, lines or
    pareto; categories along the x axis; series of numbers, a series with "line" drawn as a
    line, "axis" 1 on the right-hand percent axis)."""

    key: str
    title: str
    header: list[str]
    rows: list[list[Cell]]
    chart: dict[str, Any] = field(default_factory=dict)

    def values(self) -> list[list[Any]]:
        return [[cell.value for cell in row] for row in self.rows]


def _number(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def _chart(
    kind: str, categories: list[str], series: list[dict[str, Any]], **axes: str
) -> dict[str, Any]:
    for item in series:
        item["data"] = [_number(value) for value in item["data"]]
    return {"kind": kind, "categories": categories, "series": series, **axes}


class Links:
    """Request-list links for one query (and one team or person of a ranking). Without a team
    chosen, the links name the reader's `teams` (None: every team), so that a supervisor of
    several teams drills down into their teams' requests, not every request they can see."""

    def __init__(self, query: Query, *, teams: Collection[int] | None = None, **scope: Any) -> None:
        self.query = query
        self.base = {
            "team": query.team if query.team is not None else sorted(teams or ()),
            "channel": query.channel,
            "kind": query.kind,
            "category": query.category,
            **scope,
        }
        self._path = reverse("service_requests:list")
        self._pieces: dict[tuple[str, Any], str] = {}

    def _url(self, **params: Any) -> str:
        """The request list (every status unless `status` is given) filtered by the base and
        `params`; the path and the repeated parameters are encoded once: a year's daily
        tables hold thousands of links."""
        given = {"view": "all", **self.base, **params}
        pieces = []
        for name, value in given.items():
            if value in (None, "", []):
                continue
            key = (name, tuple(value) if isinstance(value, list) else value)
            piece = self._pieces.get(key)
            if piece is None:
                piece = self._pieces[key] = urlencode({name: value}, doseq=True)
            pieces.append(piece)
        return self._path + "?" + "&".join(pieces)

    def received(self, start: datetime.datetime | None = None, end: Any = None, **more: Any) -> str:
        first, last = self.query.bounds
        return self._url(
            created_from=(start or first).isoformat(), created_to=(end or last).isoformat(), **more
        )

    def received_done(self) -> str:
        return self.received(status=DONE)

    def complaints(self) -> str:
        if self.query.kind not in ("", Kind.COMPLAINT):
            return ""
        return self.received(kind=Kind.COMPLAINT.value, status=NOT_CANCELLED)

    def resolved(self, start: datetime.datetime | None = None, end: Any = None, **more: Any) -> str:
        first, last = self.query.bounds
        return self._url(
            resolved_from=(start or first).isoformat(),
            resolved_to=(end or last).isoformat(),
            status=DONE,
            **more,
        )

    def open(self, **more: Any) -> str:
        return self._url(view="open", **more)


def _percent(ratio: dict[str, Any]) -> Decimal | None:
    return ratio["percent"]


def _hours(duration: dict[str, Any]) -> Decimal | None:
    seconds = duration["average_seconds"]
    return None if seconds is None else (Decimal(seconds) / 3600).quantize(Decimal("0.1"))


# --- The service manager's dashboard ----------------------------------------------------------


@dataclass
class Tile:
    key: str
    label: str
    value: Any
    unit: str = ""
    link: str = ""


@dataclass
class Dashboard:
    total: dict[str, Any]
    tiles: list[Tile]
    tables: list[Table]

    def table(self, key: str) -> Table | None:
        return next((table for table in self.tables if table.key == key), None)


def _tiles(row: dict[str, Any], links: Links) -> list[Tile]:
    return [
        Tile("received", _("Requests received"), row["received"], link=links.received()),
        Tile("resolved", _("Resolved"), row["resolved"], link=links.resolved()),
        Tile(
            "resolution_rate",
            _("Resolution rate"),
            _percent(row["resolution_rate"]),
            "%",
            links.received_done(),
        ),
        Tile(
            "sla_first_response",
            _("First response SLA met"),
            _percent(row["sla_first_response"]),
            "%",
        ),
        Tile("sla_resolution", _("Resolution SLA met"), _percent(row["sla_resolution"]), "%"),
        Tile("csat", _("CSAT (4 or 5)"), row["csat"]["percent"], "%"),
        Tile("mean_score", _("Mean score"), row["csat"]["mean_score"]),
        Tile(
            "complaint_rate",
            _("Complaint rate"),
            _percent(row["complaint_rate"]),
            "%",
            links.complaints(),
        ),
        Tile(
            "first_time_fix_rate",
            _("First-time fix"),
            _percent(row["first_time_fix_rate"]),
            "%",
            links.resolved(reopened="false"),
        ),
        Tile(
            "reopen_rate",
            _("Reopened"),
            _percent(row["reopen_rate"]),
            "%",
            links.resolved(reopened="true"),
        ),
        Tile("backlog", _("Backlog (open now)"), row["backlog"]["open"], link=links.open()),
    ]


def _day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    return measures.bounds(day, day)


def _intake(days: list[dict[str, Any]], links: Links, query: Query) -> Table:
    channels = [
        (value, label)
        for value, label in Channel.choices
        if not query.channel or value == query.channel
    ]
    rows = []
    for entry in days:
        start, end = _day_bounds(entry["day"])
        row = [Cell(entry["day"]), Cell(entry["received"], links.received(start, end))]
        for value, _label in channels:
            count = entry["by_channel"].get(value, 0)
            row.append(Cell(count, links.received(start, end, channel=value) if count else ""))
        rows.append(row)
    return Table(
        "intake",
        _("Requests received per day, by channel"),
        [_("Day"), _("Requests received")] + [str(label) for _value, label in channels],
        rows,
        _chart(
            "stacked",
            [entry["day"].isoformat() for entry in days],
            [
                {"name": str(label), "data": [entry["by_channel"].get(value, 0) for entry in days]}
                for value, label in channels
            ],
            y_name=_("Requests"),
        ),
    )


def _sla(days: list[dict[str, Any]], links: Links) -> Table:
    rows = []
    for entry in days:
        start, end = _day_bounds(entry["day"])
        first, resolution = entry["sla_first_response"], entry["sla_resolution"]
        rows.append(
            [
                Cell(entry["day"]),
                Cell(entry["resolved"], links.resolved(start, end)),
                Cell(first["numerator"]),
                Cell(first["denominator"]),
                Cell(first["percent"]),
                Cell(resolution["numerator"]),
                Cell(resolution["denominator"]),
                Cell(resolution["percent"]),
            ]
        )
    return Table(
        "sla",
        _("SLA compliance per day (requests resolved that day)"),
        [
            _("Day"),
            _("Resolved"),
            _("First response met"),
            _("First response targets"),
            _("First response met %"),
            _("Resolution met"),
            _("Resolution targets"),
            _("Resolution met %"),
        ],
        rows,
        _chart(
            "lines",
            [entry["day"].isoformat() for entry in days],
            [
                {
                    "name": _("First response met %"),
                    "data": [e["sla_first_response"]["percent"] for e in days],
                    "line": True,
                },
                {
                    "name": _("Resolution met %"),
                    "data": [e["sla_resolution"]["percent"] for e in days],
                    "line": True,
                },
            ],
            y_name="%",
        ),
    )


def _csat(days: list[dict[str, Any]]) -> Table:
    rows = [
        [
            Cell(e["day"]),
            Cell(e["csat"]["answers"]),
            Cell(e["csat"]["satisfied"]),
            Cell(e["csat"]["percent"]),
            Cell(e["csat"]["mean_score"]),
        ]
        for e in days
    ]
    return Table(
        "csat",
        _("Satisfaction per day (score answers given that day)"),
        [_("Day"), _("Score answers"), _("Answers of 4 or 5"), _("CSAT %"), _("Mean score")],
        rows,
        _chart(
            "lines",
            [e["day"].isoformat() for e in days],
            [{"name": _("CSAT %"), "data": [e["csat"]["percent"] for e in days], "line": True}],
            y_name="%",
        ),
    )


def age_labels() -> dict[str, str]:
    return {
        "days_0_1": _("Under 1 day"),
        "days_1_3": _("1–3 days"),
        "days_3_7": _("3–7 days"),
        "days_7_30": _("7–30 days"),
        "days_30_plus": _("30 days or more"),
    }


def _backlog(row: dict[str, Any], links: Links, now: datetime.datetime) -> Table:
    labels = age_labels()
    rows = []
    for name, younger, older in measures.AGE_BUCKETS:
        count = row["backlog"][name]
        # Received in (now - older, now - younger]; the list's bounds are [from, to).
        newest = now - datetime.timedelta(days=younger) + datetime.timedelta(microseconds=1)
        oldest = None if older is None else now - datetime.timedelta(days=older, microseconds=-1)
        link = links.open(
            created_from=oldest.isoformat() if oldest else "", created_to=newest.isoformat()
        )
        rows.append([Cell(labels[name]), Cell(count, link if count else "")])
    return Table(
        "backlog",
        _("Backlog by age (open now, days since received)"),
        [_("Age"), _("Open requests")],
        rows,
        _chart(
            "bar",
            [labels[name] for name, _y, _o in measures.AGE_BUCKETS],
            [
                {
                    "name": _("Open requests"),
                    "data": [row["backlog"][n] for n, _y, _o in measures.AGE_BUCKETS],
                }
            ],
            y_name=_("Requests"),
        ),
    )


def _by_received(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    kept = [r for r in rows if r["group"]["key"] not in (None, "") and r["received"]]
    return sorted(kept, key=lambda r: (-r["received"], r["group"]["label"].casefold()))


def _pareto(rows: list[dict[str, Any]], links: Links) -> Table:
    ordered = _by_received(rows)
    total = sum(r["received"] for r in ordered)
    cumulative = 0
    table_rows = []
    shares = []
    for r in ordered:
        cumulative += r["received"]
        share = measures.percent(cumulative, total)
        shares.append(share)
        table_rows.append(
            [
                Cell(r["group"]["label"]),
                Cell(r["received"], links.received(category=r["group"]["key"])),
                Cell(share),
            ]
        )
    return Table(
        "categories",
        _("Top fault categories (Pareto)"),
        [_("Category"), _("Requests received"), _("Cumulative %")],
        table_rows,
        _chart(
            "pareto",
            [r["group"]["label"] for r in ordered],
            [
                {"name": _("Requests received"), "data": [r["received"] for r in ordered]},
                {"name": _("Cumulative %"), "data": shares, "line": True, "axis": 1},
            ],
            y_name=_("Requests"),
            y2_name="%",
        ),
    )


def _top(
    key: str, title: str, label: str, rows: list[dict[str, Any]], links: Links, param: str
) -> Table:
    ordered = _by_received(rows)[:TOP]
    return Table(
        key,
        title,
        [label, _("Requests received")],
        [
            [
                Cell(r["group"]["label"]),
                Cell(r["received"], links.received(**{param: r["group"]["key"]})),
            ]
            for r in ordered
        ],
        _chart(
            "bar",
            [r["group"]["label"] for r in ordered],
            [{"name": _("Requests received"), "data": [r["received"] for r in ordered]}],
            y_name=_("Requests"),
        ),
    )


def manager(
    query: Query, *, teams: Collection[int] | None, now: datetime.datetime | None = None
) -> Dashboard:
    now = now or timezone.now()
    filters = query.filters()
    common: dict[str, Any] = {"filters": filters, "teams": teams}
    (total,) = measures.compute(query.first, query.last, now=now, **common)
    days = measures.daily_series(query.first, query.last, **common)
    by = {
        name: measures.received_by(query.first, query.last, group_by=name, **common)
        for name in ("category", "product_model", "batch")
    }
    links = Links(query, teams=teams)
    return Dashboard(
        total=total,
        tiles=_tiles(total, links),
        tables=[
            _intake(days, links, query),
            _sla(days, links),
            _csat(days),
            _backlog(total, links, now),
            _pareto(by["category"], links),
            _top(
                "models",
                _("Top product models"),
                _("Product model"),
                by["product_model"],
                links,
                "product",
            ),
            _top("batches", _("Top batches"), _("Batch"), by["batch"], links, "batch"),
        ],
    )


# --- Team and person performance ------------------------------------------------------------


def ranking_columns() -> dict[str, str]:
    """The sortable columns of a ranking, in order."""
    return {
        "handled": _("Handled (resolved)"),
        "resolution_hours": _("Mean resolution time (business hours)"),
        "sla_met": _("Resolution SLA met %"),
        "csat": _("CSAT %"),
        "reopened": _("Repeat repairs (reopened)"),
        "reopen_per_resolved": _("Reopened per 100 resolved"),
        "complaints": _("Complaint requests"),
        "complaints_per_100": _("Complaints per 100 requests"),
        "received": _("Requests received"),
    }


DEFAULT_SORT = "-handled"


def _ranking_values(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "handled": row["resolved"],
        "resolution_hours": _hours(row["resolution_time"]),
        "sla_met": row["sla_resolution"]["percent"],
        "csat": row["csat"]["percent"],
        "reopened": row["reopen_rate"]["numerator"],
        "reopen_per_resolved": row["reopen_rate"]["percent"],
        "complaints": row["complaint_rate"]["numerator"],
        "complaints_per_100": row["complaint_rate"]["percent"],
        "received": row["received"],
    }


def read_sort(raw: str) -> str:
    return raw if raw.lstrip("-") in ranking_columns() else DEFAULT_SORT


def ranking(
    query: Query,
    *,
    by: str,
    sort: str,
    teams: Collection[int] | None,
    now: datetime.datetime | None = None,
) -> Table:
    """One row per person (`by="person"`, the assignee) or team, every column of
    `ranking_columns()`; sorted by `sort` (a column, "-" first for largest first), the rows
    without a value last. The table's chart is the sorted column."""
    rows = measures.compute(
        query.first, query.last, group_by=by, filters=query.filters(), teams=teams, now=now
    )
    usernames = {}
    if by == "person":
        keys = [r["group"]["key"] for r in rows if r["group"]["key"] is not None]
        usernames = dict(User.objects.filter(pk__in=keys).values_list("pk", "username"))
    column, descending = sort.lstrip("-"), sort.startswith("-")
    columns = ranking_columns()

    def order(row: dict[str, Any]) -> tuple[Any, ...]:
        value = _ranking_values(row)[column]
        missing = value is None
        number = Decimal(0) if missing else Decimal(value)
        return (missing, -number if descending else number, row["group"]["label"].casefold())

    table_rows = []
    labels = []
    chosen = []
    for row in sorted(rows, key=order):
        key = row["group"]["key"]
        if key is None:
            label = _("Unassigned") if by == "person" else _("No team")
            links = None
        else:
            label = row["group"]["label"]
            scope = {"assignee": usernames.get(key, "")} if by == "person" else {"team": key}
            links = Links(query, teams=teams, **scope)
        values = _ranking_values(row)
        handled_link = links.resolved() if links else ""
        link_of = {
            "handled": handled_link,
            "resolution_hours": handled_link,
            "sla_met": handled_link,
            "reopened": links.resolved(reopened="true") if links else "",
            "reopen_per_resolved": handled_link,
            "complaints": links.complaints() if links else "",
            "complaints_per_100": links.received(status=NOT_CANCELLED) if links else "",
            "received": links.received() if links else "",
        }
        table_rows.append(
            [Cell(label)] + [Cell(values[name], link_of.get(name, "")) for name in columns]
        )
        labels.append(label)
        chosen.append(values[column])
    first_header = _("Person") if by == "person" else _("Team")
    return Table(
        "ranking",
        columns[column],
        [first_header, *columns.values()],
        table_rows,
        _chart("bar", labels, [{"name": columns[column], "data": chosen}], y_name=columns[column]),
    )
