"""Who may do what with spare parts and stock: the one place these rules live.

Services check them (so every path — API, pages, admin actions, later pieces — is covered);
the API and the pages check them too, to answer before reading any input.
"""

from aftersales.accounts.models import Team, User
from aftersales.parts.models import Warehouse
from aftersales.service_requests import access as request_access
from aftersales.service_requests.models import ServiceRequest

Role = User.Role

# Roles that can work a service request at all (the request decides the rest).
REQUEST_WORKERS = request_access.WORKERS


def _active(user: User) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_admin(user: User) -> bool:
    return _active(user) and (user.role == Role.ADMIN or user.is_superuser)


def can_read_stock(user: User) -> bool:
    """Every staff member reads the catalogue, the warehouses and their stock."""
    return request_access.is_staff(user)


def can_manage_catalogue(user: User) -> bool:
    """Create and change parts and warehouses."""
    return is_admin(user)


def is_warehouse_staff(user: User) -> bool:
    if not _active(user) or user.role != Role.DEPARTMENT:
        return False
    cached = getattr(user, "_warehouse_member_cache", None)
    if cached is None:
        cached = user.teams.filter(kind=Team.Kind.WAREHOUSE).exists()
        user._warehouse_member_cache = cached  # type: ignore[attr-defined]
    return cached


def can_manage_stock(user: User) -> bool:
    """Receive, count (adjust) and transfer stock: admins, supervisors, warehouse staff."""
    if not _active(user):
        return False
    return is_admin(user) or user.role == Role.SUPERVISOR or is_warehouse_staff(user)


def may_use_stock(user: User) -> bool:
    """Whether `user` could reserve or use parts for some request (the request decides)."""
    return _active(user) and (user.role in REQUEST_WORKERS or user.is_superuser)


def can_use_stock_for(user: User, request: ServiceRequest) -> bool:
    """Reserve, release and use parts for `request`: whoever may work it."""
    return request_access.works_on(user, request)


def can_take_directly_from(user: User, warehouse: Warehouse) -> bool:
    """A technician takes parts without a reservation only from their own van."""
    if user.role == Role.TECHNICIAN and not user.is_superuser:
        return warehouse.kind == Warehouse.Kind.VAN and warehouse.technician_id == user.pk
    return True
