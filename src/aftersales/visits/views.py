"""Visit pages: the technician's day (made for a phone), the schedule board, booking,
rescheduling and cancelling.

Staff only (customers get 403; strangers are sent to sign in). Each form posts to one
view: selector → form → one service call → the refreshed list (htmx) or a redirect (no
JavaScript); a refusal is shown where the form is.
"""

import datetime
from typing import Any
from urllib.parse import urlencode

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aftersales.accounts.models import Team, User
from aftersales.core.errors import DomainError
from aftersales.core.htmx import render_page_or_partial
from aftersales.service_requests import access as request_access
from aftersales.service_requests import selectors as request_selectors
from aftersales.service_requests.models import ServiceRequest
from aftersales.visits import access, availability, filters, forms, selectors, services
from aftersales.visits.models import Leave, Visit

TODAY = "visits/visit_today.html"
SCHEDULE = "visits/visit_schedule.html"
BOOK = "visits/visit_book.html"
RESCHEDULE = "visits/visit_reschedule.html"
BOARD_DAYS = 3
ERROR_STATUS = {"invalid": 400, "forbidden": 403, "invalid_transition": 409, "conflict": 409}

# The technician's steps from their day: the form each takes and the service it calls.
STEPS: dict[str, tuple[type[django_forms.Form], str]] = {
    "start": (forms.StartForm, "start"),
    "arrive": (forms.StartForm, "arrive"),
    "record": (forms.RecordForm, "record"),
    "no-one-home": (forms.NoteForm, "no_one_home"),
    "finish": (forms.FinishForm, "finish"),
}


def _staff(user: User) -> None:
    if not access.is_staff(user):
        raise PermissionDenied(_("Only staff may see visits."))


def _console(user: User, **context: Any) -> dict[str, Any]:
    """What the console frame needs (the navigation), as the request pages give it."""
    return {
        "is_staff": True,
        "can_intake": request_access.can_create(user),
        "can_book": access.may_book(user),
        **context,
    }


def _day(value: datetime.date | None) -> datetime.date:
    if value is None or not filters.FIRST_DAY <= value <= filters.LAST_DAY:
        return timezone.localdate()
    return value


# --- The technician's day ----------------------------------------------------------------


def _card(visit: Visit, user: User, *, error: DomainError | None = None) -> dict[str, Any]:
    request = visit.service_request
    prefix = f"v{visit.pk}"
    steps = [s for s in services.available_actions(visit, user) if s in services.TECHNICIAN_ACTIONS]
    return {
        "visit": visit,
        "sr": request,
        "steps": steps,
        "plan": selectors.plan_summary(request),
        "technicians": [b.technician for b in visit.bookings.all()],
        "record_form": forms.RecordForm(prefix=prefix),
        "note_form": forms.NoteForm(prefix=prefix),
        "finish_form": forms.FinishForm(prefix=prefix),
        "error": error,
    }


def _day_context(
    user: User, day: datetime.date, *, errors: dict[int, DomainError] | None = None, **extra: Any
) -> dict[str, Any]:
    errors = errors or {}
    visits = selectors.day_visits_for_technician(user, day)
    return _console(
        user,
        day=day,
        is_today=day == timezone.localdate(),
        previous_day=day - datetime.timedelta(days=1),
        next_day=day + datetime.timedelta(days=1),
        cards=[_card(v, user, error=errors.get(v.pk)) for v in visits],
        **extra,
    )


@require_GET
def today(request: HttpRequest) -> HttpResponse:
    """The signed-in technician's visits of a day (today by default), in order."""
    _staff(request.user)
    query = forms.DayQuery(request.GET)
    day = _day(query.cleaned_data.get("date") if query.is_valid() else None)
    return render_page_or_partial(request, TODAY, "day-visits", _day_context(request.user, day))


def _back_to_day(
    request: HttpRequest, day: datetime.date, notice: str, *, step: str
) -> HttpResponse:
    if request.htmx:
        context = _day_context(request.user, day, notice=notice, done_step=step)
        return render(request, f"{TODAY}#day-visits", context)
    messages.success(request, notice)
    return redirect(f"{reverse('visits:today')}?date={day.isoformat()}")


def _refused_on_day(
    request: HttpRequest, visit: Visit, day: datetime.date, exc: DomainError
) -> HttpResponse:
    if request.htmx:
        context = _day_context(request.user, day, errors={visit.pk: exc})
        return render(
            request, f"{TODAY}#day-visits", context, status=ERROR_STATUS.get(exc.code, 400)
        )
    details = [m for found in exc.fields.values() for m in found if m != exc.message]
    messages.error(request, " ".join([exc.message, *details]))
    return redirect(f"{reverse('visits:today')}?date={day.isoformat()}")


