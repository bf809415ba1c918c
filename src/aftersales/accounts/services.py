"""Use cases of accounts.

- staff_user_create: an admin creates a staff account with a role and teams
- staff_user_update: an admin changes role, teams, details or disables an account
- admin_ensure: the first administrator, created once at start-up
"""

import secrets
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from rest_framework.authtoken.models import Token

from aftersales.accounts.models import Team, User


@transaction.atomic
def staff_user_create(
    *,
    by: User | None,
    username: str,
    password: str,
    role: str,
    teams: Iterable[Team] = (),
    **details: Any,
) -> User:
    user = User(username=username, role=role, is_staff=role == User.Role.ADMIN, **details)
    user.set_password(password)
    user.full_clean()
    user.save()
    user.teams.set(list(teams))
    return user


@transaction.atomic
def staff_user_update(
    user: User, *, by: User, teams: Iterable[Team] | None = None, **changes: Any
) -> User:
    for field, value in changes.items():
        setattr(user, field, value)
    if "role" in changes:
        user.is_staff = user.role == User.Role.ADMIN
    user.full_clean()
    user.save()
    if teams is not None:
        user.teams.set(list(teams))
    if changes.get("is_active") is False:
        # A disabled account loses its API token at once (sessions are refused by is_active).
        Token.objects.filter(user=user).delete()
    return user


def admin_ensure(*, username: str, password: str | None) -> tuple[User, str | None]:
    """The administrator account; created if missing. Returns the generated password, if any."""
    existing = User.objects.filter(username=username).first()
    if existing is not None:
        return existing, None
    generated = None
    if not password:
        generated = password = secrets.token_urlsafe(12)
    user = User(username=username, role=User.Role.ADMIN, is_staff=True, is_superuser=True)
    user.set_password(password)
    user.save()
    return user, generated
