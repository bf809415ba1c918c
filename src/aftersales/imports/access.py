"""Who may import what: the one place these rules live.

- administrators import every kind (customers, units, historical requests);
- supervisors import customers and units (they keep the directory), not request history,
  which feeds the measures of everyone's work;
- the list of imports shows each person the kinds they may import.
"""

from django.db.models import QuerySet

from aftersales.accounts.models import User
from aftersales.imports.models import ImportJob, Kind

Role = User.Role


def _active(user: User) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def kinds_for(user: User) -> list[str]:
    if not _active(user):
        return []
    if user.is_superuser or user.role == Role.ADMIN:
        return list(Kind.values)
    if user.role == Role.SUPERVISOR:
        return [Kind.CUSTOMERS, Kind.UNITS]
    return []


def can_import(user: User, kind: str) -> bool:
    return kind in kinds_for(user)


def can_use(user: User) -> bool:
    return bool(kinds_for(user))


def visible_to(user: User, queryset: QuerySet[ImportJob] | None = None) -> QuerySet[ImportJob]:
    qs = ImportJob.objects.all() if queryset is None else queryset
    return qs.filter(kind__in=kinds_for(user))
