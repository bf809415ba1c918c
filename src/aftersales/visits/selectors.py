"""Reads of visits, always through the access rules of their requests."""

import datetime
from typing import Any

from django.apps import apps
from django.db import DatabaseError
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from aftersales.accounts.models import User
from aftersales.service_requests import access as request_access
from aftersales.service_requests.models import ServiceRequest
from aftersales.visits.models import Leave, Visit, VisitTechnician

RELATED = ("service_request", "service_request__customer", "service_request__product", "booked_by")
# Visits that are not happening: left off the technician's day and the schedule board.
GONE = (Visit.Status.CANCELLED, Visit.Status.RESCHEDULED)


def _with_technicians(qs: QuerySet[Visit]) -> QuerySet[Visit]:
    return qs.select_related(*RELATED).prefetch_related(
        Prefetch(
            "bookings",
            queryset=VisitTechnician.objects.select_related("technician").order_by("id"),
        )
    )


def visibility_filter(user: User) -> Q | None:
    """Visits `user` may see: those of the requests they see, and those they are booked on.
    None means all."""
    condition = request_access.visibility_filter(user)
    if condition is None:
        return None
    of_requests = Q(service_request__in=ServiceRequest.objects.filter(condition).values("pk"))
    if not request_access.is_staff(user):
        return of_requests
    # A subquery, not a join: a join would list a visit once per technician.
    booked = Q(pk__in=VisitTechnician.objects.filter(technician_id=user.pk).values("visit_id"))
    return of_requests | booked


def visit_list_for_user(user: User) -> QuerySet[Visit]:
    condition = visibility_filter(user)
    qs = Visit.objects.all() if condition is None else Visit.objects.filter(condition)
    return _with_technicians(qs).order_by("window_start", "id")


def visit_get_for_user(user: User, pk: int) -> Visit:
    """The visit if `user` may see it; otherwise 404, never 403 (no enumeration)."""
    visit = visit_list_for_user(user).filter(pk=pk).first()
    if visit is None:
        raise Http404("No such visit.")
    return visit


def visits_of_request(request: ServiceRequest) -> QuerySet[Visit]:
    """All visits of a request the reader sees already, newest window first."""
    return _with_technicians(Visit.objects.filter(service_request=request)).order_by(
        "-window_start", "-id"
    )


def next_visit(request: ServiceRequest, now: datetime.datetime | None = None) -> Visit | None:
    """The booked visit still to come (or under way): what the customer is told."""
    now = now or timezone.now()
    return (
        Visit.objects.filter(service_request=request, status__in=Visit.ACTIVE, window_end__gt=now)
        .order_by("window_start", "id")
        .first()
    )


def local_day(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """Midnight to midnight of `day` in the active time zone."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(day, datetime.time(), tzinfo=zone)
    end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), tzinfo=zone)
    return start, end


def day_visits_for_technician(technician: User, day: datetime.date) -> list[Visit]:
    """The technician's visits whose window touches `day`, in time order; cancelled and
    moved ones left off."""
    start, end = local_day(day)
    qs = (
        Visit.objects.filter(
            pk__in=VisitTechnician.objects.filter(technician=technician).values("visit_id"),
            window_start__lt=end,
            window_end__gt=start,
        )
        .exclude(status__in=GONE)
        .select_related(*RELATED, "service_request__unit")
        .order_by("window_start", "id")
    )
    return list(
        qs.prefetch_related(
            Prefetch(
                "bookings",
                queryset=VisitTechnician.objects.select_related("technician").order_by("id"),
            )
        )
    )


def board(day: datetime.date, technicians: list[User]) -> dict[int, list[VisitTechnician]]:
    """For the schedule board: each technician's bookings touching `day`, in time order."""
    start, end = local_day(day)
    rows: dict[int, list[VisitTechnician]] = {t.pk: [] for t in technicians}
    bookings = (
        VisitTechnician.objects.filter(
            technician__in=technicians, window_start__lt=end, window_end__gt=start
        )
        .exclude(visit__status__in=GONE)
        .select_related("visit", "visit__service_request")
        .order_by("window_start", "id")
    )
    for booking in bookings:
        rows[booking.technician_id].append(booking)
    return rows


def technician_candidates(team_id: int | None = None) -> QuerySet[User]:
    """Who is offered for visits: active technicians (and supervisors, who go too)."""
    qs = User.objects.filter(
        is_active=True, role__in=[User.Role.TECHNICIAN, User.Role.SUPERVISOR]
    ).order_by("role", "username")
    if team_id is not None:
        qs = qs.filter(teams=team_id)
    return qs


def technician_get(username: str) -> User:
    person = User.objects.filter(username=username, is_active=True).first()
    if person is None or person.role == User.Role.CUSTOMER:
        raise Http404("No such technician.")
    return person


def leave_list() -> QuerySet[Leave]:
    return Leave.objects.select_related("technician", "created_by").order_by("start", "id")


def visible_request_ids(user: User, request_ids: set[int]) -> set[int]:
    """Which of these requests `user` may see (to show their numbers)."""
    if not request_ids:
        return set()
    visible = request_access.visible_to(user, ServiceRequest.objects.filter(pk__in=request_ids))
    return set(visible.values_list("pk", flat=True))


# --- A solution plan, if the repairs app keeps one ----------------------------------------------

_PLAN_TEXT_FIELDS = ("summary", "title", "steps", "description")


def plan_summary(request: ServiceRequest) -> dict[str, Any] | None:
    """The request's latest solution plan, read without depending on the `repairs` app:
    the first text it has of summary, title, steps or description, and its status. None when
    there is no such app or plan."""
    if not apps.is_installed("aftersales.repairs"):
        return None
    for relation in ServiceRequest._meta.related_objects:
        model = relation.related_model
        if model._meta.app_label != "repairs" or "plan" not in model._meta.model_name:
            continue
        try:
            recent = list(
                model._default_manager.filter(**{relation.field.name: request}).order_by("-pk")[:10]
            )
        except (DatabaseError, ValueError, TypeError):
            return None
        # The approved plan is what the technician carries out; else the latest one.
        approved = [p for p in recent if getattr(p, "status", None) == "approved"]
        plan = (approved or recent or [None])[0]
        if plan is None:
            continue
        for name in _PLAN_TEXT_FIELDS:
            text = getattr(plan, name, None)
            if isinstance(text, str) and text.strip():
                status = getattr(plan, "get_status_display", None)
                return {"text": text.strip(), "status": status() if callable(status) else ""}
    return None
