"""Who may read the measures (SPEC §1, §5): the one place these rules live.

- analysts ("read every report") and administrators: every request;
- supervisors: the requests of their own teams (their figures, not the others');
- agents, technicians, department staff and customers: none — the measures are management
  reports; agents see their work in the lists and queues.
"""

from aftersales.accounts.models import User

Role = User.Role


def _active(user: User) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_read(user: User) -> bool:
    return _active(user) and (
        user.role in {Role.SUPERVISOR, Role.ANALYST, Role.ADMIN} or user.is_superuser
    )


def team_scope(user: User) -> list[int] | None:
    """The teams whose requests `user` measures; None means every request."""
    if user.is_superuser or user.role in {Role.ANALYST, Role.ADMIN}:
        return None
    return sorted(user.teams.values_list("id", flat=True))
