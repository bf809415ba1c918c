"""Console pages of quality feedback: the problem records (list, page, new, edit, lifecycle,
actions, links), the spikes page with its one-click record, and the usage questions that
feed training. Each change: form → one service call → back to the record with a message; a
refusal is shown there, with the API's status code."""

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aftersales.accounts.models import User
from aftersales.core.errors import DomainError
from aftersales.quality import access, filters, forms, selectors, services, spikes
from aftersales.quality.models import ProblemAction, ProblemRecord
from aftersales.service_requests import access as request_access
from aftersales.service_requests.forms import form_error
from aftersales.service_requests.models import ServiceRequest
from aftersales.service_requests.numbering import normalise_number

PER_PAGE = 50
ERROR_STATUS = {"invalid": 400, "forbidden": 403, "invalid_transition": 409, "conflict": 409}
NOTICES = {
    "investigate": gettext_lazy("The investigation has started."),
    "act": gettext_lazy("The actions are under way."),
    "verify": gettext_lazy("The actions are verified."),
    "reopen": gettext_lazy("The problem record is back to its actions."),
    "close": gettext_lazy("The problem record is closed."),
    "cancel": gettext_lazy("The problem record is cancelled."),
}
EVENT_LABELS = {
    "opened": gettext_lazy("Opened"),
    "updated": gettext_lazy("Changed"),
    "investigate": gettext_lazy("Investigation started"),
    "act": gettext_lazy("Actions under way"),
    "verify": gettext_lazy("Verified"),
    "reopen": gettext_lazy("Reopened: not effective"),
    "close": gettext_lazy("Closed"),
    "cancel": gettext_lazy("Cancelled"),
    "action.added": gettext_lazy("Action planned"),
    "action.done": gettext_lazy("Action done"),
    "action.removed": gettext_lazy("Action removed"),
    "linked": gettext_lazy("Request linked"),
    "unlinked": gettext_lazy("Request unlinked"),
}


def _console(user: User, **context: Any) -> dict[str, Any]:
    return {
        "is_staff": request_access.is_staff(user),
        "can_intake": request_access.is_staff(user) and request_access.can_create(user),
        "can_create_problem": access.can_create(user),
        "sees_reports": access.sees_reports(user),
        **context,
    }


def _reader(user: User) -> None:
    if not access.is_reader(user):
        raise PermissionDenied(_("Only staff see problem records."))


def _reports(user: User) -> None:
    if not access.sees_reports(user):
        raise PermissionDenied(_("You may not see the quality reports."))


@require_GET
def problem_list(request: HttpRequest) -> HttpResponse:
    _reader(request.user)
    data = request.GET.copy()
    if not data:
        data["active"] = "true"
    filterset = filters.ProblemFilter(
        data, queryset=selectors.problem_list(request.user), request=request
    )
    rows = filterset.qs if filterset.is_valid() else selectors.problem_list(request.user).none()
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    context = _console(request.user, page=page, filter_form=filterset.form)
    return render(request, "quality/problem_list.html", context)


def _detail_context(user: User, problem: ProblemRecord, **extra: Any) -> dict[str, Any]:
    links = list(problem.links.all())
    visible = set(
        request_access.visible_to(user)
        .filter(pk__in=[link.request_id for link in links])
        .values_list("pk", flat=True)
    )
    today = timezone.localdate()
    can_work = access.can_work(user, problem)
    actions = [
        (
            action,
            action.is_overdue(today),
            action.done_at is None and problem.is_active and access.can_finish_action(user, action),
        )
        for action in problem.actions.all()
    ]
    return _console(
        user,
        problem=problem,
        links=[
            (link, link.request_id in visible, access.can_unlink(user, problem, link.linked_by_id))
            for link in links
        ],
        actions=actions,
        events=[
            (event, EVENT_LABELS.get(event.action, event.action))
            for event in problem.events.select_related("actor")
        ],
        transitions=services.available(problem, user),
        can_manage=access.can_manage(user, problem) and problem.is_active,
        can_work=can_work and problem.is_active,
        can_add_action=can_work and problem.status in {"open", "investigating", "actions"},
        can_link=access.can_link(user, problem),
        action_form=extra.pop("action_form", None) or forms.ActionForm(),
        root_cause_form=forms.RootCauseForm(initial={"root_cause": problem.root_cause}),
        **extra,
    )


@require_GET
def problem_detail(request: HttpRequest, number: str) -> HttpResponse:
    _reader(request.user)
    problem = selectors.problem_get_for_user(request.user, number)
    return render(request, "quality/problem_detail.html", _detail_context(request.user, problem))


