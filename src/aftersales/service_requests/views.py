"""The staff console: the request list, a request with its actions and history, intake.

Each view: selector → form → one service call → redirect (no JavaScript) or partial (htmx).
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget, trigger_client_event

from aftersales.accounts.models import User
from aftersales.core.errors import DomainError
from aftersales.core.htmx import render_page_or_partial
from aftersales.search.selectors import search_filter
from aftersales.service_requests import access, api, deadlines, forms, selectors, services
from aftersales.service_requests import transitions as lifecycle
from aftersales.service_requests.filters import ServiceRequestFilter
from aftersales.service_requests.models import (
    Attachment,
    Comment,
    ServiceRequest,
    ServiceRequestEvent,
)

LIST = "service_requests/service_request_list.html"
DETAIL = "service_requests/service_request_detail.html"
NEW = "service_requests/service_request_new.html"

# How a refusal is answered: the API's codes (SPEC §6), so scripts and people agree.
ERROR_STATUS = {"invalid": 400, "forbidden": 403, "invalid_transition": 409, "conflict": 409}
# Most pressing first: the one badge a list row shows.
SLA_SEVERITY = ("breached", "missed", "warning", "paused", "ok", "met")
Event = ServiceRequestEvent.Kind


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


def _sla_badges(request: ServiceRequest) -> dict[str, Any]:
    block = selectors.sla_block(request)
    names = {"first_response": _("First response"), "resolution": _("Resolution")}
    targets = [
        {**state, "name": names[key], "label": deadlines.STATE_LABELS[state["state"]]}
        for key, state in block.items()
    ]
    worst = min(targets, key=lambda t: SLA_SEVERITY.index(t["state"]))
    return {"targets": targets, "worst": worst}


@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    params = _non_empty(request.GET)
    query = forms.RequestListQuery(params)
    query.is_valid()
    view = query.cleaned_data.get("view") or "open"
    search = query.cleaned_data.get("search") or ""
    filterset = ServiceRequestFilter(
        params, queryset=selectors.service_request_list(user), request=request
    )
    requests = filterset.qs.filter(selectors.saved_view_filter(user, view))
    if search:
        requests = search_filter(requests, search, include_internal=access.is_staff(user))
    requests = selectors.service_request_order(requests, query.cleaned_data.get("ordering"))
    page = Paginator(requests, forms.PER_PAGE).get_page(request.GET.get("page"))
    views = selectors.SAVED_VIEWS if access.is_staff(user) else forms.CUSTOMER_VIEWS
    context = _console(
        user,
        page=page,
        rows=[(item, _sla_badges(item)) for item in page],
        view=view,
        view_tabs=[(name, forms.SAVED_VIEW_LABELS[name]) for name in views],
        query=query,
        filter_form=filterset.form,
        assignees=selectors.assignee_candidates() if access.is_staff(user) else [],
    )
    return render_page_or_partial(request, LIST, "request-list", context)


# --- Detail ---------------------------------------------------------------------------


@dataclass
class TimelineEntry:
    """One line of a request's history: a reply, a note, or an event."""

    at: datetime.datetime
    kind: str
    title: str
    actor: str = ""
    body: str = ""
    internal: bool = False
    changes: list[tuple[str, Any, Any]] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)


def _change(name: str, old: Any, new: Any) -> tuple[str, Any, Any]:
    """A recorded change as people read it: the field's label and its values' labels."""
    try:
        model_field = ServiceRequest._meta.get_field(name)
    except FieldDoesNotExist:  # a change recorded for a field that has since gone
        return name, old, new
    labels = dict(model_field.choices or ())
    return capfirst(model_field.verbose_name), labels.get(old, old), labels.get(new, new)


def _event_entry(event: ServiceRequestEvent, *, staff: bool) -> TimelineEntry:
    actor = event.actor.display_name if event.actor and staff else ""
    entry = TimelineEntry(
        at=event.created_at,
        kind="event",
        title=event.get_kind_display(),
        actor=actor,
        internal=event.is_internal,
    )
    if event.kind == Event.CREATED:
        entry.title = _("Request received via %(channel)s") % {
            "channel": _change("channel", None, event.changes.get("channel"))[2]
        }
    elif event.kind == Event.STATUS_CHANGED:
        transition = lifecycle.TRANSITIONS.get(event.action)
        entry.title = str(transition.label) if transition else event.action
        entry.changes = [_change("status", event.from_status, event.to_status)]
        if staff and event.changes.get("assignee"):
            entry.changes.append(_change("assignee", None, event.changes["assignee"]))
        if event.changes.get("scheduled_for"):
            when = datetime.datetime.fromisoformat(event.changes["scheduled_for"])
            entry.changes.append(_change("scheduled_for", None, when))
        entry.body = event.note
    elif event.kind == Event.UPDATED:
        entry.changes = [_change(name, old, new) for name, (old, new) in event.changes.items()]
    elif event.kind == Event.ATTACHMENT_ADDED:
        entry.body = event.note
    return entry


