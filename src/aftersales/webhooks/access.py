"""Who may manage webhooks: administrators only. They hold the integrators' secrets and
decide which endpoints (and whether private addresses) our server calls."""

from aftersales.accounts.models import User


def can_manage(user: User) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role == User.Role.ADMIN)
