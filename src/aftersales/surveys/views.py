"""The "Satisfaction" console page: CSAT and mean scores over a period, by team, and the
customers' comments with a search (supervisors, analysts, admins)."""

import datetime
import zoneinfo

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from aftersales.accounts.models import Team
from aftersales.service_requests import access as request_access
from aftersales.surveys import access, selectors
from aftersales.surveys.models import Source

DEFAULT_DAYS = 30


def _day(raw: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def period(
    start_raw: str | None, end_raw: str | None
) -> tuple[datetime.date, datetime.date, datetime.datetime, datetime.datetime, str]:
    """The days asked for (inclusive, service time zone; the last 30 days by default), as
    dates, as the UTC bounds [start, end), and an error message for what could not be read."""
    tz = zoneinfo.ZoneInfo(settings.SERVICE_TIME_ZONE)
    today = timezone.now().astimezone(tz).date()
    error = ""
    first, last = _day(start_raw), _day(end_raw)
    if (start_raw and first is None) or (end_raw and last is None):
        error = _("Write dates as YYYY-MM-DD.")
    last = last or today
    first = first or last - datetime.timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        error = _("The period's start is after its end.")
        first, last = last, first
    start = datetime.datetime.combine(first, datetime.time(), tzinfo=tz)
    end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time(), tzinfo=tz)
    return first, last, start, end, error


@require_GET
def satisfaction(request: HttpRequest) -> HttpResponse:
    if not access.can_see_measures(request.user):
        raise PermissionDenied(_("Supervisors, analysts and administrators see satisfaction."))
    first, last, start, end, error = period(request.GET.get("from"), request.GET.get("to"))
    team_raw = request.GET.get("team") or ""
    team_id = int(team_raw) if team_raw.isdigit() else None
    source = request.GET.get("source") or ""
    if source not in Source.values:
        source = ""
    search = (request.GET.get("q") or "").strip()[:200]
    result = selectors.summary(start=start, end=end, team_id=team_id, source=source)
    comments = selectors.comments(search=search, start=start, end=end, team_id=team_id)
    page = Paginator(comments, 25).get_page(request.GET.get("page"))
    context = {
        "is_staff": True,
        "can_intake": request_access.can_create(request.user),
        "summary": result,
        "comments": page,
        "first": first,
        "last": last,
        "teams": Team.objects.order_by("name"),
        "team_id": team_id,
        "source": source,
        "sources": Source.choices,
        "search": search,
        "error": error,
    }
    return render(request, "surveys/satisfaction.html", context)