def _form_error(form: django_forms.Form) -> DomainError:
    fields = {name: [str(m) for m in found] for name, found in form.errors.items()}
    return DomainError(_("Some fields are not valid."), fields=fields)


@require_POST
def visit_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """A technician's step on a visit: set off, arrive, record work, no one home, finish."""
    if step not in STEPS:
        raise Http404("No such step.")
    user = request.user
    _staff(user)
    visit = selectors.visit_get_for_user(user, pk)
    day = timezone.localdate(visit.window_start)
    form_class, action = STEPS[step]
    form = form_class(request.POST, prefix=f"v{visit.pk}")
    if not form.is_valid():
        return _refused_on_day(request, visit, day, _form_error(form))
    data = form.cleaned_data
    try:
        if action in {"start", "arrive"}:
            services.visit_start(visit, by=user, on_site=action == "arrive")
        elif action == "record":
            services.visit_work_record(visit, by=user, body=data["body"])
        elif action == "no_one_home":
            services.visit_no_one_home(visit, by=user, note=data["note"])
        else:
            services.visit_finish(visit, by=user, summary=data["summary"])
    except DomainError as exc:
        return _refused_on_day(request, visit, day, exc)
    label = services.ACTIONS[action][0]
    return _back_to_day(request, day, _("%(action)s: done.") % {"action": label}, step=step)


# --- The schedule board ---------------------------------------------------------------------


@require_GET
def schedule(request: HttpRequest) -> HttpResponse:
    """Technicians × days: their visits (and leave), from a day on."""
    user = request.user
    _staff(user)
    query = forms.DayQuery(request.GET)
    valid = query.is_valid()
    first = _day(query.cleaned_data.get("date") if valid else None)
    team_id = query.cleaned_data.get("team") if valid else None
    days = [first + datetime.timedelta(days=i) for i in range(BOARD_DAYS)]
    technicians = list(selectors.technician_candidates(team_id))
    per_day = [selectors.board(day, technicians) for day in days]
    request_ids = {
        b.visit.service_request_id for rows in per_day for row in rows.values() for b in row
    }
    visible = selectors.visible_request_ids(user, request_ids)
    span_start, span_end = selectors.local_day(days[0])[0], selectors.local_day(days[-1])[1]
    leaves: dict[int, list[Leave]] = {}
    for leave in Leave.objects.filter(
        technician__in=technicians, start__lt=span_end, end__gt=span_start
    ):
        leaves.setdefault(leave.technician_id, []).append(leave)
    rows = []
    for person in technicians:
        cells = []
        for day, bookings in zip(days, per_day, strict=True):
            day_start, day_end = selectors.local_day(day)
            cells.append(
                {
                    "day": day,
                    "bookings": [
                        (b, b.visit.service_request_id in visible) for b in bookings[person.pk]
                    ],
                    "leave": [
                        leave
                        for leave in leaves.get(person.pk, [])
                        if leave.start < day_end and leave.end > day_start
                    ],
                }
            )
        rows.append({"person": person, "cells": cells})
    context = _console(
        user,
        days=days,
        rows=rows,
        teams=Team.objects.order_by("name"),
        team_id=team_id,
        previous_day=first - datetime.timedelta(days=BOARD_DAYS),
        next_day=first + datetime.timedelta(days=BOARD_DAYS),
    )
    return render(request, SCHEDULE, context)


# --- Booking and rescheduling ---------------------------------------------------------------


def _suggestions(
    people: list[User], day: datetime.date | None, length: int, base: dict[str, Any]
) -> list[dict[str, Any]]:
    """Free windows of all `people` on `day`, each as a link that fills the form in."""
    if not people or day is None:
        return []
    zone = timezone.get_current_timezone()
    free = availability.free_time(
        people, day, length=datetime.timedelta(minutes=length), now=timezone.now()
    )
    links = []
    for start, end in free.suggested:
        start, end = start.astimezone(zone), end.astimezone(zone)
        if start.date() != day:
            continue
        query = {**base, "date": day.isoformat(), "start": f"{start:%H:%M}", "end": f"{end:%H:%M}"}
        links.append({"start": start, "end": end, "query": urlencode(query, doseq=True)})
    return links


