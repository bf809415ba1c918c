"""What the console shows, shaped from the selectors' results: SLA badges, the history.

Formatting only; no queries beyond the selectors' and no rules beyond the access module's.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.service_requests import access, deadlines, selectors
from aftersales.service_requests import transitions as lifecycle
from aftersales.service_requests.models import (
    Attachment,
    Comment,
    ServiceRequest,
    ServiceRequestEvent,
)
from aftersales.sla import engine

# Most pressing first: the one badge a list row shows.
SLA_SEVERITY = ("breached", "missed", "warning", "paused", "ok", "met")
Event = ServiceRequestEvent.Kind
# Titles of the history lines other apps write (kind "updated", by their `action`, e.g.
# repairs' "plan.approved"); those apps fill it in when they load, so none is imported here.
EVENT_TITLES: dict[str, Any] = {}
# Labels of the changes those lines record that are not fields of the request (e.g. the
# returns app's "rma_status"): change name → (label, {value: label} or None).
CHANGE_LABELS: dict[str, tuple[Any, dict[str, Any] | None]] = {}


def sla_badges(request: ServiceRequest) -> dict[str, Any]:
    """Each target's state with its label, and the most pressing one."""
    block = selectors.sla_block(request)
    names = {"first_response": _("First response"), "resolution": _("Resolution")}
    targets = [
        {**state, "name": names[key], "label": deadlines.STATE_LABELS[state["state"]]}
        for key, state in block.items()
    ]
    worst = min(targets, key=lambda t: SLA_SEVERITY.index(t["state"]))
    return {"targets": targets, "worst": worst}


def holiday_gaps(request: ServiceRequest) -> list[int]:
    """Years the resolution target runs into for which its calendar lacks holiday data: the
    due time may be wrong there until an admin enters that year's notice."""
    calendar = request.resolution_calendar
    if calendar is None or not request.is_open or request.resolution_due_at is None:
        return []
    return engine.missing_holiday_years(calendar, request.received_at, request.resolution_due_at)


def warranty(request: ServiceRequest) -> dict[str, Any] | None:
    """The unit's warranty end, and whether the request came in while it ran."""
    unit = request.unit
    if unit is None or unit.warranty_end is None:
        return None
    day = timezone.localdate(request.received_at)
    return {"end": unit.warranty_end, "active": unit.in_warranty_on(day)}


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
    except FieldDoesNotExist:
        if name in CHANGE_LABELS:
            label, values = CHANGE_LABELS[name]
            values = values or {}
            return capfirst(str(label)), values.get(old, old), values.get(new, new)
        return name, old, new  # a change recorded for a field that has since gone
    if model_field.is_relation and not model_field.concrete:  # e.g. the task force
        return capfirst(model_field.related_model._meta.verbose_name_plural), old, new
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
        entry.body = event.note  # why the system changed it (an escalation, a recomputation)
        if event.action in EVENT_TITLES:
            entry.title = str(EVENT_TITLES[event.action])
    elif event.kind == Event.ATTACHMENT_ADDED:
        entry.body = event.note
    elif event.kind in {Event.SLA_WARNING, Event.SLA_BREACHED}:
        targets = {"first_response": _("First response"), "resolution": _("Resolution")}
        entry.body = str(targets.get(event.changes.get("target"), ""))
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


def timeline(user: User, request: ServiceRequest) -> list[TimelineEntry]:
    """Events and comments in time order; a comment stands for its own "replied" event."""
    staff = access.is_staff(user)
    entries = [
        _event_entry(event, staff=staff)
        for event in selectors.events_for(user, request)
        if event.kind not in {Event.COMMENTED, Event.NOTE_ADDED}
    ]
    entries += [_comment_entry(comment) for comment in selectors.comments_for(user, request)]
    return sorted(entries, key=lambda entry: entry.at)
