"""Console pages of follow-up visits: the agents' queue (due today, overdue, upcoming, done)
and a follow-up's page with the call script and the result form. Each action: form → one
service call → back to the page with a message; a refusal is shown there with the API's
status code."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aftersales.accounts.models import User
from aftersales.core.errors import DomainError
from aftersales.core.exports import export_response
from aftersales.followups import access, exports, selectors, services
from aftersales.followups.models import FollowUp
from aftersales.service_requests import access as request_access
from aftersales.surveys.models import Channel

PER_PAGE = 50
ERROR_STATUS = {"invalid": 400, "forbidden": 403, "invalid_transition": 409, "conflict": 409}
VIEW_LABELS = {
    "today": gettext_lazy("Due today"),
    "overdue": gettext_lazy("Overdue"),
    "upcoming": gettext_lazy("Upcoming"),
    "done": gettext_lazy("Done"),
}
NOTICES = {
    "record": gettext_lazy("The follow-up result is recorded."),
    "give-up": gettext_lazy("The follow-up is given up."),
    "send-survey": gettext_lazy("The survey link is ready."),
    "take": gettext_lazy("The follow-up is yours."),
}
SCORES = [
    ("score_solution", gettext_lazy("Satisfaction with the solution")),
    ("score_attitude", gettext_lazy("Satisfaction with the staff's attitude")),
    ("score_speed", gettext_lazy("Satisfaction with the speed")),
]


def _console(user: User, **context: Any) -> dict[str, Any]:
    return {
        "is_staff": request_access.is_staff(user),
        "can_intake": request_access.is_staff(user) and request_access.can_create(user),
        **context,
    }


def _readers(user: User) -> None:
    if not access.can_see_any(user):
        raise PermissionDenied(_("You have no follow-ups."))


def _view(request: HttpRequest) -> str:
    view = request.GET.get("view") or "today"
    return view if view in VIEW_LABELS else "today"


@require_GET
def followup_list(request: HttpRequest) -> HttpResponse:
    _readers(request.user)
    view = _view(request)
    rows = selectors.followup_list(request.user, view=view)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    counts = {
        name: selectors.followup_list(request.user, view=name).count()
        for name in ("today", "overdue", "upcoming")
    }
    context = _console(request.user, page=page, view=view, views=VIEW_LABELS.items(), counts=counts)
    return render(request, "followups/followup_list.html", context)


@require_GET
def followup_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The queue shown (its tab), every page of it."""
    _readers(request.user)
    rows = selectors.followup_list(request.user, view=_view(request))
    return export_response(fmt, "follow-ups", exports.COLUMNS, exports.rows(rows))


def _detail_context(user: User, followup: FollowUp, **extra: Any) -> dict[str, Any]:
    can_run = access.can_run(user, followup) and followup.is_open
    return _console(
        user,
        followup=followup,
        sr=followup.request,
        sees_request=request_access.can_view(user, followup.request),
        can_run=can_run,
        script=services.call_script(followup, agent=user, language=get_language())
        if followup.is_open
        else "",
        scores=SCORES,
        score_values=["1", "2", "3", "4", "5"],
        channels=Channel.choices,
        close_refusal=services.close_refusal(followup.request),
        values=extra.pop("values", {}),
        **extra,
    )


@require_GET
def followup_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _readers(request.user)
    followup = selectors.followup_get_for_user(request.user, pk)
    return render(
        request, "followups/followup_detail.html", _detail_context(request.user, followup)
    )


def _run(action: str, followup: FollowUp, request: HttpRequest) -> None:
    user = request.user
    version = request.POST.get("version")
    expected = int(version) if version and version.isdigit() else None
    if action == "record":
        data = {key: request.POST.get(key, "") for key in request.POST}
        services.followup_record(followup, by=user, data=data, expected_version=expected)
    elif action == "give-up":
        services.followup_give_up(
            followup, by=user, reason=request.POST.get("reason", ""), expected_version=expected
        )
    elif action == "send-survey":
        channel = request.POST.get("channel") or None
        services.followup_send_survey(followup, by=user, channel=channel, expected_version=expected)
    elif action == "take":
        services.followup_assign(followup, assignee=user, by=user, expected_version=expected)
    else:
        raise Http404("No such action.")


@require_POST
def followup_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    _readers(request.user)
    followup = selectors.followup_get_for_user(request.user, pk)
    if action not in NOTICES:
        raise Http404("No such action.")
    try:
        _run(action, followup, request)
    except DomainError as exc:
        details = [m for msgs in exc.fields.values() for m in msgs if m != exc.message]
        context = _detail_context(
            request.user,
            followup,
            error=" ".join([exc.message, *details]),
            error_fields=set(exc.fields),
            values={key: request.POST.get(key, "") for key in request.POST},
        )
        return render(
            request,
            "followups/followup_detail.html",
            context,
            status=ERROR_STATUS.get(exc.code, 400),
        )
    messages.success(request, str(NOTICES[action]))
    return redirect("followups:detail", pk=followup.pk)