def _query_initial(query: forms.SuggestionQuery, request: HttpRequest) -> dict[str, Any]:
    data = query.cleaned_data if query.is_valid() else {}
    initial: dict[str, Any] = {
        "number": data.get("number") or "",
        "technicians": data.get("technicians") or [],
        "date": data.get("date"),
    }
    for name in ("start", "end"):
        value = request.GET.get(name, "")
        try:
            initial[name] = datetime.time.fromisoformat(value) if value else None
        except ValueError:
            initial[name] = None
    return initial


def _require_booker(user: User) -> None:
    if not access.may_book(user):
        raise PermissionDenied(_("Only dispatchers book visits."))


def _booking_context(
    request: HttpRequest, form: django_forms.Form, *, number: str, **extra: Any
) -> dict[str, Any]:
    """The form, and the windows to suggest for what it holds so far."""
    user = request.user
    chosen = [
        p for p in form.candidates.values() if p.username in (form["technicians"].value() or [])
    ]
    raw_day = form["date"].value()
    day = raw_day if isinstance(raw_day, datetime.date) else None
    if day is None and raw_day:
        try:
            day = datetime.date.fromisoformat(str(raw_day))
        except ValueError:
            day = None
    if day is not None and not filters.FIRST_DAY <= day <= filters.LAST_DAY:
        day = None
    query = forms.SuggestionQuery(request.GET, candidates=list(form.candidates.values()))
    length = (query.cleaned_data.get("duration") if query.is_valid() else None) or 120
    base = {"number": number, "technicians": [p.username for p in chosen], "duration": length}
    target = None
    if number:
        target = request_access.visible_to(user).filter(number=number).first()
    return _console(
        user,
        form=form,
        target=target,
        suggestions=_suggestions(chosen, day, length, base),
        durations=forms.DURATIONS,
        duration=length,
        chosen=chosen,
        **extra,
    )


@require_http_methods(["GET", "POST"])
def book(request: HttpRequest) -> HttpResponse:
    """Book a visit; GET shows suggested windows for the chosen technicians and day."""
    user = request.user
    _staff(user)
    _require_booker(user)
    candidates = list(selectors.technician_candidates())
    if request.method == "GET":
        query = forms.SuggestionQuery(request.GET, candidates=candidates)
        initial = _query_initial(query, request)
        number = initial["number"]
        if number and not initial["technicians"]:
            found = request_access.visible_to(user).filter(number=number).first()
            if found is not None and found.assignee is not None:
                initial["technicians"] = [found.assignee.username]
        form = forms.BookingForm(initial=initial, candidates=candidates)
        return render(request, BOOK, _booking_context(request, form, number=number))
    form = forms.BookingForm(request.POST, candidates=candidates)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            target = request_selectors.service_request_get_for_user(user, data["number"])
        except Http404:
            form.add_error("number", _("No service request with this number."))
        else:
            try:
                visit = services.visit_book(
                    service_request=target,
                    technicians=form.chosen(),
                    window_start=data["window_start"],
                    window_end=data["window_end"],
                    address=data["address"],
                    notes=data["notes"],
                    outside_hours=data["outside_hours"],
                    by=user,
                )
            except DomainError as exc:
                forms.add_domain_error(form, exc)
                status = ERROR_STATUS.get(exc.code, 400)
            else:
                messages.success(
                    request,
                    _("Visit booked for %(number)s.") % {"number": target.number},
                )
                return _to_request(user, visit.service_request)
    number = str(form["number"].value() or "")
    return render(request, BOOK, _booking_context(request, form, number=number), status=status)


def _to_request(user: User, request: ServiceRequest) -> HttpResponse:
    if request_access.can_view(user, request):
        return redirect("service_requests:detail", number=request.number)
    return redirect("visits:schedule")


def _dispatchable(user: User, pk: int) -> Visit:
    _staff(user)
    visit = selectors.visit_get_for_user(user, pk)
    if not access.can_book(user, visit.service_request):
        raise PermissionDenied(_("You may not change the visits of this request."))
    return visit