def _refused(request: HttpRequest, number: str, exc: DomainError, **extra: Any) -> HttpResponse:
    problem = selectors.problem_get_for_user(request.user, number)
    details = [m for msgs in exc.fields.values() for m in msgs if m != exc.message]
    context = _detail_context(
        request.user, problem, error=" ".join([exc.message, *details]), **extra
    )
    return render(
        request, "quality/problem_detail.html", context, status=ERROR_STATUS.get(exc.code, 400)
    )


def _version(request: HttpRequest) -> int | None:
    version = request.POST.get("version")
    return int(version) if version and version.isdigit() and len(version) < 10 else None


def _form_data(form: forms.ProblemForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data["products"] = list(data["products"])
    return data


@require_http_methods(["GET", "POST"])
def problem_new(request: HttpRequest) -> HttpResponse:
    _reader(request.user)
    if not access.can_create(request.user):
        raise PermissionDenied(_("Only supervisors and administrators open problem records."))
    form = forms.ProblemForm(request.POST or None)
    error = ""
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise form_error(form)
            problem = services.problem_create(by=request.user, data=_form_data(form))
        except DomainError as exc:
            for field, msgs in exc.fields.items():
                if field in form.fields and not form.has_error(field):
                    for message in msgs:
                        form.add_error(field, message)
            error = exc.message
        else:
            messages.success(
                request, _("Problem record %(number)s is open.") % {"number": problem.number}
            )
            return redirect("quality:detail", number=problem.number)
    context = _console(request.user, form=form, error=error, problem=None)
    return render(request, "quality/problem_form.html", context, status=400 if error else 200)


@require_http_methods(["GET", "POST"])
def problem_edit(request: HttpRequest, number: str) -> HttpResponse:
    _reader(request.user)
    problem = selectors.problem_get_for_user(request.user, number)
    if not access.can_manage(request.user, problem):
        raise PermissionDenied(_("Only supervisors and administrators change problem records."))
    initial = {
        "title": problem.title,
        "symptom": problem.symptom,
        "team": problem.team_id,
        "products": [p.pk for p in problem.products.all()],
        "batches": "\n".join(b.batch_number for b in problem.batches.all()),
        "root_cause": problem.root_cause,
    }
    form = forms.ProblemForm(request.POST or None, initial=initial)
    error = ""
    status = 200
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise form_error(form)
            services.problem_update(
                problem, by=request.user, data=_form_data(form), expected_version=_version(request)
            )
        except DomainError as exc:
            for field, msgs in exc.fields.items():
                if field in form.fields and not form.has_error(field):
                    for message in msgs:
                        form.add_error(field, message)
            error = exc.message
            status = ERROR_STATUS.get(exc.code, 400)
        else:
            messages.success(request, _("The problem record is saved."))
            return redirect("quality:detail", number=problem.number)
    context = _console(request.user, form=form, error=error, problem=problem)
    return render(request, "quality/problem_form.html", context, status=status)


@require_POST
def problem_step(request: HttpRequest, number: str, step: str) -> HttpResponse:
    _reader(request.user)
    problem = selectors.problem_get_for_user(request.user, number)
    if step not in services.TRANSITIONS:
        raise Http404("No such step.")
    form = forms.ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise form_error(form)
        services.problem_transition(
            problem,
            step,
            by=request.user,
            reason=form.cleaned_data["reason"],
            expected_version=_version(request),
        )
    except DomainError as exc:
        return _refused(request, number, exc)
    messages.success(request, str(NOTICES[step]))
    return redirect("quality:detail", number=number)


@require_POST
def problem_root_cause(request: HttpRequest, number: str) -> HttpResponse:
    _reader(request.user)
    problem = selectors.problem_get_for_user(request.user, number)
    form = forms.RootCauseForm(request.POST)
    try:
        if not form.is_valid():
            raise form_error(form)
        services.problem_update(
            problem,
            by=request.user,
            data={"root_cause": form.cleaned_data["root_cause"]},
            expected_version=_version(request),
        )
    except DomainError as exc:
        return _refused(request, number, exc)
    messages.success(request, _("The root cause is recorded."))
    return redirect("quality:detail", number=number)


@require_POST
def action_add(request: HttpRequest, number: str) -> HttpResponse:
    _reader(request.user)
    problem = selectors.problem_get_for_user(request.user, number)
    form = forms.ActionForm(request.POST)
    try:
        if not form.is_valid():
            raise form_error(form)
        services.problem_action_add(
            problem, by=request.user, data=form.cleaned_data, expected_version=_version(request)
        )
    except DomainError as exc:
        return _refused(request, number, exc, action_form=form)
    messages.success(request, _("The action is planned."))
    return redirect("quality:detail", number=number)


def _action(problem: ProblemRecord, action_id: int) -> ProblemAction:
    action = next((a for a in problem.actions.all() if a.pk == action_id), None)
    if action is None:
        raise Http404("No such action.")
    return action


@require_POST
def action_step(request: HttpRequest, number: str, action_id: int, step: str) -> HttpResponse:
    _reader(request.user)
    problem = selectors.problem_get_for_user(request.user, number)
    action = _action(problem, action_id)
    try:
        if step == "done":
            form = forms.ActionDoneForm(request.POST)
            if not form.is_valid():
                raise form_error(form)
            services.problem_action_done(
                action, by=request.user, result=form.cleaned_data["result"]
            )
            notice = _("The action is done.")
        elif step == "remove":
            services.problem_action_remove(action, by=request.user)
            notice = _("The action is removed.")
        else:
            raise Http404("No such step.")
    except DomainError as exc:
        return _refused(request, number, exc)
    messages.success(request, notice)
    return redirect("quality:detail", number=number)


def _request_by_number(user: User, raw: str) -> ServiceRequest:
    request = request_access.visible_to(user).filter(number=normalise_number(raw)).first()
    if request is None:
        message = _("No such service request.")
        raise DomainError(message, fields={"service_request": [message]})
    return request


@require_POST
def problem_link(request: HttpRequest, number: str, verb: str) -> HttpResponse:
    _reader(request.user)
    problem = selectors.problem_get_for_user(request.user, number)
    form = forms.LinkForm(request.POST)
    try:
        if not form.is_valid():
            raise form_error(form)
        target = _request_by_number(request.user, form.cleaned_data["service_request"])
        if verb == "link":
            services.problem_link(problem, target, by=request.user)
            notice = _("%(number)s is linked.") % {"number": target.number}
        elif verb == "unlink":
            services.problem_unlink(problem, target, by=request.user)
            notice = _("%(number)s is unlinked.") % {"number": target.number}
        else:
            raise Http404("No such step.")
    except DomainError as exc:
        return _refused(request, number, exc)
    messages.success(request, notice)
    back = request.POST.get("back")
    if back == "request":
        return redirect("service_requests:detail", target.number)
    return redirect("quality:detail", number=number)


@require_GET
def spike_list(request: HttpRequest) -> HttpResponse:
    _reports(request.user)
    found = spikes.spikes_detect()
    ids = [pk for batch in found for pk in batch.request_ids]
    requests = {
        r.pk: r
        for r in ServiceRequest.objects.filter(pk__in=ids).only(
            "pk", "number", "title", "received_at"
        )
    }
    visible = set(
        request_access.visible_to(request.user).filter(pk__in=ids).values_list("pk", flat=True)
    )
    existing = selectors.open_problems_for_batches([(b.product_id, b.batch_number) for b in found])
    rows = [
        {
            "batch": batch,
            "requests": [
                (requests[pk], pk in visible) for pk in batch.request_ids if pk in requests
            ],
            "problem": existing.get((batch.product_id, batch.batch_number)),
        }
        for batch in found
    ]
    context = _console(request.user, rows=rows, params=spikes.configured(), now=timezone.now())
    return render(request, "quality/spikes.html", context)


@require_POST
def spike_open(request: HttpRequest) -> HttpResponse:
    _reports(request.user)
    form = forms.SpikeOpenForm(request.POST)
    try:
        if not form.is_valid():
            raise form_error(form)
        problem = services.problem_open_from_spike(
            by=request.user,
            product=form.cleaned_data["product"],
            batch_number=form.cleaned_data["batch_number"],
        )
    except DomainError as exc:
        if exc.code == "forbidden":
            raise PermissionDenied(exc.message) from exc
        messages.error(request, exc.message)
        return redirect("quality:spikes")
    messages.success(request, _("Problem record %(number)s is open.") % {"number": problem.number})
    return redirect("quality:detail", number=problem.number)


USAGE_DAYS = 90


@require_GET
def usage(request: HttpRequest) -> HttpResponse:
    _reports(request.user)
    form = forms.UsagePeriodForm(request.GET)
    days = USAGE_DAYS
    if form.is_valid() and form.cleaned_data["days"]:
        days = form.cleaned_data["days"]
    until = timezone.now()
    since = until - datetime.timedelta(days=days)
    context = _console(
        request.user,
        rows=selectors.usage_questions(since=since, until=until),
        days=days,
        since=since,
        form=form,
    )
    return render(request, "quality/usage.html", context)
