"""Who may do what with diagnoses and solution plans: the request's own rules
(`service_requests.access`), applied to this app's use cases in one place."""

from aftersales.accounts.models import User
from aftersales.service_requests import access as request_access
from aftersales.service_requests.models import ServiceRequest

Role = User.Role


def can_work(user: User, request: ServiceRequest) -> bool:
    """Write the diagnosis, make and submit plans, record a phone consent."""
    return request_access.works_on(user, request)


def can_decide(user: User, request: ServiceRequest) -> bool:
    """Approve or reject a plan: the request's supervisor (SPEC §2.4)."""
    return request_access.supervises(user, request)


def is_approver(user: User) -> bool:
    """Has an approval queue: supervisors and admins."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.role in {Role.SUPERVISOR, Role.ADMIN} or user.is_superuser)
    )


def sees_internals(user: User) -> bool:
    """Staff see every plan with its history; a customer only what was offered to them."""
    return request_access.is_staff(user)


def can_read_rules(user: User) -> bool:
    return request_access.is_staff(user)


def can_manage_rules(user: User) -> bool:
    return bool(
        user.is_authenticated and user.is_active and (user.role == Role.ADMIN or user.is_superuser)
    )
