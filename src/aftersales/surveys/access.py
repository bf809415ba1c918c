"""Who may see what of surveys: the one place these rules live.

- the measures and comments (the "Satisfaction" page, `surveys/summary/`): supervisors,
  analysts and admins;
- invitations: staff who may see their request (customers have only their link);
- the questions: admins change them; staff read them.
"""

from django.db.models import Q, QuerySet

from aftersales.accounts.models import User
from aftersales.service_requests import access as request_access
from aftersales.service_requests.models import ServiceRequest
from aftersales.surveys.models import Invitation

Role = User.Role


def _active(user: User) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_see_measures(user: User) -> bool:
    return _active(user) and (
        user.role in {Role.SUPERVISOR, Role.ANALYST, Role.ADMIN} or user.is_superuser
    )


def can_manage_questions(user: User) -> bool:
    return _active(user) and (user.role == Role.ADMIN or user.is_superuser)


def can_read_questions(user: User) -> bool:
    return request_access.is_staff(user)


def invitations_visible_to(user: User) -> QuerySet[Invitation]:
    if not request_access.is_staff(user):
        return Invitation.objects.none()
    condition = request_access.visibility_filter(user)
    qs = Invitation.objects.all()
    if condition is None:
        return qs
    return qs.filter(Q(request__in=ServiceRequest.objects.filter(condition).values("pk")))
