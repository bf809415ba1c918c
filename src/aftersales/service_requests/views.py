"""The staff console: the request list, a request with its actions and history, intake.

Each view: selector → form → one service call → redirect (no JavaScript) or partial (htmx).
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget, trigger_client_event

from aftersales.accounts.models import User
from aftersales.core.errors import DomainError
from aftersales.core.exports import export_response
from aftersales.core.htmx import render_page_or_partial
from aftersales.search.selectors import search_filter
from aftersales.service_requests import (
    access,
    api,
    assignments,
    display,
    exports,
    forms,
    selectors,
    services,
)
from aftersales.service_requests import transitions as lifecycle
from aftersales.service_requests.filters import RequestListFilter
from aftersales.service_requests.models import ServiceRequest

LIST = "service_requests/service_request_list.html"
DETAIL = "service_requests/service_request_detail.html"
NEW = "service_requests/service_request_new.html"
PER_PAGE = 25

# How a refusal is answered: the API's codes (SPEC §6), so scripts and people agree.
ERROR_STATUS = {"invalid": 400, "forbidden": 403, "invalid_transition": 409, "conflict": 409}


def _console(user: User, **context: Any) -> dict[str, Any]:
    """What every console page needs besides its own content (the navigation)."""
    return {
        "is_staff": access.is_staff(user),
        "can_intake": access.is_staff(user) and access.can_create(user),
        **context,
    }


def _non_empty(query: QueryDict) -> QueryDict:
    """The query without blank values: a form's "any" choice sends `status=`."""
    kept = QueryDict(mutable=True)
    for key, values in query.lists():
        present = [v for v in values if v.strip()]
        if present:
            kept.setlist(key, present)
    return kept


# --- List -----------------------------------------------------------------------------


def _listed(
    request: HttpRequest,
) -> tuple[QuerySet[ServiceRequest], forms.RequestListQuery, RequestListFilter, str]:
    """The list as the page's query string filters and orders it (the page and its export)."""
    user = request.user
    params = _non_empty(request.GET)
    query = forms.RequestListQuery(params)
    query.is_valid()
    view = query.cleaned_data.get("view") or "open"
    search = query.cleaned_data.get("search") or ""
    filterset = RequestListFilter(
        params, queryset=selectors.service_request_list(user), request=request
    )
    requests = filterset.qs.filter(selectors.saved_view_filter(user, view))
    if search:
        requests = search_filter(requests, search, include_internal=access.is_staff(user))
    requests = selectors.service_request_order(requests, query.cleaned_data.get("ordering"))
    return requests, query, filterset, view


@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    requests, query, filterset, view = _listed(request)
    page = Paginator(requests, PER_PAGE).get_page(request.GET.get("page"))
    views = selectors.SAVED_VIEWS if access.is_staff(user) else forms.CUSTOMER_VIEWS
    context = _console(
        user,
        page=page,
        rows=[(item, display.sla_badges(item)) for item in page],
        view=view,
        view_tabs=[(name, forms.SAVED_VIEW_LABELS[name]) for name in views],
        query=query,
        filter_form=filterset.form,
        assignees=selectors.assignee_candidates() if access.is_staff(user) else [],
    )
    return render_page_or_partial(request, LIST, "request-list", context)


