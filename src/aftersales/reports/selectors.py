"""Reading stored monthly reports for a user (always through `access`)."""

from django.http import Http404

from aftersales.accounts.models import User
from aftersales.reports import access
from aftersales.reports.models import MonthlyReport


def report_list(user: User) -> list[MonthlyReport]:
    """The stored reports `user` may download, newest month first."""
    if not access.can_read(user):
        return []
    reports = MonthlyReport.objects.select_related("generated_by").order_by(
        "-month", "scope_key", "language"
    )
    if access.scope_of(user) is not None:
        reports = reports.filter(teams__isnull=False)
    # The scope is a small JSON list: checked here rather than in SQL, the same on every
    # database; there are a few reports a month.
    return [report for report in reports if access.can_download(user, report)]


def report_get_for_user(user: User, report_id: int) -> MonthlyReport:
    """404 for a report that does not exist or is outside `user`'s scope (no enumeration)."""
    report = MonthlyReport.objects.filter(pk=report_id).first()
    if report is None or not access.can_download(user, report):
        raise Http404("No such report.")
    return report
