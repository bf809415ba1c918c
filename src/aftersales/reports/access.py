"""Who may make and read the monthly reports: whoever may read the measures
(`metrics.access`), for their own scope.

- analysts and administrators: the whole service's reports and every team's;
- supervisors: the reports of their teams only (every team of the report is one of theirs),
  never the whole service's nor another team's;
- everyone else: none.
"""

from aftersales.accounts.models import User
from aftersales.metrics import access as metrics_access
from aftersales.reports.models import MonthlyReport


def can_read(user: User) -> bool:
    return metrics_access.can_read(user)


def scope_of(user: User) -> list[int] | None:
    """The teams a report made by `user` measures; None: the whole service."""
    return metrics_access.team_scope(user)


def can_download(user: User, report: MonthlyReport) -> bool:
    if not can_read(user):
        return False
    scope = scope_of(user)
    if scope is None:
        return True
    return report.teams is not None and set(report.teams) <= set(scope)
