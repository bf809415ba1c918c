"""Reading follow-ups for a user (always through `access.visible_to`): the agents' queues."""

import datetime
import zoneinfo

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from aftersales.accounts.models import User
from aftersales.followups import access
from aftersales.followups.models import FollowUp, Status

VIEWS = ("today", "overdue", "upcoming", "done", "all")


def end_of_today(now: datetime.datetime | None = None) -> datetime.datetime:
    """Midnight after today, in the service time zone."""
    local = (now or timezone.now()).astimezone(zoneinfo.ZoneInfo(settings.SERVICE_TIME_ZONE))
    return (local + datetime.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)


def followup_list(
    user: User, *, view: str = "today", now: datetime.datetime | None = None
) -> QuerySet[FollowUp]:
    """The queue `view`: overdue (open, due before now), today (open, due from now until
    midnight), upcoming (open, due after today), done (ended, newest first), all."""
    now = now or timezone.now()
    qs = access.visible_to(user).select_related(
        "request__customer", "request__product", "team", "assignee", "invitation"
    )
    open_ = qs.filter(status=Status.PLANNED)
    if view == "overdue":
        return open_.filter(due_at__lt=now)
    if view == "today":
        return open_.filter(due_at__gte=now, due_at__lt=end_of_today(now))
    if view == "upcoming":
        return open_.filter(due_at__gte=end_of_today(now))
    if view == "done":
        return qs.exclude(status=Status.PLANNED).order_by("-finished_at", "-id")
    return qs.order_by("-created_at", "-id")


def followup_get_for_user(user: User, pk: int) -> FollowUp:
    followup = (
        access.visible_to(user)
        .select_related(
            "request__customer", "request__product", "team", "assignee", "invitation", "finished_by"
        )
        .filter(pk=pk)
        .first()
    )
    if followup is None:
        raise Http404("No such follow-up.")
    return followup


def followups_of_request(user: User, request_id: int) -> list[FollowUp]:
    return list(
        access.visible_to(user)
        .filter(request_id=request_id)
        .select_related("invitation", "finished_by")
        .order_by("-id")
    )
