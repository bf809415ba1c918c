"""The columns of the request list and assignment table exports (CSV and XLSX), defined once.

Rows come from the same filtered querysets as the list pages and the API; customers get the
columns of their own view (who works on a request is staff information, SPEC §1).
"""

from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core.exports import CHUNK, Column, service_time
from aftersales.service_requests import access
from aftersales.service_requests.models import Assignment, ServiceRequest


def _username(user: User | None) -> str:
    return user.username if user is not None else ""


REQUEST_COLUMNS = [
    Column(_("Service number"), lambda r: r.number),
    Column(_("Title"), lambda r: r.title),
    Column(_("Status"), lambda r: r.get_status_display()),
    Column(_("Kind"), lambda r: r.get_kind_display()),
    Column(_("Category"), lambda r: r.get_category_display()),
    Column(_("Priority"), lambda r: r.get_priority_display()),
    Column(_("Channel"), lambda r: r.get_channel_display()),
    Column(_("Customer"), lambda r: r.customer.name),
    Column(_("Contact"), lambda r: r.contact_name),
    Column(_("Product"), lambda r: str(r.product) if r.product else ""),
    Column(_("Serial number"), lambda r: r.serial_number),
    Column(_("Received at"), lambda r: service_time(r.received_at)),
    Column(_("Resolution due"), lambda r: service_time(r.resolution_due_at)),
    Column(_("Resolved at"), lambda r: service_time(r.resolved_at)),
    Column(_("Closed at"), lambda r: service_time(r.closed_at)),
    Column(_("Reopened"), lambda r: r.reopen_count),
]
STAFF_REQUEST_COLUMNS = [
    *REQUEST_COLUMNS[:7],
    Column(_("Assignee"), lambda r: _username(r.assignee)),
    Column(_("Team"), lambda r: r.team.name if r.team else ""),
    *REQUEST_COLUMNS[7:],
]


def request_columns(user: User) -> list[Column]:
    return STAFF_REQUEST_COLUMNS if access.is_staff(user) else REQUEST_COLUMNS


def request_rows(requests: QuerySet[ServiceRequest]) -> Iterator[ServiceRequest]:
    return requests.iterator(chunk_size=CHUNK)


ASSIGNMENT_COLUMNS = [
    Column(_("Service number"), lambda a: a.request.number),
    Column(_("Assignee"), lambda a: _username(a.assignee)),
    Column(_("Team"), lambda a: a.team.name if a.team else ""),
    # Empty: the system (routing, an escalation rule).
    Column(_("Assigned by"), lambda a: _username(a.assigned_by)),
    Column(_("How"), lambda a: a.get_method_display()),
    Column(_("Reason"), lambda a: a.reason),
    Column(_("Assigned at"), lambda a: service_time(a.assigned_at)),
    Column(_("Due"), lambda a: service_time(a.due_at)),
    Column(_("Ended at"), lambda a: service_time(a.ended_at)),
]


def assignment_rows(assignments: QuerySet[Assignment]) -> Iterator[Assignment]:
    return assignments.iterator(chunk_size=CHUNK)
