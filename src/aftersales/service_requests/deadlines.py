"""Response-time targets on a 24×7 clock (SPEC §4 defaults); the SLA engine replaces this.

Pure functions: no database, aware datetimes only.
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

HOUR = datetime.timedelta(hours=1)


@dataclass(frozen=True)
class Targets:
    first_response: datetime.timedelta
    resolution: datetime.timedelta


DEFAULT_TARGETS = {
    "urgent": Targets(1 * HOUR, 24 * HOUR),
    "high": Targets(4 * HOUR, 16 * HOUR),
    "medium": Targets(8 * HOUR, 24 * HOUR),
    "low": Targets(24 * HOUR, 40 * HOUR),
}
COMPLAINT_TARGETS = Targets(24 * HOUR, 48 * HOUR)
WARNING_SHARE = 0.75

STATE_LABELS = {
    "ok": _("On track"),
    "warning": _("At risk"),
    "breached": _("Breached"),
    "paused": _("Paused"),
    "met": _("Met"),
    "missed": _("Missed"),
}


def targets_for(*, priority: str, kind: str) -> Targets:
    if kind == "complaint":
        return COMPLAINT_TARGETS
    return DEFAULT_TARGETS[priority]


def due_times(
    *, received_at: datetime.datetime, priority: str, kind: str
) -> tuple[datetime.datetime, datetime.datetime]:
    if received_at.tzinfo is None:
        raise ValueError("received_at must be an aware datetime")
    targets = targets_for(priority=priority, kind=kind)
    return received_at + targets.first_response, received_at + targets.resolution


@dataclass(frozen=True)
class TargetState:
    name: str
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


def target_state(
    *,
    name: str,
    start: datetime.datetime,
    due_at: datetime.datetime | None,
    done_at: datetime.datetime | None,
    now: datetime.datetime,
    paused_since: datetime.datetime | None = None,
    paused_seconds: int = 0,
    stopped: bool = False,
) -> TargetState:
    """The state of one target: ok, warning, breached, paused, met or missed."""
    if due_at is None:
        return TargetState(name, "ok", None, done_at, 0, None)
    budget = (due_at - start).total_seconds() - paused_seconds
    end = done_at or paused_since or now
    used = max(0, int((end - start).total_seconds()) - paused_seconds)
    if done_at is not None:
        return TargetState(
            name, "met" if done_at <= due_at else "missed", due_at, done_at, used, None
        )
    if stopped:
        return TargetState(name, "ok", due_at, None, used, None)
    remaining = int(budget - used)
    if paused_since is not None:
        return TargetState(name, "paused", due_at, None, used, remaining)
    if now > due_at:
        return TargetState(name, "breached", due_at, None, used, remaining)
    if budget > 0 and used >= WARNING_SHARE * budget:
        return TargetState(name, "warning", due_at, None, used, remaining)
    return TargetState(name, "ok", due_at, None, used, remaining)