@require_http_methods(["GET", "POST"])
def reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    visit = _dispatchable(user, pk)
    candidates = list(selectors.technician_candidates())
    for person in services.technicians_of(visit):
        if person not in candidates:
            candidates.append(person)
    number = visit.service_request.number
    if request.method == "GET":
        query = forms.SuggestionQuery(request.GET, candidates=candidates)
        initial = _query_initial(query, request)
        local_start = timezone.localtime(visit.window_start)
        initial["technicians"] = initial["technicians"] or [
            p.username for p in services.technicians_of(visit)
        ]
        initial["date"] = initial["date"] or local_start.date()
        initial |= {"address": visit.address, "notes": visit.notes}
        form = forms.RescheduleForm(initial=initial, candidates=candidates)
        return render(
            request, RESCHEDULE, _booking_context(request, form, number=number, visit=visit)
        )
    form = forms.RescheduleForm(request.POST, candidates=candidates)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.visit_reschedule(
                visit,
                by=user,
                window_start=data["window_start"],
                window_end=data["window_end"],
                reason=data["reason"],
                technicians=form.chosen(),
                address=data["address"],
                notes=data["notes"],
                outside_hours=data["outside_hours"],
            )
        except DomainError as exc:
            forms.add_domain_error(form, exc)
            status = ERROR_STATUS.get(exc.code, 400)
        else:
            messages.success(request, _("Visit moved."))
            return _to_request(user, visit.service_request)
    context = _booking_context(request, form, number=number, visit=visit)
    return render(request, RESCHEDULE, context, status=status)


@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    visit = _dispatchable(user, pk)
    form = forms.ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the visit is cancelled."))
        return _to_request(user, visit.service_request)
    try:
        services.visit_cancel(visit, by=user, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Visit cancelled."))
    return _to_request(user, visit.service_request)


# --- Leave -----------------------------------------------------------------------------------

LEAVE = "visits/leave.html"
LEAVE_FIELDS = {"start": "start_date", "end": "end_date"}


def _leave_candidates(user: User) -> list[User]:
    """The technicians whose leave `user` may enter."""
    return [p for p in selectors.technician_candidates() if access.can_manage_leave(user, p)]


def _leave_context(user: User, form: forms.LeaveForm | None, **extra: Any) -> dict[str, Any]:
    """Leave from today on: of the technicians `user` manages, or else their own."""
    today = timezone.localdate()
    start_of_today = datetime.datetime.combine(
        today, datetime.time(), timezone.get_current_timezone()
    )
    rows = Leave.objects.filter(end__gt=start_of_today).select_related("technician")
    if not access.may_manage_leave(user):
        rows = rows.filter(technician=user)
    elif not (user.role == User.Role.ADMIN or user.is_superuser):
        rows = rows.filter(technician__teams__in=user.teams.values("pk")).distinct()
    return _console(
        user,
        form=form,
        leaves=[
            (leave, access.can_manage_leave(user, leave.technician))
            for leave in rows.order_by("start")
        ],
        **extra,
    )


@require_http_methods(["GET", "POST"])
def leave(request: HttpRequest) -> HttpResponse:
    """Technicians' leave: supervisors and admins enter it (visits already booked in it are
    listed to move); everyone else sees their own."""
    user = request.user
    _staff(user)
    candidates = _leave_candidates(user) if access.may_manage_leave(user) else []
    if request.method == "GET":
        form = forms.LeaveForm(candidates=candidates) if candidates else None
        return render(request, LEAVE, _leave_context(user, form))
    if not candidates:
        raise PermissionDenied(
            _("Only administrators and the technician's supervisors may enter leave.")
        )
    form = forms.LeaveForm(request.POST, candidates=candidates)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            added = services.leave_add(
                technician=form.chosen(),
                start=data["start"],
                end=data["end"],
                reason=data["reason"],
                by=user,
            )
        except DomainError as exc:
            for name, errors in exc.fields.items():
                for error in errors:
                    field = LEAVE_FIELDS.get(name, name)
                    form.add_error(field if field in form.fields else None, error)
            if not exc.fields:
                form.add_error(None, exc.message)
            status = ERROR_STATUS.get(exc.code, 400)
        else:
            clashes = Visit.objects.filter(pk__in=services.leave_clashes(added)).select_related(
                "service_request"
            )
            messages.success(
                request,
                _("Leave of %(name)s is recorded.") % {"name": added.technician.display_name},
            )
            if clashes:
                context = _leave_context(
                    user, forms.LeaveForm(candidates=candidates), clashes=clashes, added=added
                )
                return render(request, LEAVE, context)
            return redirect("visits:leave")
    return render(request, LEAVE, _leave_context(user, form), status=status)


@require_POST
def leave_remove(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    _staff(user)
    found = Leave.objects.select_related("technician").filter(pk=pk).first()
    if found is None:
        raise Http404("No such leave.")
    try:
        services.leave_delete(found, by=user)
    except DomainError as exc:
        raise PermissionDenied(exc.message) from exc
    messages.success(request, _("The leave is removed."))
    return redirect("visits:leave")
