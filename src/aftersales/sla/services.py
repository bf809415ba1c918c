"""Use cases of SLA configuration.

- calendar_touch: a calendar changed: new revision, due times to be recomputed
- calendar_delete: delete a calendar no target counts on
- holiday_year_replace: enter a year's holidays and make-up working days (the official notice)
- policies_touch: policies changed: due times to be recomputed
"""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F, ProtectedError
from django.utils.translation import gettext as _

from aftersales.core.errors import Conflict
from aftersales.sla import signals
from aftersales.sla.models import Calendar, CalendarException, HolidayYear


def calendar_touch(calendar: Calendar) -> None:
    Calendar.objects.filter(pk=calendar.pk).update(revision=F("revision") + 1)
    signals.configuration_changed.send(sender=Calendar, calendar_id=calendar.pk)


def policies_touch() -> None:
    signals.configuration_changed.send(sender=Calendar, calendar_id=None)


@transaction.atomic
def calendar_delete(calendar: Calendar) -> None:
    try:
        calendar.delete()
    except ProtectedError:
        raise Conflict(_("SLA targets count on this calendar; change them first.")) from None


@transaction.atomic
def holiday_year_replace(
    calendar: Calendar,
    *,
    by: object,
    year: int,
    holidays: Iterable[datetime.date],
    working_days: Iterable[datetime.date] = (),
    source: str = "",
) -> None:
    """Replace `year`'s holidays and make-up days; the year then counts as complete."""
    source = source or _("Entered by an administrator")
    CalendarException.objects.filter(calendar=calendar, date__year=year).delete()
    rows = [
        CalendarException(
            calendar=calendar, date=day, working=False, name=_("Holiday"), source=source
        )
        for day in sorted(set(holidays))
    ] + [
        CalendarException(
            calendar=calendar, date=day, working=True, name=_("Make-up working day"), source=source
        )
        for day in sorted(set(working_days))
    ]
    CalendarException.objects.bulk_create(rows)
    HolidayYear.objects.update_or_create(
        calendar=calendar, year=year, defaults={"source": source, "complete": True}
    )
    calendar_touch(calendar)
