"""Who may see and work internal tasks: the one place these rules live.

- department staff see and work only the tasks of their own teams (SPEC §1, issue 5);
- other staff see the tasks of their teams and the tasks on requests they may see; analysts
  and admins see all;
- the team's members and supervisor, and the assignee, work a task (start, finish);
- the team's supervisor and admins give it to someone, or cancel it; so may whoever opened it;
- customers see none.
"""

from django.db.models import Q, QuerySet

from aftersales.accounts.models import User
from aftersales.service_requests import access as request_access
from aftersales.service_requests.models import ServiceRequest
from aftersales.tasks.models import Task

Role = User.Role


def _active(user: User) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _team_ids(user: User) -> list[int]:
    return list(user.teams.values_list("id", flat=True))


def visibility_filter(user: User) -> Q | None:
    """A filter on Task for what `user` may see; None means everything."""
    if not _active(user) or user.role == Role.CUSTOMER:
        return Q(pk__in=[])
    if user.role in {Role.ADMIN, Role.ANALYST} or user.is_superuser:
        return None
    own = Q(team_id__in=_team_ids(user)) | Q(assignee_id=user.pk)
    if user.role == Role.DEPARTMENT:
        return own
    requests = request_access.visibility_filter(user)
    if requests is None:
        return None
    return own | Q(service_request__in=ServiceRequest.objects.filter(requests).values("pk"))


def visible_to(user: User, queryset: QuerySet[Task] | None = None) -> QuerySet[Task]:
    qs = Task.objects.all() if queryset is None else queryset
    condition = visibility_filter(user)
    return qs if condition is None else qs.filter(condition)


def can_view(user: User, task: Task) -> bool:
    return visible_to(user, Task.objects.filter(pk=task.pk)).exists()


def _supervises_team(user: User, task: Task) -> bool:
    return task.team.supervisor_id == user.pk


def can_manage(user: User, task: Task) -> bool:
    """Give the task to someone, change its due time, cancel it."""
    if not _active(user) or user.role in {Role.CUSTOMER, Role.ANALYST}:
        return False
    if user.role == Role.ADMIN or user.is_superuser:
        return True
    return _supervises_team(user, task) or (
        task.created_by_id == user.pk and user.role != Role.DEPARTMENT
    )


def can_work(user: User, task: Task) -> bool:
    """Start and finish it."""
    if not _active(user) or user.role in {Role.CUSTOMER, Role.ANALYST}:
        return False
    if can_manage(user, task) or task.assignee_id == user.pk:
        return True
    return task.team_id in _team_ids(user)


def can_be_assigned(user: User, task: Task) -> bool:
    """Who a task may be given to: an active member (or the supervisor) of its team."""
    if not user.is_active or user.role in {Role.CUSTOMER, Role.ANALYST}:
        return False
    return task.team.supervisor_id == user.pk or task.team.members.filter(pk=user.pk).exists()