@require_GET
def request_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The list as shown (saved view, filters, search, ordering), every page of it."""
    requests = _listed(request)[0]
    return export_response(
        fmt,
        "service-requests",
        exports.request_columns(request.user),
        exports.request_rows(requests),
    )


# --- Detail ---------------------------------------------------------------------------


def _detail_context(http: HttpRequest, request: ServiceRequest, **extra: Any) -> dict[str, Any]:
    user = http.user
    # The buttons are the lifecycle table's answer for this user now, never a list of our own.
    actions = [
        forms.ActionForm.for_request(transition, request)
        for transition in lifecycle.available(request, user)
    ]
    public = access.can_comment(user, request, internal=False)
    internal = access.is_staff(user) and access.can_comment(user, request, internal=True)
    return _console(
        user,
        sr=request,
        sla=display.sla_badges(request),
        holiday_gaps=display.holiday_gaps(request),
        actions=actions,
        comment_form=forms.CommentForm(public=public, internal=internal)
        if public or internal
        else None,
        edit_form=forms.ClassificationForm(request=request)
        if access.can_edit(user, request)
        else None,
        timeline=display.timeline(user, request),
        attachments=selectors.attachments_for(user, request),
        warranty=display.warranty(request),
        **_dispatch_context(user, request),
        **extra,
    )


def _dispatch_context(user: User, request: ServiceRequest) -> dict[str, Any]:
    """The assignment table, the task force and what this user may do about them (staff)."""
    if not access.is_staff(user):
        return {}
    manages = request.is_open and assignments.can_manage_task_force(user, request)
    members = list(selectors.participants_of(request))
    taken = {m.user_id for m in members} | {request.assignee_id}
    return {
        "assignment_lines": request.assignments.select_related("assignee", "team", "assigned_by"),
        "participants": members,
        "can_manage_task_force": manages,
        "task_force_candidates": [u for u in selectors.assignee_candidates() if u.pk not in taken]
        if manages
        else [],
        "can_auto_assign": request.is_open
        and access.dispatches(user, request)
        and "assign" in {t.name for t in lifecycle.available(request, user)},
    }


@require_GET
def request_detail(request: HttpRequest, number: str) -> HttpResponse:
    target = selectors.service_request_get_for_user(request.user, number)
    return render_page_or_partial(
        request, DETAIL, "request-panels", _detail_context(request, target)
    )


def changed_response(request: HttpRequest, number: str, notice: str) -> HttpResponse:
    """After a change: the refreshed panels (htmx), else back to the page (PRG). Also used
    by other apps' actions on a request (dispatch), so every change answers alike."""
    try:
        target = selectors.service_request_get_for_user(request.user, number)
    except Http404:
        # The change took the request out of this user's sight (e.g. routed to another team).
        messages.success(request, notice)
        if request.htmx:
            return HttpResponseClientRedirect(reverse("service_requests:list"))
        return redirect("service_requests:list")
    if not request.htmx:
        messages.success(request, notice)
        return redirect("service_requests:detail", number=target.number)
    response = render_page_or_partial(
        request, DETAIL, "request-panels", _detail_context(request, target, notice=notice)
    )
    return trigger_client_event(response, "request-changed")


def refused_response(
    request: HttpRequest, target: ServiceRequest, exc: DomainError, *, box: str
) -> HttpResponse:
    """A refusal shown where the form is (htmx, 4xx), else as a message on the page (PRG)."""
    if not request.htmx:
        details = [m for messages_ in exc.fields.values() for m in messages_ if m != exc.message]
        messages.error(request, " ".join([exc.message, *details]))
        return redirect("service_requests:detail", number=target.number)
    context = {"sr": target, "error": exc, "conflict": exc.code == "conflict"}
    response = render(
        request, f"{DETAIL}#form-errors", context, status=ERROR_STATUS.get(exc.code, 400)
    )
    return reswap(retarget(response, f"#{box}"), "innerHTML")


@require_POST
def request_act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    target = selectors.service_request_get_for_user(request.user, number)
    transition = lifecycle.TRANSITIONS.get(action)
    if transition is None:
        raise Http404("No such action.")
    box = f"act-{transition.name}-errors"
    form = forms.ActionForm(transition, request.POST)
    if not form.is_valid():
        return refused_response(request, target, forms.form_error(form), box=box)
    try:
        services.service_request_act(
            target,
            transition.name,
            by=request.user,
            data=form.action_data(),
            expected_version=form.cleaned_data["version"],
        )
    except DomainError as exc:
        return refused_response(request, target, exc, box=box)
    notice = _("%(action)s: done.") % {"action": transition.label}
    return changed_response(request, target.number, notice)


