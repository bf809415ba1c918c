"""Due times of a request and the state of each target (SPEC §4).

The policy, its calendars and the arithmetic are the SLA engine's (`aftersales.sla`); this
module feeds it the request and its history (the waits for the customer) and keeps the
results as columns of the request: due times, warning times, the calendars counted on.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.sla import calendar as business
from aftersales.sla import engine

HOUR = datetime.timedelta(hours=1)
Pause = tuple[datetime.datetime, datetime.datetime | None]


@dataclass(frozen=True)
class Targets:
    first_response: datetime.timedelta
    resolution: datetime.timedelta


# Used only where no policy applies (all policies switched off) and by the bulk loader:
# SPEC §4's targets on a 24×7 clock.
DEFAULT_TARGETS = {
    "urgent": Targets(1 * HOUR, 24 * HOUR),
    "high": Targets(4 * HOUR, 16 * HOUR),
    "medium": Targets(8 * HOUR, 24 * HOUR),
    "low": Targets(24 * HOUR, 40 * HOUR),
}
COMPLAINT_TARGETS = Targets(24 * HOUR, 48 * HOUR)

STATE_LABELS = {
    "ok": _("On track"),
    "warning": _("At risk"),
    "breached": _("Breached"),
    "paused": _("Paused"),
    "met": _("Met"),
    "missed": _("Missed"),
}

# The columns `apply_due_times` sets, for save(update_fields=...).
DUE_FIELDS = [
    "sla_policy",
    "sla_warning_percent",
    "first_response_calendar",
    "first_response_minutes",
    "first_response_warn_at",
    "first_response_due_at",
    "resolution_calendar",
    "resolution_minutes",
    "resolution_warn_at",
    "resolution_due_at",
    "paused_seconds",
    "first_response_warned_at",
    "first_response_breached_at",
    "resolution_warned_at",
    "resolution_breached_at",
]


def due_times(
    *, received_at: datetime.datetime, priority: str, kind: str
) -> tuple[datetime.datetime, datetime.datetime]:
    """SPEC §4's targets on a 24×7 clock (no policy, no calendar)."""
    if received_at.tzinfo is None:
        raise ValueError("received_at must be an aware datetime")
    targets = COMPLAINT_TARGETS if kind == "complaint" else DEFAULT_TARGETS[priority]
    return received_at + targets.first_response, received_at + targets.resolution


def pauses_of(
    request: Any, *, ended_now: datetime.datetime | None = None, events: Any = None
) -> list[Pause]:
    """The request's waits for the customer, from its history. `ended_now` closes the
    running one (the request is leaving `pending_customer` at that moment). `events`: its
    status changes in order, when the caller has read them already."""
    pauses: list[Pause] = []
    started: datetime.datetime | None = None
    if events is None:
        events = request.events.filter(kind="status_changed").order_by("created_at", "id")
    for event in events:
        if event.to_status == "pending_customer" and started is None:
            started = event.created_at
        elif event.from_status == "pending_customer" and started is not None:
            pauses.append((started, event.created_at))
            started = None
    if started is not None:
        pauses.append((started, ended_now))
    return pauses


# Apps may hold a kind's resolution clock for a reason of their own: a complaint's
# resolution target starts at the customer's agreement (SPEC §4), so until then its clock is
# held from `received_at`. A hold is a function of the (saved) request giving extra pauses;
# an end of None means the clock is held still: the resolution is "not yet started" and has
# no due time. Registered once, in an AppConfig.ready().
ResolutionHold = Callable[[Any], list[Pause]]
_HOLDS: dict[str, list[ResolutionHold]] = {}


def add_resolution_hold(kind: str, hold: ResolutionHold) -> None:
    holds = _HOLDS.setdefault(kind, [])
    if hold not in holds:
        holds.append(hold)


def _held(request: Any) -> list[Pause]:
    if request.pk is None:
        return []
    held: list[Pause] = []
    for hold in _HOLDS.get(request.kind, ()):
        held.extend(hold(request))
    return held


def _merged(pauses: list[Pause]) -> list[Pause]:
    """Overlapping pauses as one (a wait for the customer inside a hold counts once)."""
    merged: list[Pause] = []
    for start, end in sorted(pauses, key=lambda p: p[0]):
        if merged:
            last_start, last_end = merged[-1]
            if last_end is None or start <= last_end:
                new_end = None if last_end is None or end is None else max(last_end, end)
                merged[-1] = (last_start, new_end)
                continue
        merged.append((start, end))
    return merged