def _comment_entry(comment: Comment) -> TimelineEntry:
    return TimelineEntry(
        at=comment.created_at,
        kind="comment",
        title=_("Internal note") if comment.is_internal else _("Reply"),
        actor=comment.author_name,
        body=comment.body,
        internal=comment.is_internal,
        attachments=list(comment.attachments.all()),
    )


def _timeline(user: User, request: ServiceRequest) -> list[TimelineEntry]:
    """Events and comments in time order; a comment stands for its own "replied" event."""
    staff = access.is_staff(user)
    entries = [
        _event_entry(event, staff=staff)
        for event in selectors.events_for(user, request)
        if event.kind not in {Event.COMMENTED, Event.NOTE_ADDED}
    ]
    entries += [_comment_entry(comment) for comment in selectors.comments_for(user, request)]
    return sorted(entries, key=lambda entry: entry.at)


def _detail_context(http: HttpRequest, request: ServiceRequest, **extra: Any) -> dict[str, Any]:
    user = http.user
    actions = []
    for transition in lifecycle.available(request, user):
        initial: dict[str, Any] = {"version": request.version}
        if "assignee" in transition.needs:
            initial |= {"assignee": request.assignee_id, "team": request.team_id}
        actions.append(forms.ActionForm(transition, initial=initial))
    public = access.can_comment(user, request, internal=False)
    internal = access.is_staff(user) and access.can_comment(user, request, internal=True)
    unit = request.unit
    warranty = None
    if unit is not None and unit.warranty_end is not None:
        day = timezone.localdate(request.received_at)
        warranty = {"end": unit.warranty_end, "active": unit.in_warranty_on(day)}
    return _console(
        user,
        sr=request,
        sla=_sla_badges(request),
        actions=actions,
        comment_form=forms.CommentForm(public=public, internal=internal)
        if public or internal
        else None,
        edit_form=forms.ClassificationForm(request=request)
        if access.can_edit(user, request)
        else None,
        timeline=_timeline(user, request),
        attachments=selectors.attachments_for(user, request),
        warranty=warranty,
        **extra,
    )


@require_GET
def request_detail(request: HttpRequest, number: str) -> HttpResponse:
    target = selectors.service_request_get_for_user(request.user, number)
    return render_page_or_partial(
        request, DETAIL, "request-panels", _detail_context(request, target)
    )


def _changed(request: HttpRequest, number: str, notice: str) -> HttpResponse:
    """After a change: the refreshed panels (htmx), else back to the page (PRG)."""
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


def _refused(
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
        return _refused(request, target, forms.form_error(form), box=box)
    try:
        services.service_request_act(
            target,
            transition.name,
            by=request.user,
            data=form.action_data(),
            expected_version=form.cleaned_data["version"],
        )
    except DomainError as exc:
        return _refused(request, target, exc, box=box)
    notice = _("%(action)s: done.") % {"action": transition.label}
    return _changed(request, target.number, notice)


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
        return _refused(request, target, forms.form_error(form), box="comment-errors")
    try:
        services.comment_add(
            target,
            by=user,
            body=form.cleaned_data["body"],
            internal=form.internal,
            uploads=form.cleaned_data["attachments"],
        )
    except DomainError as exc:
        return _refused(request, target, exc, box="comment-errors")
    return _changed(
        request, target.number, _("Internal note added.") if form.internal else _("Reply sent.")
    )


@require_POST
def request_edit(request: HttpRequest, number: str) -> HttpResponse:
    target = selectors.service_request_get_for_user(request.user, number)
    form = forms.ClassificationForm(request.POST, request=target)
    if not form.is_valid():
        return _refused(request, target, forms.form_error(form), box="edit-errors")
    try:
        services.service_request_update(
            target,
            by=request.user,
            data=form.changes(),
            expected_version=form.cleaned_data["version"],
        )
    except DomainError as exc:
        return _refused(request, target, exc, box="edit-errors")
    notice = _("Changes saved.") if form.changes() else _("Nothing was changed.")
    return _changed(request, target.number, notice)


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
