"""Reading tasks for a user (always through `access.visible_to`)."""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from aftersales.accounts.models import User
from aftersales.tasks import access
from aftersales.tasks.models import ACTIVE, Task

VIEWS = ("mine", "team", "overdue", "done", "all")


def task_list(user: User, *, view: str = "mine") -> QuerySet[Task]:
    """The queue `view` of what `user` may see: mine (given to me, or to my team and to
    no one), team (all active of my teams), overdue, done, all."""
    qs = access.visible_to(user).select_related("team", "assignee", "service_request")
    active = qs.filter(status__in=ACTIVE)
    if view == "mine":
        teams = user.teams.values("pk")
        return active.filter(Q(assignee=user) | Q(assignee__isnull=True, team__in=teams))
    if view == "team":
        return active.filter(Q(team__in=user.teams.values("pk")) | Q(team__supervisor=user))
    if view == "overdue":
        return active.filter(due_at__lt=timezone.now())
    if view == "done":
        return qs.exclude(status__in=ACTIVE).order_by("-finished_at", "-id")
    return qs


def task_get_for_user(user: User, pk: int) -> Task:
    task = (
        access.visible_to(user)
        .select_related("team", "assignee", "service_request", "created_by", "finished_by")
        .filter(pk=pk)
        .first()
    )
    if task is None:
        raise Http404("No such task.")
    return task


def tasks_of_request(user: User, request_id: int) -> QuerySet[Task]:
    return (
        access.visible_to(user)
        .filter(service_request_id=request_id)
        .select_related("team", "assignee")
        .order_by("id")
    )
