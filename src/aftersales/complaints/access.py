"""Who may see and work complaints: the one place these rules live.

- a complaint is seen by staff who see its request (`service_requests.access`), except
  department staff: they work the tasks routed to their department (the tasks app shows
  them what they need) and never the complaint record; customers see their complaint on the
  portal through its signed link, not here;
- front-line staff (agents), supervisors and admins register complaints;
- whoever works the request (`works_on`) records contacts, the investigation, proposals, a
  paper agreement and the customer's answers by phone, and offers an approved proposal;
- a supervisor of the request's team (or an admin) approves or sends back a proposal, but
  not one they proposed themself — admins excepted, since a small desk may have one;
- the same supervisors close a complaint by a documented decision.
"""

from django.db.models import Q, QuerySet

from aftersales.accounts.models import User
from aftersales.complaints.models import Complaint, Proposal
from aftersales.service_requests import access as request_access
from aftersales.service_requests.models import ServiceRequest

Role = User.Role
REGISTRARS = {Role.AGENT, Role.SUPERVISOR, Role.ADMIN}


def _active(user: User) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_admin(user: User) -> bool:
    return _active(user) and (user.role == Role.ADMIN or user.is_superuser)


def can_see_any(user: User) -> bool:
    return _active(user) and user.role not in {Role.CUSTOMER, Role.DEPARTMENT}


def visibility_filter(user: User) -> Q | None:
    """A filter on Complaint for what `user` may see; None means everything."""
    if not can_see_any(user):
        return Q(pk__in=[])
    condition = request_access.visibility_filter(user)
    if condition is None:
        return None
    return Q(request__in=ServiceRequest.objects.filter(condition).values("pk"))


def visible_to(user: User, queryset: QuerySet[Complaint] | None = None) -> QuerySet[Complaint]:
    qs = Complaint.objects.all() if queryset is None else queryset
    condition = visibility_filter(user)
    return qs if condition is None else qs.filter(condition)


def can_register(user: User) -> bool:
    return _active(user) and (user.role in REGISTRARS or user.is_superuser)


def can_work(user: User, complaint: Complaint) -> bool:
    return _active(user) and request_access.works_on(user, complaint.request)


def supervises(user: User, complaint: Complaint) -> bool:
    return _active(user) and request_access.supervises(user, complaint.request)


def can_decide(user: User, proposal: Proposal) -> bool:
    """Approve or send back: a supervisor of the request, never of their own proposal
    (admins may)."""
    if not supervises(user, proposal.complaint):
        return False
    return proposal.proposed_by_id != user.pk or is_admin(user)
