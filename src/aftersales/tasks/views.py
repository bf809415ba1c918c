"""Console pages of internal tasks: the queues (mine, my team's, overdue, done) and a task's
page with its actions. Each action: form → one service call → back to the task's page with
a message; a refusal is shown there, with the API's status code for htmx callers."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from aftersales.accounts.models import User
from aftersales.core.errors import DomainError
from aftersales.service_requests import access as request_access
from aftersales.service_requests.forms import form_error
from aftersales.tasks import access, forms, selectors, services
from aftersales.tasks.models import Task

PER_PAGE = 50
ERROR_STATUS = {"invalid": 400, "forbidden": 403, "invalid_transition": 409, "conflict": 409}
VIEW_LABELS = {
    "mine": gettext_lazy("Mine"),
    "team": gettext_lazy("My teams"),
    "overdue": gettext_lazy("Overdue"),
    "done": gettext_lazy("Finished"),
    "all": gettext_lazy("All I can see"),
}
NOTICES = {
    "start": gettext_lazy("The task is in progress."),
    "finish": gettext_lazy("The task is done."),
    "cancel": gettext_lazy("The task is cancelled."),
    "assign": gettext_lazy("The task has a new assignee."),
    "take": gettext_lazy("The task is yours."),
}


def _console(user: User, **context: Any) -> dict[str, Any]:
    return {
        "is_staff": request_access.is_staff(user),
        "can_intake": request_access.is_staff(user) and request_access.can_create(user),
        **context,
    }


def _staff(user: User) -> None:
    if not request_access.is_staff(user):
        raise PermissionDenied(_("Only staff have tasks."))


@require_GET
def task_list(request: HttpRequest) -> HttpResponse:
    _staff(request.user)
    view = request.GET.get("view") or "mine"
    if view not in selectors.VIEWS:
        view = "mine"
    page = Paginator(selectors.task_list(request.user, view=view), PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = _console(request.user, page=page, view=view, views=VIEW_LABELS.items())
    return render(request, "tasks/task_list.html", context)


def _detail_context(user: User, task: Task, **extra: Any) -> dict[str, Any]:
    sees_request = task.service_request_id is not None and request_access.can_view(
        user, task.service_request
    )
    can_work = access.can_work(user, task)
    can_manage = access.can_manage(user, task)
    return _console(
        user,
        task=task,
        sees_request=sees_request,
        can_work=can_work and task.is_active,
        can_manage=can_manage and task.is_active,
        can_take=can_work and task.is_active and task.assignee_id != user.pk,
        finish_form=forms.FinishForm(),
        cancel_form=forms.CancelForm(),
        members=task.team.members.filter(is_active=True).order_by("username"),
        **extra,
    )


@require_GET
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request.user)
    task = selectors.task_get_for_user(request.user, pk)
    return render(request, "tasks/task_detail.html", _detail_context(request.user, task))


def _assignee(form: forms.AssignForm) -> User | None:
    username = form.cleaned_data["assignee"].strip()
    if not username:
        return None
    person = User.objects.filter(username=username).first()
    if person is None:
        message = _("No one is called “%(name)s”.") % {"name": username}
        raise DomainError(message, fields={"assignee": [message]})
    return person


def _run(action: str, task: Task, request: HttpRequest) -> None:
    user = request.user
    version = request.POST.get("version")
    expected = int(version) if version and version.isdigit() else None
    if action == "start":
        services.task_start(task, by=user, expected_version=expected)
    elif action == "take":
        services.task_assign(task, assignee=user, by=user, expected_version=expected)
    elif action == "assign":
        form = forms.AssignForm(request.POST)
        if not form.is_valid():
            raise form_error(form)
        services.task_assign(task, assignee=_assignee(form), by=user, expected_version=expected)
    elif action == "finish":
        form = forms.FinishForm(request.POST)
        if not form.is_valid():
            raise form_error(form)
        services.task_finish(task, by=user, data=form.cleaned_data, expected_version=expected)
    elif action == "cancel":
        form = forms.CancelForm(request.POST)
        if not form.is_valid():
            raise form_error(form)
        services.task_cancel(
            task, by=user, reason=form.cleaned_data["reason"], expected_version=expected
        )
    else:
        raise Http404("No such action.")


@require_POST
def task_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    _staff(request.user)
    task = selectors.task_get_for_user(request.user, pk)
    if action not in NOTICES:
        raise Http404("No such action.")
    try:
        _run(action, task, request)
    except DomainError as exc:
        details = [m for msgs in exc.fields.values() for m in msgs if m != exc.message]
        context = _detail_context(request.user, task, error=" ".join([exc.message, *details]))
        return render(
            request, "tasks/task_detail.html", context, status=ERROR_STATUS.get(exc.code, 400)
        )
    messages.success(request, str(NOTICES[action]))
    return redirect("tasks:detail", pk=task.pk)
