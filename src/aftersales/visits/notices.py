"""Telling people about visits: the customer by mail, the technicians in the app.

Called by the services inside their transaction: the mail is written to the outbox and
sent after commit, once per key (a visit and what happened to it), so a retried request
never mails the customer twice.
"""

import datetime
import zoneinfo
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.notices import services as notices
from aftersales.notifications import services as notifications
from aftersales.visits.models import Visit


def window_text(start: datetime.datetime, end: datetime.datetime, zone: Any = None) -> str:
    """A window as people read it, e.g. 2026-03-03 10:00–12:00, in `zone` (the active
    time zone by default)."""
    zone = zone or timezone.get_current_timezone()
    start, end = start.astimezone(zone), end.astimezone(zone)
    if start.date() == end.date():
        return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"
    return f"{start:%Y-%m-%d %H:%M}–{end:%Y-%m-%d %H:%M}"


def customer_mail(kind: str, visit: Visit, *, previous: Visit | None = None) -> None:
    """Tell the request's contact, by their channel, in their language and the service time
    zone. `kind`: booked, rescheduled (`visit` is the new one, `previous` the old),
    cancelled, no_one_home."""
    request = visit.service_request
    zone = zoneinfo.ZoneInfo(settings.SERVICE_TIME_ZONE)
    key_visit = previous if previous is not None else visit
    notices.notice_send(
        f"visit_{kind}",
        request=request,
        key=f"visit:{key_visit.pk}:{kind}",
        values={
            "window": window_text(visit.window_start, visit.window_end, zone),
            "previous_window": window_text(previous.window_start, previous.window_end, zone)
            if previous
            else "",
            "time_zone": str(zone),
            "address": visit.address or request.address,
        },
    )


def _staff_title(kind: str, number: str, window: str) -> str:
    titles = {
        "booked": _("Visit booked: %(number)s, %(window)s"),
        "rescheduled": _("Visit moved: %(number)s, now %(window)s"),
        "cancelled": _("Visit cancelled: %(number)s, %(window)s"),
        "removed": _("You are no longer on the visit for %(number)s, %(window)s"),
        "no_one_home": _("No one home: %(number)s, %(window)s"),
    }
    return titles[kind] % {"number": number, "window": window}


def staff_notify(
    kind: str,
    visit: Visit,
    people: Iterable[User | None],
    *,
    by: User | None,
    key_visit: Visit | None = None,
) -> None:
    """An in-app message to each person (but not to whoever made the change), in their
    language and time zone."""
    request = visit.service_request
    url = reverse("service_requests:detail", args=[request.number])
    key = f"visit:{(key_visit or visit).pk}:{kind}"
    for person in people:
        if person is None or not person.is_active or (by is not None and person.pk == by.pk):
            continue
        zone = person.time_zone or settings.SERVICE_TIME_ZONE
        with translation.override(person.language or settings.LANGUAGE_CODE):
            try:
                tz = zoneinfo.ZoneInfo(zone)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                tz = zoneinfo.ZoneInfo(settings.SERVICE_TIME_ZONE)
            window = window_text(visit.window_start, visit.window_end, tz)
            title = _staff_title(kind, request.number, window)
            body = visit.address or request.address
        notifications.notify(recipient=person, key=key, title=title, body=body, url=url)
