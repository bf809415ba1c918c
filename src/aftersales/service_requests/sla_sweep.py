"""The SLA sweep (SPEC §4): before a target is missed the owner is warned, when it is missed
the team's supervisor is told — each once per deadline, however many workers sweep and
however late they run after an outage.

Every level is claimed with a compare-and-swap on its own column
(`UPDATE … WHERE id = … AND <level>_at IS NULL`): the one worker whose update changes the
row writes the event and the notifications; any other skips it.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.notifications import services as notifications
from aftersales.service_requests import escalation, signals
from aftersales.service_requests.models import ServiceRequest, ServiceRequestEvent

Event = ServiceRequestEvent.Kind


@dataclass(frozen=True)
class Level:
    target: str  # first_response | resolution
    kind: str  # warning | breached
    time_field: str  # when it is due to fire
    mark_field: str  # when it fired
    done_field: str  # the target is met once this is set


LEVELS = [
    Level(
        "first_response",
        "warning",
        "first_response_warn_at",
        "first_response_warned_at",
        "first_responded_at",
    ),
    Level(
        "first_response",
        "breached",
        "first_response_due_at",
        "first_response_breached_at",
        "first_responded_at",
    ),
    Level("resolution", "warning", "resolution_warn_at", "resolution_warned_at", "resolved_at"),
    Level("resolution", "breached", "resolution_due_at", "resolution_breached_at", "resolved_at"),
]
TARGET_NAMES = {"first_response": "First response", "resolution": "Resolution"}


def _pending(level: Level, now: datetime.datetime) -> Q:
    condition = Q(
        **{
            f"{level.time_field}__lte": now,
            f"{level.mark_field}__isnull": True,
            f"{level.done_field}__isnull": True,
        }
    )
    if level.target == "resolution":
        # Waiting for the customer stops the resolution clock.
        condition &= ~Q(status=ServiceRequest.Status.PENDING_CUSTOMER)
    return condition


def due_for_sweep(now: datetime.datetime) -> Q:
    pending = Q()
    for level in LEVELS:
        pending |= _pending(level, now)
    return Q(status__in=ServiceRequest.OPEN_STATUSES) & pending


def _recipients(request: ServiceRequest, level: Level) -> list[User]:
    if level.kind == "warning":
        people = [request.assignee] if request.assignee else []
        if not people and request.team and request.team.supervisor:
            people = [request.team.supervisor]
        return people
    supervisor = request.team.supervisor if request.team else None
    if supervisor is None:
        return (
            list(
                User.objects.filter(
                    role=User.Role.SUPERVISOR, is_active=True, teams=request.team_id
                )[:5]
            )
            if request.team_id
            else []
        )
    return [supervisor]


def _headline(request: ServiceRequest, level: Level) -> str:
    target = _(TARGET_NAMES[level.target])
    if level.kind == "warning":
        return _("%(number)s: %(target)s at risk") % {"number": request.number, "target": target}
    return _("%(number)s: %(target)s missed") % {"number": request.number, "target": target}


def _tell(person: User, request: ServiceRequest, level: Level, due_at: datetime.datetime) -> None:
    """An in-app notification and a mail, in the person's language and time zone."""
    key = f"sla:{request.pk}:{level.target}:{level.kind}:{due_at.isoformat()}"
    path = f"/{request.number}/"
    language = person.language or settings.LANGUAGE_CODE
    time_zone = person.time_zone or settings.SERVICE_TIME_ZONE
    with translation.override(language), timezone.override(time_zone):
        headline = _headline(request, level)
        notifications.notify(
            recipient=person, key=key, title=headline, body=request.title, url=path
        )
        body = render_to_string(
            "notifications/email/sla_announcement.txt",
            {
                "headline": headline,
                "request": request,
                "due_at": due_at,
                "time_zone": time_zone,
                "link": settings.SITE_URL + path,
            },
        )
    notifications.email_enqueue(
        key=key,
        to_address=person.email,
        subject=headline,
        body=body,
        recipient=person,
        reference=request.number,
    )


def _announce(request: ServiceRequest, level: Level, now: datetime.datetime) -> None:
    due_at = getattr(
        request,
        level.time_field
        if level.kind == "breached"
        else level.time_field.replace("warn_at", "due_at"),
    )
    ServiceRequestEvent.objects.create(
        request=request,
        kind=Event.SLA_WARNING if level.kind == "warning" else Event.SLA_BREACHED,
        actor=None,
        note=_headline(request, level),
        changes={"target": level.target, "due_at": due_at.isoformat() if due_at else None},
    )
    if due_at is None:
        return
    for person in _recipients(request, level):
        _tell(person, request, level, due_at)


def sla_sweep(*, now: datetime.datetime | None = None, batch_size: int = 500) -> int:
    """Announce every level that has come due; returns how many were announced."""
    now = now or timezone.now()
    announced = 0
    candidates = (
        ServiceRequest.objects.filter(due_for_sweep(now))
        .select_related("assignee", "team__supervisor")
        .order_by("id")[:batch_size]
    )
    for request in candidates:
        for level in LEVELS:
            if (
                getattr(request, level.mark_field) is not None
                or getattr(request, level.done_field) is not None
            ):
                continue
            fire_at = getattr(request, level.time_field)
            if fire_at is None or fire_at > now:
                continue
            if (
                level.target == "resolution"
                and request.status == ServiceRequest.Status.PENDING_CUSTOMER
            ):
                continue
            with transaction.atomic():
                claimed = ServiceRequest.objects.filter(
                    pk=request.pk,
                    **{f"{level.mark_field}__isnull": True, level.time_field: fire_at},
                ).update(**{level.mark_field: now})
                if claimed:
                    _announce(request, level, now)
                    if level.kind == "breached":
                        escalation.service_request_escalate(
                            request, target=level.target, due_at=fire_at
                        )
                        signals.sla_breached.send(
                            sender=ServiceRequest,
                            request=request,
                            target=level.target,
                            due_at=fire_at,
                        )
                    announced += 1
    return announced
