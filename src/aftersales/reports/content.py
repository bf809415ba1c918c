"""What a monthly report says, before it is drawn: the month's KPI tiles beside the previous
month's, the dashboards' tables (intake and SLA compliance per day, the Pareto of fault
categories, top product models and batches, the ranking by team) and the open problem
records. The numbers are `dashboards.boards`' (so `metrics.measures`'), not recomputed here;
every label is made under the report's language.
"""

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftersales.accounts.models import Team
from aftersales.dashboards import boards
from aftersales.metrics import measures
from aftersales.quality import selectors as quality_selectors

MONTH = re.compile(r"[0-9]{4}-[0-9]{2}")
# KPI tiles whose figure is "now", not the period's: the previous month has none to show.
NOW_FIGURES = {"backlog"}


# --- Months -------------------------------------------------------------------------------


def month_first(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_last(first: datetime.date) -> datetime.date:
    following = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def previous_month(first: datetime.date) -> datetime.date:
    return month_first(first - datetime.timedelta(days=1))


def parse_month(raw: str) -> datetime.date | None:
    """ "YYYY-MM" as the month's first day; None for anything else."""
    if not MONTH.fullmatch(raw.strip()):
        return None
    raw = raw.strip()
    try:
        return datetime.date(int(raw[:4]), int(raw[5:]), 1)
    except ValueError:
        return None


def current_month(now: datetime.datetime | None = None) -> datetime.date:
    """The month (its first day) that `now` falls in, in the service time zone."""
    return month_first((now or timezone.now()).astimezone(measures.service_zone()).date())


def month_end(first: datetime.date) -> datetime.datetime:
    """The instant the month ends (the next month's first midnight, service time zone)."""
    return measures.bounds(first, month_last(first))[1]


# --- The report's content -------------------------------------------------------------------


@dataclass
class Kpi:
    key: str
    label: str
    value: Any
    previous: Any
    unit: str = ""

    @property
    def change(self) -> Any:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


@dataclass
class OpenAction:
    kind: str
    description: str
    owner: str
    due_on: datetime.date
    overdue: bool


@dataclass
class Problem:
    number: str
    title: str
    department: str
    status: str
    actions: list[OpenAction] = field(default_factory=list)


@dataclass
class Content:
    language: str
    month: datetime.date
    first: datetime.date
    last: datetime.date
    previous_first: datetime.date
    previous_last: datetime.date
    service_name: str
    scope_label: str
    generated_at: datetime.datetime
    time_zone: str
    kpis: list[Kpi]
    total: dict[str, Any]
    previous_total: dict[str, Any]
    tables: dict[str, boards.Table]
    teams: boards.Table
    problems: list[Problem]

    def kpi(self, key: str) -> Kpi:
        return next(k for k in self.kpis if k.key == key)


def scope_label(teams: list[int] | None) -> str:
    if teams is None:
        return _("Whole service (all teams)")
    names = list(Team.objects.filter(pk__in=teams).order_by("name").values_list("name", flat=True))
    if not names:
        return _("No team")
    return _("Teams: %(names)s") % {"names": ", ".join(names)}


def _problems(teams: list[int] | None, today: datetime.date) -> list[Problem]:
    return [
        Problem(
            number=record.number,
            title=record.title,
            department=record.team.name,
            status=str(record.get_status_display()),
            actions=[
                OpenAction(
                    kind=str(action.get_kind_display()),
                    description=action.description,
                    owner=action.owner.display_name,
                    due_on=action.due_on,
                    overdue=action.is_overdue(today),
                )
                for action in record.open_actions  # type: ignore[attr-defined]
            ],
        )
        for record in quality_selectors.problems_open_for_teams(teams)
    ]


def collect(
    month: datetime.date,
    *,
    teams: list[int] | None,
    language: str,
    now: datetime.datetime | None = None,
) -> Content:
    """The report of `month` (any day of it) for `teams` (None: the whole service), in
    `language`. The backlog and the open problem records are counted at `now`."""
    now = now or timezone.now()
    first = month_first(month)
    last = month_last(first)
    previous_first = previous_month(first)
    previous_last = month_last(previous_first)
    zone = measures.service_zone()
    with translation.override(language):
        dashboard = boards.manager(boards.Query(first, last), teams=teams, now=now)
        before = boards.manager(boards.Query(previous_first, previous_last), teams=teams, now=now)
        previous_tiles = {tile.key: tile.value for tile in before.tiles}
        kpis = [
            Kpi(
                tile.key,
                tile.label,
                tile.value,
                None if tile.key in NOW_FIGURES else previous_tiles.get(tile.key),
                tile.unit,
            )
            for tile in dashboard.tiles
        ]
        tables = {
            key: table
            for key in ("intake", "sla", "categories", "models", "batches")
            if (table := dashboard.table(key)) is not None
        }
        ranking = boards.ranking(
            boards.Query(first, last), by="team", sort=boards.DEFAULT_SORT, teams=teams, now=now
        )
        return Content(
            language=language,
            month=first,
            first=first,
            last=last,
            previous_first=previous_first,
            previous_last=previous_last,
            service_name=settings.SERVICE_NAME,
            scope_label=scope_label(teams),
            generated_at=now.astimezone(zone),
            time_zone=zone.key,
            kpis=kpis,
            total=dashboard.total,
            previous_total=before.total,
            tables=tables,
            teams=ranking,
            problems=_problems(teams, now.astimezone(zone).date()),
        )
