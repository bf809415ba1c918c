"""Who may see and run follow-ups: the one place these rules live.

- agents and admins run every follow-up; supervisors those of requests they supervise and
  of the teams they lead or belong to (the service desk's supervisor runs its queue);
- technicians see the follow-ups of the requests they see; analysts read them all;
- department staff and customers have none (a customer has only their survey link).
"""

from django.db.models import Q, QuerySet

from aftersales.accounts.models import User
from aftersales.followups.models import FollowUp
from aftersales.service_requests import access as request_access
from aftersales.service_requests.models import ServiceRequest

Role = User.Role
READERS = {Role.AGENT, Role.TECHNICIAN, Role.SUPERVISOR, Role.ANALYST, Role.ADMIN}


def _active(user: User) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_see_any(user: User) -> bool:
    return _active(user) and (user.role in READERS or user.is_superuser)


def can_run_any(user: User) -> bool:
    return _active(user) and (
        user.role in {Role.AGENT, Role.SUPERVISOR, Role.ADMIN} or user.is_superuser
    )


def visibility_filter(user: User) -> Q | None:
    """A filter on FollowUp for what `user` may see; None means everything."""
    if not can_see_any(user):
        return Q(pk__in=[])
    condition = request_access.visibility_filter(user)
    if condition is None:
        return None
    requests = Q(request__in=ServiceRequest.objects.filter(condition).values("pk"))
    if user.role == Role.SUPERVISOR:
        teams = list(user.teams.values_list("pk", flat=True))
        return requests | Q(team_id__in=teams) | Q(team__supervisor_id=user.pk)
    return requests


def visible_to(user: User, queryset: QuerySet[FollowUp] | None = None) -> QuerySet[FollowUp]:
    qs = FollowUp.objects.all() if queryset is None else queryset
    condition = visibility_filter(user)
    return qs if condition is None else qs.filter(condition)


def can_run(user: User, followup: FollowUp) -> bool:
    """Record a result, give up, send a survey link."""
    if not can_run_any(user):
        return False
    if user.role in {Role.AGENT, Role.ADMIN} or user.is_superuser:
        return True
    if request_access.supervises(user, followup.request):
        return True
    team = followup.team
    return team is not None and (
        team.supervisor_id == user.pk or user.teams.filter(pk=team.pk).exists()
    )
