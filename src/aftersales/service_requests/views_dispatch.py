"""Console pages of the assignment table and the task force (SPEC §2.3–2.4)."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aftersales.accounts.models import User
from aftersales.core.errors import DomainError
from aftersales.core.exports import export_response
from aftersales.service_requests import access, assignments, exports, selectors
from aftersales.service_requests.filters import AssignmentFilter
from aftersales.service_requests.views import (
    _console,
    _non_empty,
    changed_response,
    refused_response,
)

TABLE = "service_requests/assignment_table.html"


def _user_from(request: HttpRequest) -> User | None:
    return User.objects.filter(username=request.POST.get("username", "")).first()


@require_POST
def participant_add(request: HttpRequest, number: str) -> HttpResponse:
    target = selectors.service_request_get_for_user(request.user, number)
    person = _user_from(request)
    try:
        if person is None:
            message = _("Choose who joins the task force.")
            raise DomainError(message, fields={"username": [message]})
        assignments.participant_add(target, user=person, by=request.user)
    except DomainError as exc:
        return refused_response(request, target, exc, box="task-force-errors")
    notice = _("%(name)s joined the task force.") % {"name": person.display_name}
    return changed_response(request, target.number, notice)


@require_POST
def participant_remove(request: HttpRequest, number: str) -> HttpResponse:
    target = selectors.service_request_get_for_user(request.user, number)
    person = _user_from(request)
    if person is None:
        raise Http404("No such person.")
    try:
        assignments.participant_remove(target, user=person, by=request.user)
    except DomainError as exc:
        return refused_response(request, target, exc, box="task-force-errors")
    notice = _("%(name)s left the task force.") % {"name": person.display_name}
    return changed_response(request, target.number, notice)


def _table(request: HttpRequest) -> AssignmentFilter:
    if not access.is_staff(request.user):
        raise PermissionDenied(_("Only staff see the assignment table."))
    return AssignmentFilter(
        _non_empty(request.GET), queryset=selectors.assignments_for(request.user)
    )


@require_GET
def assignment_table(request: HttpRequest) -> HttpResponse:
    filterset = _table(request)
    rows = filterset.qs.order_by("-assigned_at", "-id") if filterset.is_valid() else []
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    query = _non_empty(request.GET)
    query.pop("page", None)
    return render(
        request,
        TABLE,
        _console(
            request.user,
            page=page,
            filter_form=filterset.form,
            query=query.urlencode(),
        ),
        status=200 if filterset.is_valid() else 400,
    )


@require_GET
def assignment_export(request: HttpRequest, fmt: str) -> HttpResponse:
    filterset = _table(request)
    if not filterset.is_valid():
        return assignment_table(request)
    rows = filterset.qs.order_by("-assigned_at", "-id")
    return export_response(
        fmt, "assignments", exports.ASSIGNMENT_COLUMNS, exports.assignment_rows(rows)
    )