@require_POST
def request_comment(request: HttpRequest, number: str) -> HttpResponse:
    target = selectors.service_request_get_for_user(request.user, number)
    user = request.user
    form = forms.CommentForm(
        request.POST,
        request.FILES,
        public=access.can_comment(user, target, internal=False),
        internal=access.is_staff(user) and access.can_comment(user, target, internal=True),
    )
    if not form.is_valid():
        return refused_response(request, target, forms.form_error(form), box="comment-errors")
    try:
        services.comment_add(
            target,
            by=user,
            body=form.cleaned_data["body"],
            internal=form.internal,
            uploads=form.cleaned_data["attachments"],
        )
    except DomainError as exc:
        return refused_response(request, target, exc, box="comment-errors")
    return changed_response(
        request, target.number, _("Internal note added.") if form.internal else _("Reply sent.")
    )


@require_POST
def request_edit(request: HttpRequest, number: str) -> HttpResponse:
    target = selectors.service_request_get_for_user(request.user, number)
    form = forms.ClassificationForm(request.POST, request=target)
    if not form.is_valid():
        return refused_response(request, target, forms.form_error(form), box="edit-errors")
    try:
        services.service_request_update(
            target,
            by=request.user,
            data=form.changes(),
            expected_version=form.cleaned_data["version"],
        )
    except DomainError as exc:
        return refused_response(request, target, exc, box="edit-errors")
    notice = _("Changes saved.") if form.changes() else _("Nothing was changed.")
    return changed_response(request, target.number, notice)


@require_GET
def attachment_download(request: HttpRequest, number: str, attachment_id: int) -> HttpResponse:
    attachment = selectors.attachment_get_for_user(request.user, number, attachment_id)
    return api.attachment_response(attachment)


# --- Intake ---------------------------------------------------------------------------


def _require_intake(user: User) -> None:
    if not (access.is_staff(user) and access.can_create(user)):
        raise PermissionDenied(_("You may not record service requests."))


def _new_context(http: HttpRequest, form: forms.NewRequestForm) -> dict[str, Any]:
    phone = form["phone"].value() or ""
    return _console(
        http.user,
        form=form,
        phone=phone,
        matches=selectors.customer_lookup(http.user, phone),
        chosen_customer=str(form["customer"].value() or ""),
        chosen_unit=str(form["unit"].value() or ""),
        time_zone=timezone.get_current_timezone_name(),
    )


@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_intake(user)
    if request.method == "GET":
        form = forms.NewRequestForm(user=user)
        return render(request, NEW, _new_context(request, form))
    if "lookup" in request.POST:
        # The look-up button without JavaScript: show the matches, keep what was typed.
        form = forms.NewRequestForm(user=user, initial=_non_empty(request.POST).dict())
        return render(request, NEW, _new_context(request, form))
    form = forms.NewRequestForm(request.POST, request.FILES, user=user)
    if form.is_valid():
        try:
            created = services.service_request_intake(
                by=user,
                customer=form.cleaned_data["customer"],
                new_customer=form.new_customer(),
                data=form.request_data(),
                uploads=form.cleaned_data["attachments"],
            )
        except DomainError as exc:
            forms.add_domain_error(form, exc, forms.INTAKE_ALIASES)
        else:
            messages.success(
                request,
                _("Service request %(number)s recorded. First response due %(due)s.")
                % {
                    "number": created.number,
                    "due": timezone.localtime(created.first_response_due_at).strftime(
                        "%Y-%m-%d %H:%M"
                    ),
                },
            )
            if not access.can_view(user, created):
                return redirect("service_requests:list")
            return redirect("service_requests:detail", number=created.number)
    return render(request, NEW, _new_context(request, form), status=400)


@require_GET
def customer_lookup(request: HttpRequest) -> HttpResponse:
    """Customers matching a caller's phone: the list alone for htmx, else the whole form."""
    _require_intake(request.user)
    form = forms.NewRequestForm(user=request.user, initial=_non_empty(request.GET).dict())
    return render_page_or_partial(request, NEW, "customer-matches", _new_context(request, form))
