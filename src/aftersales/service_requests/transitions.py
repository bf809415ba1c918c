"""The lifecycle of a service request (SPEC §3), as one table.

Each action: the states it leaves from, the state it goes to, who may take it, and what it
needs. `apply` is the only code that assigns `ServiceRequest.status`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.accounts.models import User
from aftersales.core.errors import Conflict, InvalidTransition, NotAllowed
from aftersales.service_requests import access, deadlines, signals
from aftersales.service_requests.models import ServiceRequest, ServiceRequestEvent

S = ServiceRequest.Status
Rule = Callable[[User, ServiceRequest], bool]


def _customer_or_dispatcher(user: User, request: ServiceRequest) -> bool:
    return access.owns(user, request) or access.dispatches(user, request)


def _may_take(user: User, request: ServiceRequest) -> bool:
    """Whoever may work an unassigned request takes it for themself."""
    return (
        request.assignee_id is None
        and access.can_work_as_assignee(user)
        and access.works_on(user, request)
    )


def _owner_while_new_or_dispatcher(user: User, request: ServiceRequest) -> bool:
    if access.owns(user, request):
        return request.status == S.NEW
    return access.dispatches(user, request)


@dataclass(frozen=True)
class Transition:
    name: str
    label: Any
    sources: frozenset[str]
    target: str
    allowed: Rule
    needs: tuple[str, ...] = ()
    style: str = "secondary"


_ALL = [
    Transition(
        "assign",
        gettext_lazy("Assign"),
        frozenset({S.NEW, S.ASSIGNED, S.IN_PROGRESS, S.REOPENED}),
        S.ASSIGNED,
        access.dispatches,
        needs=("assignee",),
        style="primary",
    ),
    Transition(
        "take",
        gettext_lazy("Take it"),
        frozenset({S.NEW, S.IN_PROGRESS, S.REOPENED}),
        S.ASSIGNED,
        _may_take,
        style="primary",
    ),
    Transition(
        "start",
        gettext_lazy("Start work"),
        frozenset({S.ASSIGNED, S.REOPENED, S.PENDING_CUSTOMER, S.SCHEDULED}),
        S.IN_PROGRESS,
        access.works_on,
        style="primary",
    ),
    Transition(
        "request-approval",
        gettext_lazy("Request approval"),
        frozenset({S.IN_PROGRESS}),
        S.PENDING_APPROVAL,
        access.works_on,
        needs=("note",),
    ),
    Transition(
        "approve",
        gettext_lazy("Approve"),
        frozenset({S.PENDING_APPROVAL}),
        S.IN_PROGRESS,
        access.supervises,
        style="primary",
    ),
    Transition(
        "reject",
        gettext_lazy("Reject"),
        frozenset({S.PENDING_APPROVAL}),
        S.IN_PROGRESS,
        access.supervises,
        needs=("reason",),
        style="danger",
    ),
    Transition(
        "wait-customer",
        gettext_lazy("Wait for customer"),
        frozenset({S.IN_PROGRESS}),
        S.PENDING_CUSTOMER,
        access.works_on,
        needs=("note",),
    ),
    Transition(
        "schedule",
        gettext_lazy("Schedule visit"),
        frozenset({S.ASSIGNED, S.IN_PROGRESS}),
        S.SCHEDULED,
        access.works_on,
        needs=("scheduled_for",),
    ),
    Transition(
        "resolve",
        gettext_lazy("Resolve"),
        frozenset({S.NEW, S.ASSIGNED, S.IN_PROGRESS, S.REOPENED, S.SCHEDULED}),
        S.RESOLVED,
        access.works_on,
        needs=("resolution",),
        style="success",
    ),
    Transition(
        "reopen",
        gettext_lazy("Reopen"),
        frozenset({S.RESOLVED, S.CLOSED}),
        S.REOPENED,
        _customer_or_dispatcher,
        needs=("reason",),
        style="danger",
    ),
    Transition(
        "close", gettext_lazy("Close"), frozenset({S.RESOLVED}), S.CLOSED, _customer_or_dispatcher
    ),
    Transition(
        "cancel",
        gettext_lazy("Cancel"),
        frozenset(
            {
                S.NEW,
                S.ASSIGNED,
                S.IN_PROGRESS,
                S.PENDING_APPROVAL,
                S.PENDING_CUSTOMER,
                S.SCHEDULED,
                S.REOPENED,
            }
        ),
        S.CANCELLED,
        _owner_while_new_or_dispatcher,
        needs=("reason",),
        style="danger",
    ),
]
TRANSITIONS: dict[str, Transition] = {t.name: t for t in _ALL}


# Checks other apps add to an action (e.g. "close" waits for the follow-up): each is called
# with the locked request, the transition and who acts (None: the system), and raises a
# DomainError or InvalidTransition to refuse. Registered once, in an AppConfig.ready().
Guard = Callable[[ServiceRequest, Transition, User | None], None]
_GUARDS: dict[str, list[Guard]] = {}


def add_guard(action: str, guard: Guard) -> None:
    get(action)
    guards = _GUARDS.setdefault(action, [])
    if guard not in guards:
        guards.append(guard)


def run_guards(request: ServiceRequest, transition: Transition, by: User | None) -> None:
    for guard in _GUARDS.get(transition.name, ()):
        guard(request, transition, by)


def available(request: ServiceRequest, user: User) -> list[Transition]:
    """What the pages offer this user now; the same table that `apply` enforces."""
    return [t for t in _ALL if request.status in t.sources and t.allowed(user, request)]


def get(name: str) -> Transition:
    try:
        return TRANSITIONS[name]
    except KeyError:
        raise InvalidTransition(_("Unknown action “%(name)s”.") % {"name": name}) from None


def check_source(request: ServiceRequest, transition: Transition) -> None:
    if request.status not in transition.sources:
        raise InvalidTransition(
            _("“%(action)s” is not possible while the request is “%(status)s”.")
            % {"action": transition.label, "status": request.get_status_display()},
            status=request.status,
        )


def lock(request: ServiceRequest, *, expected_version: int | None) -> ServiceRequest:
    """Re-read the row under a lock and refuse a stale `version` (optimistic concurrency)."""
    locked = ServiceRequest.objects.select_for_update().get(pk=request.pk)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            _("Someone else changed this request in the meantime; reload it and try again."),
            current_version=locked.version,
            current_status=locked.status,
        )
    return locked


def apply(
    request: ServiceRequest,
    name: str,
    *,
    by: User | None,
    note: str = "",
    changes: dict[str, Any] | None = None,
    expected_version: int | None = None,
    fields: dict[str, Any] | None = None,
) -> ServiceRequest:
    """Move `request` along action `name`, inside the caller's transaction.

    `fields` are set on the row together with the status (e.g. the assignee). `by=None` is
    the system and skips the permission check. Raises NotAllowed, InvalidTransition, Conflict.
    """
    transition = get(name)
    locked = lock(request, expected_version=expected_version)
    if by is not None and not transition.allowed(by, locked):
        raise NotAllowed(_("You may not “%(action)s” this request.") % {"action": transition.label})
    check_source(locked, transition)
    run_guards(locked, transition, by)
    now = timezone.now()
    old = locked.status
    locked.status = transition.target
    update = {"status", "version", "updated_at"}
    for field, value in (fields or {}).items():
        setattr(locked, field, value)
        update.add(field)
    if old == S.PENDING_CUSTOMER and locked.paused_since is not None:
        # Leaving the customer's wait: the resolution clock resumes; its due time is
        # recomputed from the history with this wait (business time only) left out.
        pauses = deadlines.pauses_of(locked, ended_now=now)
        locked.paused_since = None
        deadlines.apply_due_times(locked, pauses=pauses)
        update |= {"paused_since", *deadlines.DUE_FIELDS}
    if transition.target == S.PENDING_CUSTOMER:
        locked.paused_since = now
        update.add("paused_since")
    if transition.target == S.RESOLVED:
        locked.resolved_at = now
        update.add("resolved_at")
        if locked.first_responded_at is None:
            # The resolution is told to the customer: a request solved without an earlier
            # contact was answered then (SPEC §5).
            locked.first_responded_at = now
            update.add("first_responded_at")
    if transition.target == S.CLOSED:
        locked.closed_at = now
        update.add("closed_at")
    if transition.target == S.CANCELLED:
        locked.cancelled_at = now
        update.add("cancelled_at")
    if transition.target == S.REOPENED:
        locked.reopen_count = F("reopen_count") + 1
        locked.resolved_at = None
        locked.closed_at = None
        update |= {"reopen_count", "resolved_at", "closed_at"}
    locked.version = F("version") + 1
    locked.save(update_fields=sorted(update))
    locked.refresh_from_db()
    ServiceRequestEvent.objects.create(
        request=locked,
        kind=ServiceRequestEvent.Kind.STATUS_CHANGED,
        action=transition.name,
        actor=by,
        from_status=old,
        to_status=locked.status,
        note=note,
        changes=changes or {},
    )
    signals.request_transitioned.send(
        sender=ServiceRequest,
        request=locked,
        action=transition.name,
        from_status=old,
        to_status=locked.status,
        by=by,
    )
    return locked
