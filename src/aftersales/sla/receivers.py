"""A change to a calendar's periods or exceptions gives the calendar a new revision, so cached
clocks are rebuilt and due times can be recomputed."""

from typing import Any

from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from aftersales.sla.models import Calendar, CalendarException, CalendarPeriod


@receiver([post_save, post_delete], sender=CalendarPeriod, dispatch_uid="sla_period_revision")
@receiver([post_save, post_delete], sender=CalendarException, dispatch_uid="sla_exception_revision")
def bump_revision_of_parent(
    sender: Any, instance: CalendarPeriod | CalendarException, **kwargs: Any
) -> None:
    Calendar.objects.filter(pk=instance.calendar_id).update(revision=F("revision") + 1)


@receiver(post_save, sender=Calendar, dispatch_uid="sla_calendar_revision")
def bump_revision(
    sender: Any, instance: Calendar, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if not created and not raw:
        Calendar.objects.filter(pk=instance.pk).update(revision=F("revision") + 1)
