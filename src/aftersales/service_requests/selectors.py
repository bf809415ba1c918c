"""Reads of service requests, always through the access rules."""

import datetime
from typing import Any

from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from aftersales.accounts.models import User
from aftersales.core.text import normalise_phone
from aftersales.customers.models import Customer
from aftersales.service_requests import access, deadlines, numbering
from aftersales.service_requests.models import (
    Assignment,
    Attachment,
    Comment,
    Participant,
    ServiceRequest,
    ServiceRequestEvent,
)

LIST_RELATED = (
    "customer",
    "assignee",
    "team",
    "product",
    "first_response_calendar",
    "resolution_calendar",
    "sla_policy",
    "recorded_by",
    "unit__product",
)


def service_request_list(user: User) -> QuerySet[ServiceRequest]:
    return access.visible_to(user).select_related(*LIST_RELATED)


def service_request_get_for_user(
    user: User, number: str, *, for_update: bool = False
) -> ServiceRequest:
    """The request with this number if `user` may see it; otherwise 404, never 403 (no enumeration)."""
    qs = access.visible_to(user).select_related(*LIST_RELATED, "unit", "recorded_by")
    request = qs.filter(number=numbering.normalise_number(number)).first()
    if request is None:
        raise Http404("No such service request.")
    return request


def comments_for(user: User, request: ServiceRequest) -> QuerySet[Comment]:
    qs = request.comments.select_related("author").prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("id"))
    )
    return qs if access.is_staff(user) else qs.filter(is_internal=False)


def events_for(user: User, request: ServiceRequest) -> QuerySet[ServiceRequestEvent]:
    qs = request.events.select_related("actor")
    return qs if access.is_staff(user) else qs.filter(is_internal=False)


def attachments_for(user: User, request: ServiceRequest) -> QuerySet[Attachment]:
    qs = request.attachments.all()
    return qs if access.is_staff(user) else qs.filter(is_internal=False)


def attachment_get_for_user(user: User, number: str, attachment_id: int) -> Attachment:
    request = service_request_get_for_user(user, number)
    attachment = attachments_for(user, request).filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404("No such attachment.")
    return attachment


def overdue_filter(now: datetime.datetime | None = None) -> Q:
    """Open requests past a due time: first response not given in time, or resolution late."""
    now = now or timezone.now()
    open_ = Q(status__in=ServiceRequest.OPEN_STATUSES)
    late_response = Q(first_responded_at__isnull=True, first_response_due_at__lt=now)
    late_resolution = Q(resolution_due_at__lt=now) & ~Q(
        status=ServiceRequest.Status.PENDING_CUSTOMER
    )
    return open_ & (late_response | late_resolution)


def sla_state_filter(state: str, now: datetime.datetime | None = None) -> Q:
    """Open requests by their most pressing target, from the stored due and warning times:
    `breached` (a target past due), `warning` (past its warning time, not yet due),
    `paused` (waiting for the customer), `ok` (none of these)."""
    now = now or timezone.now()
    open_ = Q(status__in=ServiceRequest.OPEN_STATUSES)
    waiting = Q(status=ServiceRequest.Status.PENDING_CUSTOMER)
    first_pending = Q(first_responded_at__isnull=True)
    warned = (first_pending & Q(first_response_warn_at__lte=now)) | (
        ~waiting & Q(resolution_warn_at__lte=now)
    )
    if state == "breached":
        return overdue_filter(now)
    if state == "warning":
        return open_ & warned & ~overdue_filter(now)
    if state == "paused":
        return open_ & waiting & ~overdue_filter(now)
    if state == "ok":
        return open_ & ~warned & ~waiting & ~overdue_filter(now)
    raise ValueError(state)


SLA_STATES = ("ok", "warning", "breached", "paused")


def saved_view_filter(user: User, view: str) -> Q:
    """The console's saved views: mine, my team, unassigned, overdue, open, all."""
    if view == "mine":
        return Q(assignee=user) & Q(status__in=ServiceRequest.OPEN_STATUSES)
    if view == "team":
        return Q(team_id__in=user.teams.values("id")) & Q(status__in=ServiceRequest.OPEN_STATUSES)
    if view == "unassigned":
        return Q(assignee__isnull=True) & Q(status__in=ServiceRequest.OPEN_STATUSES)
    if view == "overdue":
        return overdue_filter()
    if view == "at_risk":
        return sla_state_filter("warning")
    if view == "open":
        return Q(status__in=ServiceRequest.OPEN_STATUSES)
    return Q()


SAVED_VIEWS = ("open", "mine", "team", "unassigned", "at_risk", "overdue", "all")


def sla_block(request: ServiceRequest, *, now: datetime.datetime | None = None) -> dict[str, Any]:
    return deadlines.sla_block(request, now=now)


ORDERINGS = {
    "received_at": "received_at",
    "-received_at": "-received_at",
    "priority": "priority_rank",
    "-priority": "-priority_rank",
    "resolution_due_at": "resolution_due_at",
    "-resolution_due_at": "-resolution_due_at",
    "updated_at": "updated_at",
    "-updated_at": "-updated_at",
    "number": "number",
    "-number": "-number",
}

_PRIORITY_RANK = Case(
    When(priority="urgent", then=Value(0)),
    When(priority="high", then=Value(1)),
    When(priority="medium", then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


def service_request_order(
    queryset: QuerySet[ServiceRequest], ordering: str | None
) -> QuerySet[ServiceRequest]:
    """Sort by one of the known orderings (unknown ones fall back to newest first)."""
    key = ORDERINGS.get(ordering or "", "-received_at")
    if "priority_rank" in key:
        queryset = queryset.annotate(priority_rank=_PRIORITY_RANK)
    return queryset.order_by(key, "-id")


def assignee_candidates() -> QuerySet[User]:
    """Staff a request can be given to: the roles of `access.can_work_as_assignee`."""
    return User.objects.filter(is_active=True, role__in=sorted(access.WORKERS)).order_by(
        "first_name", "username"
    )


def customer_lookup(user: User, phone: str, *, limit: int = 10) -> list[Customer]:
    """Customers whose phone matches what a caller gave (normalised), with their units.

    Part of a number finds it too, so an agent can search while the caller is still
    dictating; a number with a country code also finds one stored without it.
    """
    digits = normalise_phone(phone).lstrip("+")
    if len(digits) < 4:
        return []
    match = Q(phone_key__contains=digits)
    if len(digits) > 11:
        match |= Q(phone_key__endswith=digits[-11:])
    units = access.units_visible_to(user).select_related("product").order_by("serial_number")
    customers = (
        access.customers_visible_to(user)
        .filter(match)
        .prefetch_related(Prefetch("units", queryset=units))
        .order_by("name", "id")
    )
    return list(customers[:limit])


def assignments_for(user: User) -> QuerySet[Assignment]:
    """The assignment table as far as `user` may see requests; staff only."""
    if not access.is_staff(user):
        return Assignment.objects.none()
    return Assignment.objects.filter(
        request__in=access.visible_to(user).values("pk")
    ).select_related("request", "assignee", "team", "assigned_by")


def participants_of(request: ServiceRequest) -> QuerySet[Participant]:
    return request.participants.select_related("user", "added_by")
