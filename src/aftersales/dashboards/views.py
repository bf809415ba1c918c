"""The dashboards' pages: the service manager's (`/dashboards/`) and team and person
performance (`/dashboards/teams/`, `/dashboards/people/`). Who may read them is
`metrics.access`' rule: analysts and administrators every request, supervisors their teams'.
Every table downloads as CSV or XLSX with `?export=<table>&format=csv|xlsx`."""

from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from aftersales.accounts.models import Team, User
from aftersales.core.exports import csv_response, xlsx_response
from aftersales.dashboards import boards
from aftersales.metrics import access
from aftersales.service_requests import access as request_access
from aftersales.service_requests.models import Category, Channel, Kind

FORMATS = ("csv", "xlsx")


def _reader(request: HttpRequest) -> User:
    user = request.user
    if not access.can_read(user):  # type: ignore[arg-type]
        raise PermissionDenied(_("Supervisors, analysts and administrators see the dashboards."))
    return user  # type: ignore[return-value]


def _query(request: HttpRequest, scope: list[int] | None, teams: QuerySet[Team]) -> boards.Query:
    query = boards.read_query(request.GET, teams=teams)
    if query.team is None and scope is not None and len(scope) == 1:
        # A supervisor of one team: the same figures, and drill-down links that say the team.
        query = replace(query, team=scope[0])
    return query


def _teams(user: User) -> tuple[list[int] | None, QuerySet[Team]]:
    scope = access.team_scope(user)
    teams = Team.objects.order_by("name")
    return scope, teams if scope is None else teams.filter(pk__in=scope)


def _export(request: HttpRequest, table: boards.Table | None, query: boards.Query) -> HttpResponse:
    if table is None or request.GET.get("format") not in FORMATS:
        return HttpResponse(_("Unknown table or format."), status=400, content_type="text/plain")
    name = f"{table.key}-{query.first.isoformat()}-{query.last.isoformat()}"
    if request.GET["format"] == "xlsx":
        return xlsx_response(f"{name}.xlsx", table.header, table.values(), title=table.key)
    return csv_response(f"{name}.csv", table.header, table.values())


def _context(user: User, query: boards.Query, teams: QuerySet[Team], **more: Any) -> dict[str, Any]:
    params = query.params()
    return {
        "is_staff": True,
        "can_intake": request_access.can_create(user),
        "query": query,
        "query_string": urlencode(params),
        "teams": teams,
        "channels": Channel.choices,
        "kinds": Kind.choices,
        "categories": Category.choices,
        **more,
    }


@require_GET
def manager(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    scope, teams = _teams(user)
    query = _query(request, scope, teams)
    dashboard = boards.manager(query, teams=scope)
    if "export" in request.GET:
        return _export(request, dashboard.table(request.GET["export"]), query)
    context = _context(user, query, teams, dashboard=dashboard)
    return render(request, "dashboards/manager.html", context)


def _ranking(request: HttpRequest, by: str) -> HttpResponse:
    user = _reader(request)
    scope, teams = _teams(user)
    query = _query(request, scope, teams)
    sort = boards.read_sort(request.GET.get("sort", ""))
    table = boards.ranking(query, by=by, sort=sort, teams=scope)
    if "export" in request.GET:
        return _export(request, table if request.GET["export"] == table.key else None, query)
    query_string = urlencode(query.params())
    columns = [
        {
            "name": name,
            "label": label,
            "sorted": sort.lstrip("-") == name,
            "descending": sort == "-" + name,
            # Largest first on the first click; the other way round on the next.
            "url": "?"
            + urlencode({**query.params(), "sort": name if sort == "-" + name else "-" + name}),
        }
        for name, label in boards.ranking_columns().items()
    ]
    context = _context(
        user,
        query,
        teams,
        by=by,
        table=table,
        columns=columns,
        sort=sort,
        sorted_query_string=query_string + "&" + urlencode({"sort": sort}),
    )
    return render(request, "dashboards/ranking.html", context)


@require_GET
def people(request: HttpRequest) -> HttpResponse:
    return _ranking(request, "person")


@require_GET
def teams(request: HttpRequest) -> HttpResponse:
    return _ranking(request, "team")
