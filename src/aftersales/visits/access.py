"""Who may do what with on-site visits: the one place these rules live.

Seeing a visit follows seeing its request (`service_requests.access`), plus the technicians
booked on it. Dispatchers of the request book, reschedule and cancel; the technicians on
the visit set off, arrive, record work, report no one home and finish. Leave is entered by
administrators and by supervisors of the technician's team.
"""

from aftersales.accounts.models import User
from aftersales.service_requests import access as request_access
from aftersales.service_requests.models import ServiceRequest
from aftersales.visits.models import Visit

Role = User.Role


def _active(user: User) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_staff(user: User) -> bool:
    return request_access.is_staff(user)


def may_book(user: User) -> bool:
    """Whether `user` could book some visit (the request decides which): answered before
    any input is read."""
    return _active(user) and (user.role in request_access.DISPATCHERS or user.is_superuser)


def can_book(user: User, request: ServiceRequest) -> bool:
    """Book, reschedule and cancel visits of `request`: its dispatchers."""
    return _active(user) and request_access.dispatches(user, request)


def can_be_booked(user: User) -> bool:
    """Who can be sent on a visit: people who can work service requests."""
    return request_access.can_work_as_assignee(user)


def is_on_visit(user: User, visit: Visit) -> bool:
    """The technicians booked on `visit` work it on site."""
    # Through `all()`, so a list that prefetched the bookings asks nothing more.
    return _active(user) and any(b.technician_id == user.pk for b in visit.bookings.all())


def may_manage_leave(user: User) -> bool:
    return _active(user) and (user.role in {Role.ADMIN, Role.SUPERVISOR} or user.is_superuser)


def can_manage_leave(user: User, technician: User) -> bool:
    """Administrators, and supervisors of a team the technician is in."""
    if not _active(user):
        return False
    if user.role == Role.ADMIN or user.is_superuser:
        return True
    if user.role != Role.SUPERVISOR:
        return False
    return technician.teams.filter(pk__in=user.teams.values("pk")).exists()
