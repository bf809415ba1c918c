"""Escalation on a missed target (SPEC §4): what the first matching rule does to the request.

- service_request_escalate: raise the priority one step and/or hand the request to a
  supervisor, as the rule says; called by the SLA sweep when it announces a breach, inside the
  transaction of its claim, so each breach escalates once however many workers sweep.
"""

import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext as _

from aftersales.accounts.models import Team, User
from aftersales.notifications import services as notifications
from aftersales.service_requests import (
    access,
    assignments,
    deadlines,
    priority,
    services,
    signals,
    transitions,
)
from aftersales.service_requests.models import Assignment, ServiceRequest, ServiceRequestEvent
from aftersales.sla.escalation import escalation_rule_for
from aftersales.sla.models import TARGETS, EscalationRule

Reassign = EscalationRule.Reassign
TARGET_NAMES = dict(TARGETS)


def _supervisor(team: Team | None) -> User | None:
    supervisor = team.supervisor if team is not None else None
    if supervisor is None or not access.can_work_as_assignee(supervisor):
        return None
    return supervisor


def _new_owner(request: ServiceRequest, rule: EscalationRule) -> tuple[Team | None, User | None]:
    """The team and assignee the rule asks for; what it cannot do stays as it is."""
    if rule.reassign == Reassign.SUPERVISOR:
        return request.team, _supervisor(request.team) or request.assignee
    if rule.reassign == Reassign.TEAM and rule.reassign_team is not None:
        team = rule.reassign_team
        supervisor = _supervisor(team)
        if supervisor is not None:
            return team, supervisor
        if team == request.team:
            return request.team, request.assignee
        # Nobody to hand it to in the new team: the old team's person lets go of it, unless
        # the status says someone is assigned (check constraint sr_assigned_has_assignee).
        keep = request.status == ServiceRequest.Status.ASSIGNED
        return team, request.assignee if keep else None
    return request.team, request.assignee


def _raise_priority(request: ServiceRequest) -> ServiceRequest:
    # The floor goes up, then the one path that derives priority and due times runs, so a
    # tighter policy applies at once; its rearm keeps the marks of deadlines already past,
    # so the breach being escalated is not announced a second time.
    request.escalated_priority = priority.raised(request.priority)
    services._set_deadlines(request)
    request.version = F("version") + 1
    request.save(
        update_fields=[
            "priority",
            "escalated_priority",
            *deadlines.DUE_FIELDS,
            "version",
            "updated_at",
        ]
    )
    request.refresh_from_db()
    return request


def _reassign(
    request: ServiceRequest, *, team: Team | None, assignee: User | None
) -> ServiceRequest:
    if assignee is not None and request.status in transitions.TRANSITIONS["assign"].sources:
        # Through the lifecycle, as a dispatcher's "assign" would go: the status becomes
        # assigned and the status-change event is written. The rule's name stays on the
        # internal event of the escalation.
        return transitions.apply(
            request,
            "assign",
            by=None,
            fields={"assignee": assignee, "team": team},
            changes={"assignee": assignee.username, "team": team.pk if team else None},
        )
    # Scheduled, waiting for approval or for the customer: the status stays what it is.
    request.team, request.assignee = team, assignee
    request.version = F("version") + 1
    request.save(update_fields=["team", "assignee", "version", "updated_at"])
    request.refresh_from_db()
    return request


def _username(user: User | None) -> str | None:
    return user.username if user is not None else None


def _tell(person: User, request: ServiceRequest, *, target: str, due_at: datetime.datetime) -> None:
    with translation.override(person.language or settings.LANGUAGE_CODE):
        title = _("%(number)s: %(target)s missed, escalated to you") % {
            "number": request.number,
            "target": TARGET_NAMES[target],
        }
        notifications.notify(
            recipient=person,
            key=f"escalated:{request.pk}:{target}:{due_at.isoformat()}",
            title=title,
            body=request.title,
            url=f"/{request.number}/",
        )


@transaction.atomic
def service_request_escalate(
    request: ServiceRequest, *, target: str, due_at: datetime.datetime
) -> EscalationRule | None:
    """Apply the first active escalation rule matching a request whose `target`
    (first_response or resolution), due at `due_at`, was missed. Returns the rule, or None
    when none matches or the request is no longer open; what already is as the rule asks is
    left alone."""
    locked = transitions.lock(request, expected_version=None)
    if not locked.is_open:
        # Resolved or cancelled since the sweep read it: nothing is late any more.
        return None
    rule = escalation_rule_for(
        target=target,
        priority=locked.priority,
        kind=locked.kind,
        category=locked.category,
        team_id=locked.team_id,
    )
    if rule is None:
        return None
    changes: dict[str, list[Any]] = {}
    if rule.raise_priority and priority.raised(locked.priority) != locked.priority:
        before = locked.priority
        locked = _raise_priority(locked)
        changes["priority"] = [before, locked.priority]
    team, assignee = _new_owner(locked, rule)
    old_team_id, old_assignee = locked.team_id, locked.assignee
    if team != locked.team or assignee != locked.assignee:
        locked = _reassign(locked, team=team, assignee=assignee)
        assignments.assignment_record(
            locked,
            assignee=locked.assignee,
            team=locked.team,
            by=None,
            method=Assignment.Method.ESCALATION,
            reason=_("Escalated by rule “%(name)s”") % {"name": rule.name},
        )
        if locked.team_id != old_team_id:
            changes["team"] = [old_team_id, locked.team_id]
        if locked.assignee_id != (old_assignee.pk if old_assignee else None):
            changes["assignee"] = [_username(old_assignee), _username(locked.assignee)]
    if not changes:
        return rule
    ServiceRequestEvent.objects.create(
        request=locked,
        kind=ServiceRequestEvent.Kind.UPDATED,
        actor=None,
        note=_("Escalated by rule “%(name)s”") % {"name": rule.name},
        changes=changes,
        # Rule names and who works on it are staff matters (customers see neither).
        is_internal=True,
    )
    if "assignee" in changes and locked.assignee is not None:
        _tell(locked.assignee, locked, target=target, due_at=due_at)
    signals.request_changed.send(sender=ServiceRequest, request_id=locked.pk)
    return rule