def apply_due_times(
    request: Any, *, pauses: list[Pause], snapshot: engine.PolicySnapshot | None = None
) -> None:
    """Set the request's SLA columns from the policy that matches it now.

    A wait still running does not move the resolution due time yet; when it ends the due
    time is recomputed with it. A hold still running (see `add_resolution_hold`) leaves the
    resolution without a due time: it has not started.
    """
    finished = [(start, end) for start, end in pauses if end is not None]
    held = _held(request)
    if held:
        finished = _merged([*finished, *held])
    running_hold = any(end is None for _start, end in finished)
    done = [(start, end) for start, end in finished if end is not None]
    due = engine.due_times(
        received_at=request.received_at,
        kind=request.kind,
        category=request.category,
        channel=request.channel,
        priority=request.priority,
        customer_id=request.customer_id,
        pauses=finished,
        snapshot=snapshot,
    )
    target = due.target
    if target is None:
        first_due, resolution_due = due_times(
            received_at=request.received_at, priority=request.priority, kind=request.kind
        )
        request.sla_policy = request.first_response_calendar = request.resolution_calendar = None
        request.first_response_minutes = request.resolution_minutes = None
        share = 0.75
        request.first_response_warn_at = (
            request.received_at + (first_due - request.received_at) * share
        )
        held_seconds = sum((end - start).total_seconds() for start, end in done)
        if running_hold:
            resolution_due = warn_at = None
        else:
            warn_at = request.received_at + (resolution_due - request.received_at) * share
            if held:
                # Around the clock: the held time moves the due time by as much.
                shift = datetime.timedelta(seconds=held_seconds)
                resolution_due, warn_at = resolution_due + shift, warn_at + shift
        request.first_response_due_at, request.resolution_due_at = first_due, resolution_due
        request.resolution_warn_at = warn_at
        request.sla_warning_percent = 75
        request.paused_seconds = int(held_seconds)
        _rearm(request)
        return
    percent = target.policy.warning_percent
    first_clock = engine.clock_for(target.first_response_calendar)
    resolution_clock = engine.clock_for(target.resolution_calendar)
    request.sla_policy = target.policy
    request.sla_warning_percent = percent
    request.first_response_calendar = target.first_response_calendar
    request.first_response_minutes = target.first_response_minutes
    request.first_response_due_at = due.first_response_due
    request.first_response_warn_at = first_clock.add(
        request.received_at, target.first_response_minutes * 60 * percent // 100
    )
    request.resolution_calendar = target.resolution_calendar
    request.resolution_minutes = target.resolution_minutes
    request.resolution_due_at = due.resolution_due
    request.resolution_warn_at = business.due_with_pauses(
        resolution_clock,
        request.received_at,
        target.resolution_minutes * 60 * percent // 100,
        finished,
    )
    request.paused_seconds = sum(resolution_clock.elapsed(start, end) for start, end in done)
    _rearm(request)


# A deadline that moved into the future may be announced again when it comes.
_MARKS = {
    "first_response_warn_at": "first_response_warned_at",
    "first_response_due_at": "first_response_breached_at",
    "resolution_warn_at": "resolution_warned_at",
    "resolution_due_at": "resolution_breached_at",
}


def _rearm(request: Any) -> None:
    now = timezone.now()
    for time_field, mark_field in _MARKS.items():
        moment = getattr(request, time_field)
        if getattr(request, mark_field) is not None and (moment is None or moment > now):
            setattr(request, mark_field, None)


@dataclass(frozen=True)
class TargetState:
    state: str
    due_at: datetime.datetime | None
    done_at: datetime.datetime | None
    used_seconds: int
    remaining_seconds: int | None

    def as_dict(self) -> dict[str, object]:
        return {
            "state": self.state,
            "due_at": self.due_at,
            "done_at": self.done_at,
            "used_seconds": self.used_seconds,
            "remaining_seconds": self.remaining_seconds,
        }


def _used_seconds(
    calendar: Any, start: datetime.datetime, end: datetime.datetime, paused_seconds: int = 0
) -> int:
    if end <= start:
        return 0
    if calendar is None:
        return max(0, int((end - start).total_seconds()) - paused_seconds)
    return max(0, engine.clock_for(calendar).elapsed(start, end) - paused_seconds)


def _state(
    *,
    now: datetime.datetime,
    due_at: datetime.datetime | None,
    warn_at: datetime.datetime | None,
    done_at: datetime.datetime | None,
    used: int,
    budget: int | None,
    paused: bool = False,
    stopped: bool = False,
) -> TargetState:
    remaining = None if budget is None else budget - used
    if done_at is not None:
        late = due_at is not None and done_at > due_at
        return TargetState("missed" if late else "met", due_at, done_at, used, None)
    if stopped or due_at is None:
        return TargetState("ok", due_at, None, used, None if stopped else remaining)
    if paused:
        return TargetState("paused", due_at, None, used, remaining)
    if now >= due_at:
        return TargetState("breached", due_at, None, used, remaining)
    if warn_at is not None and now >= warn_at:
        return TargetState("warning", due_at, None, used, remaining)
    return TargetState("ok", due_at, None, used, remaining)


def sla_block(request: Any, *, now: datetime.datetime | None = None) -> dict[str, Any]:
    """Each target's state (ok, warning, breached, paused, met, missed), due time, and the
    business time used and remaining on the target's own calendar."""
    now = now or timezone.now()
    stopped = request.status == "cancelled"
    received = request.received_at
    first_done = request.first_responded_at
    first_budget = request.first_response_minutes * 60 if request.first_response_minutes else None
    first = _state(
        now=now,
        due_at=request.first_response_due_at,
        warn_at=request.first_response_warn_at,
        done_at=first_done,
        used=_used_seconds(request.first_response_calendar, received, first_done or now),
        budget=first_budget,
        stopped=stopped,
    )
    resolution_done = request.resolved_at or (
        request.closed_at if request.status == "closed" else None
    )
    end = resolution_done or request.paused_since or now
    resolution_budget = request.resolution_minutes * 60 if request.resolution_minutes else None
    if (
        resolution_done is None
        and not stopped
        and request.resolution_due_at is None
        and request.first_response_due_at is not None
    ):
        # Held (a complaint before the customer's agreement): not started, nothing used.
        resolution = TargetState("paused", None, None, 0, resolution_budget)
        return {"first_response": first.as_dict(), "resolution": resolution.as_dict()}
    resolution = _state(
        now=now,
        due_at=request.resolution_due_at,
        warn_at=request.resolution_warn_at,
        done_at=resolution_done,
        used=_used_seconds(request.resolution_calendar, received, end, request.paused_seconds),
        budget=resolution_budget,
        paused=request.paused_since is not None,
        stopped=stopped,
    )
    return {"first_response": first.as_dict(), "resolution": resolution.as_dict()}
