"""Problem records: the only code that creates or changes them.

- problem_create: a new record (supervisors, admins), with its models, batches and requests
- problem_update: change its fields (managers all; the owner department the root cause)
- problem_transition: move it along its lifecycle (table `TRANSITIONS`)
- problem_action_add / problem_action_done: corrective and preventive actions
- problem_link / problem_unlink: group a service request under it (the request's history
  gets an internal line too)
- problem_open_from_spike: one click from the spikes page: a record for a model and batch
  that fails above its rate, with the requests that showed it

Every change writes a `ProblemEvent`, and is refused, changing nothing, when the record
moved on meanwhile (`expected_version`).
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.accounts.models import Team, User
from aftersales.catalog.models import Product
from aftersales.core.errors import Conflict, DomainError, InvalidTransition, NotAllowed
from aftersales.core.text import validate_clean_text
from aftersales.notifications.services import notify
from aftersales.quality import access, numbering
from aftersales.quality.models import (
    ProblemAction,
    ProblemBatch,
    ProblemEvent,
    ProblemLink,
    ProblemRecord,
    Source,
    Status,
)
from aftersales.service_requests import access as request_access
from aftersales.service_requests.models import ServiceRequest, ServiceRequestEvent

TITLE_MAX = 200
TEXT_MAX = 4000
ACTION_MAX = 2000
BATCH_MAX = 100
MAX_BATCHES = 50
# Departments that own problem records (SPEC §2.9: quality → production/QC, software →
# R&D, usage → training).
OWNER_KINDS = (Team.Kind.QUALITY, Team.Kind.RND, Team.Kind.TRAINING)


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[str]
    target: str
    label: Any
    manager_only: bool
    needs_reason: bool = False


S = Status
TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition(
            "investigate", frozenset({S.OPEN}), S.INVESTIGATING, gettext_lazy("Start"), False
        ),
        Transition(
            "act",
            frozenset({S.INVESTIGATING}),
            S.ACTIONS,
            gettext_lazy("Root cause found: carry out the actions"),
            False,
        ),
        Transition(
            "verify", frozenset({S.ACTIONS}), S.VERIFIED, gettext_lazy("Actions verified"), True
        ),
        Transition(
            "reopen",
            frozenset({S.VERIFIED, S.CLOSED}),
            S.ACTIONS,
            gettext_lazy("Not effective: back to the actions"),
            True,
            needs_reason=True,
        ),
        Transition("close", frozenset({S.VERIFIED}), S.CLOSED, gettext_lazy("Close"), True),
        Transition(
            "cancel",
            frozenset({S.OPEN, S.INVESTIGATING, S.ACTIONS}),
            S.CANCELLED,
            gettext_lazy("Cancel: not a problem"),
            True,
            needs_reason=True,
        ),
    ]
}


def available(problem: ProblemRecord, user: User) -> list[Transition]:
    """What `user` may do with `problem` now (the pages show these buttons)."""
    manager = access.can_manage(user, problem)
    worker = access.can_work(user, problem)
    return [
        t
        for t in TRANSITIONS.values()
        if problem.status in t.sources and (manager if t.manager_only else worker)
    ]


def _invalid(field: str, message: str) -> DomainError:
    return DomainError(message, fields={field: [message]})


def _text(data: dict[str, Any], field: str, limit: int, *, required: str = "") -> str:
    value = data.get(field)
    value = "" if value is None else str(value).strip()
    if required and not value:
        raise _invalid(field, required)
    if len(value) > limit:
        raise _invalid(field, _("At most %(limit)s characters.") % {"limit": limit})
    return value


def _event(problem: ProblemRecord, action: str, note: str, *, by: User | None, **changes: Any):  # type: ignore[no-untyped-def]
    return ProblemEvent.objects.create(
        problem=problem, action=action, actor=by, note=note, changes=changes
    )


def _request_event(request: ServiceRequest, verb: str, problem: ProblemRecord, by: User | None):  # type: ignore[no-untyped-def]
    ServiceRequestEvent.objects.create(
        request=request,
        kind=ServiceRequestEvent.Kind.UPDATED,
        action=f"quality.{verb}",
        actor=by,
        note=f"{problem.number} {problem.title}",
        is_internal=True,
    )
    ServiceRequest.objects.filter(pk=request.pk).update(updated_at=timezone.now())


def _locked(problem: ProblemRecord, expected_version: int | None) -> ProblemRecord:
    locked = ProblemRecord.objects.select_for_update().select_related("team").get(pk=problem.pk)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            _("Someone else changed this problem record in the meantime; reload it and try again."),
            current_version=locked.version,
            current_status=locked.status,
        )
    return locked


def _save(problem: ProblemRecord, fields: set[str]) -> ProblemRecord:
    problem.version = F("version") + 1
    problem.save(update_fields=sorted({*fields, "version", "updated_at"}))
    problem.refresh_from_db()
    return problem


def _bump(problem: ProblemRecord) -> None:
    ProblemRecord.objects.filter(pk=problem.pk).update(
        version=F("version") + 1, updated_at=timezone.now()
    )


def _owner_team(team: Team | None) -> Team:
    if team is None:
        raise _invalid("team", _("Choose the owner department."))
    if team.kind not in OWNER_KINDS:
        raise _invalid(
            "team",
            _("%(team)s is not a department that owns problems (production/QC, R&D, training).")
            % {"team": team},
        )
    return team


def _batches(raw: Any) -> list[str]:
    """Batch numbers from a list or from text (one per line, or separated by commas)."""
    if raw is None:
        return []
    items = raw.replace(",", "\n").replace("，", "\n").splitlines() if isinstance(raw, str) else raw
    seen: list[str] = []
    for item in items:
        value = str(item).strip()
        if not value or value in seen:
            continue
        if len(value) > BATCH_MAX:
            raise _invalid(
                "batches", _("A batch number has at most %(n)s characters.") % {"n": BATCH_MAX}
            )
        try:
            validate_clean_text(value)
        except ValidationError as exc:
            raise _invalid("batches", exc.messages[0]) from exc
        seen.append(value)
    if len(seen) > MAX_BATCHES:
        raise _invalid("batches", _("At most %(n)s batches.") % {"n": MAX_BATCHES})
    return seen


def _set_batches(problem: ProblemRecord, batches: list[str], products: list[Product]) -> None:
    product_for = {}
    if len(products) == 1:
        product_for = dict.fromkeys(batches, products[0])
    problem.batches.exclude(batch_number__in=batches).delete()
    existing = set(problem.batches.values_list("batch_number", flat=True))
    ProblemBatch.objects.bulk_create(
        ProblemBatch(problem=problem, batch_number=b, product=product_for.get(b))
        for b in batches
        if b not in existing
    )


def _tell_team(problem: ProblemRecord, key: str, title: str) -> None:
    people = list(problem.team.members.filter(is_active=True))
    if problem.team.supervisor is not None:
        people.append(problem.team.supervisor)
    for person in {p.pk: p for p in people}.values():
        if person.is_active and person.role != User.Role.CUSTOMER:
            notify(
                recipient=person,
                key=f"problem:{problem.pk}:{key}",
                title=title,
                body=problem.symptom[:500],
                url=reverse("quality:detail", args=[problem.number]),
            )


@transaction.atomic
def problem_create(
    *,
    by: User,
    data: dict[str, Any],
    requests: list[ServiceRequest] | None = None,
    source: str = Source.MANUAL,
) -> ProblemRecord:
    """A new record owned by a department (`team`, of kind QC, R&D or training), with its
    product models (`products`), `batches` and the `requests` it groups. Supervisors and
    admins open records; the department's people are told."""
    if not access.can_create(by):
        raise NotAllowed(_("Only supervisors and administrators open problem records."))
    title = _text(data, "title", TITLE_MAX, required=_("Give the problem a title."))
    symptom = _text(data, "symptom", TEXT_MAX, required=_("Describe the symptom."))
    root_cause = _text(data, "root_cause", TEXT_MAX)
    team = _owner_team(data.get("team"))
    products = list(data.get("products") or [])
    batches = _batches(data.get("batches"))
    now = timezone.now()
    problem = ProblemRecord(
        number=numbering.next_number(now),
        title=title,
        symptom=symptom,
        root_cause=root_cause,
        team=team,
        source=source,
        opened_by=by,
    )
    problem.full_clean(exclude=["number"])
    problem.save()
    problem.products.set(products)
    _set_batches(problem, batches, products)
    _event(
        problem,
        "opened",
        title,
        by=by,
        team=[None, team.name],
        products=[p.model for p in products],
        batches=batches,
    )
    for request in requests or []:
        _link(problem, request, by=by)
    _tell_team(
        problem,
        "opened",
        _("Problem record %(number)s: %(title)s")
        % {
            "number": problem.number,
            "title": title,
        },
    )
    return problem


EDITABLE = ("title", "symptom", "team", "products", "batches", "root_cause")


@transaction.atomic
def problem_update(
    problem: ProblemRecord,
    *,
    by: User,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> ProblemRecord:
    """Change the fields given in `data`. Managers change all of them; the owner department
    records the root cause. A closed or cancelled record is not changed."""
    problem = _locked(problem, expected_version)
    if not access.can_work(by, problem):
        raise NotAllowed(_("You may not change this problem record."))
    given = [name for name in EDITABLE if name in data]
    if any(name != "root_cause" for name in given) and not access.can_manage(by, problem):
        raise NotAllowed(_("Only supervisors and administrators change more than the root cause."))
    if not problem.is_active:
        raise InvalidTransition(
            _("The problem record is “%(status)s”.") % {"status": problem.get_status_display()},
            status=problem.status,
        )
    changes: dict[str, list[Any]] = {}
    fields: set[str] = set()
    for name, limit, required in (
        ("title", TITLE_MAX, _("Give the problem a title.")),
        ("symptom", TEXT_MAX, _("Describe the symptom.")),
        ("root_cause", TEXT_MAX, ""),
    ):
        if name in data:
            value = _text(data, name, limit, required=required)
            if value != getattr(problem, name):
                changes[name] = [getattr(problem, name), value]
                setattr(problem, name, value)
                fields.add(name)
    if "team" in data:
        team = _owner_team(data["team"])
        if team.pk != problem.team_id:
            changes["team"] = [problem.team.name, team.name]
            problem.team = team
            fields.add("team")
    products = list(problem.products.all())
    if "products" in data:
        new = list(data["products"] or [])
        if {p.pk for p in new} != {p.pk for p in products}:
            changes["products"] = [[p.model for p in products], [p.model for p in new]]
            problem.products.set(new)
        products = new
    if "batches" in data:
        batches = _batches(data["batches"])
        before = list(problem.batches.values_list("batch_number", flat=True))
        if set(batches) != set(before):
            changes["batches"] = [before, batches]
        _set_batches(problem, batches, products)
    if not changes:
        return problem
    problem.full_clean(exclude=["number", "products", "requests"])
    problem = _save(problem, fields)
    _event(problem, "updated", "", by=by, **changes)
    if "team" in changes:
        _tell_team(
            problem,
            f"team:{problem.version}",
            _("Problem record %(number)s is now your department's") % {"number": problem.number},
        )
    return problem


@transaction.atomic
def problem_transition(
    problem: ProblemRecord,
    name: str,
    *,
    by: User,
    reason: str = "",
    expected_version: int | None = None,
) -> ProblemRecord:
    """Move the record along `TRANSITIONS[name]`. Moving to the actions needs a root cause and
    at least one action; verifying needs every action done; reopening and cancelling need a
    reason."""
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise _invalid("action", _("Unknown step."))
    problem = _locked(problem, expected_version)
    allowed = (
        access.can_manage(by, problem) if transition.manager_only else access.can_work(by, problem)
    )
    if not allowed:
        raise NotAllowed(_("You may not do this with the problem record."))
    if problem.status not in transition.sources:
        raise InvalidTransition(
            _("The problem record is “%(status)s”: “%(step)s” is not possible now.")
            % {"status": problem.get_status_display(), "step": transition.label},
            status=problem.status,
        )
    reason = _text(
        {"reason": reason},
        "reason",
        TEXT_MAX,
        required=_("Give a reason.") if transition.needs_reason else "",
    )
    fields = {"status"}
    if name == "act":
        if not problem.root_cause:
            raise _invalid("root_cause", _("Record the root cause first."))
        if not problem.actions.exists():
            raise _invalid("actions", _("Plan at least one corrective or preventive action first."))
    if name == "verify":
        open_actions = problem.actions.filter(done_at__isnull=True).count()
        if open_actions:
            raise _invalid(
                "actions",
                _("%(count)s action(s) are not done yet.") % {"count": open_actions},
            )
        problem.verified_at = timezone.now()
        problem.verified_by = by
        fields |= {"verified_at", "verified_by"}
    if name == "close":
        problem.closed_at = timezone.now()
        fields.add("closed_at")
    if name == "reopen":
        problem.verified_at = None
        problem.verified_by = None
        problem.closed_at = None
        fields |= {"verified_at", "verified_by", "closed_at"}
    if name == "cancel":
        problem.cancel_reason = reason
        problem.closed_at = timezone.now()
        fields |= {"cancel_reason", "closed_at"}
    before = problem.status
    problem.status = transition.target
    problem = _save(problem, fields)
    _event(problem, name, reason, by=by, status=[before, problem.status])
    return problem


@transaction.atomic
def problem_action_add(
    problem: ProblemRecord,
    *,
    by: User,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> ProblemAction:
    """A corrective or preventive action (`kind`, `description`, `owner`, `due_on`). The
    owner is told."""
    problem = _locked(problem, expected_version)
    if not access.can_work(by, problem):
        raise NotAllowed(_("You may not plan actions for this problem record."))
    if problem.status not in {Status.OPEN, Status.INVESTIGATING, Status.ACTIONS}:
        raise InvalidTransition(
            _("The problem record is “%(status)s”.") % {"status": problem.get_status_display()},
            status=problem.status,
        )
    kind = data.get("kind")
    if kind not in ProblemAction.Kind.values:
        raise _invalid("kind", _("Choose corrective or preventive."))
    description = _text(data, "description", ACTION_MAX, required=_("Say what is to be done."))
    owner = data.get("owner")
    if not isinstance(owner, User) or not access.can_own_action(owner):
        raise _invalid("owner", _("Choose an active member of staff to own the action."))
    due_on = data.get("due_on")
    if not isinstance(due_on, datetime.date):
        raise _invalid("due_on", _("Give a due date."))
    action = ProblemAction(
        problem=problem,
        kind=kind,
        description=description,
        owner=owner,
        due_on=due_on,
        created_by=by,
    )
    action.full_clean()
    action.save()
    _bump(problem)
    _event(
        problem,
        "action.added",
        description,
        by=by,
        action_id=[None, action.pk],
        owner=[None, owner.username],
        due_on=[None, due_on.isoformat()],
    )
    if owner.pk != by.pk:
        notify(
            recipient=owner,
            key=f"problem-action:{action.pk}",
            title=_("Action for %(number)s due %(due)s")
            % {"number": problem.number, "due": due_on.isoformat()},
            body=description[:500],
            url=reverse("quality:detail", args=[problem.number]),
        )
    return action


@transaction.atomic
def problem_action_done(action: ProblemAction, *, by: User, result: str) -> ProblemAction:
    """The action's owner (or the department) records it done, with what came of it."""
    problem = _locked(action.problem, None)
    action = ProblemAction.objects.select_for_update().get(pk=action.pk)
    action.problem = problem
    if not access.can_finish_action(by, action):
        raise NotAllowed(_("You may not record this action."))
    if action.done_at is not None:
        raise InvalidTransition(_("The action is done already."), status="done")
    if not problem.is_active:
        raise InvalidTransition(
            _("The problem record is “%(status)s”.") % {"status": problem.get_status_display()},
            status=problem.status,
        )
    action.result = _text(
        {"result": result}, "result", ACTION_MAX, required=_("Say what was done.")
    )
    action.done_at = timezone.now()
    action.done_by = by
    action.save(update_fields=["result", "done_at", "done_by", "updated_at"])
    _bump(problem)
    _event(problem, "action.done", action.result, by=by, action_id=[action.pk, action.pk])
    return action


@transaction.atomic
def problem_action_remove(action: ProblemAction, *, by: User) -> None:
    """Managers remove an action planned by mistake (one not done yet)."""
    problem = _locked(action.problem, None)
    if not access.can_manage(by, problem):
        raise NotAllowed(_("You may not remove this action."))
    if action.done_at is not None:
        raise InvalidTransition(_("A done action stays on the record."), status="done")
    description = action.description
    action.delete()
    _bump(problem)
    _event(problem, "action.removed", description, by=by)


def _link(problem: ProblemRecord, request: ServiceRequest, *, by: User | None) -> bool:
    """Link without the checks (the caller made them); False if it was linked already."""
    try:
        with transaction.atomic():
            ProblemLink.objects.create(problem=problem, request=request, linked_by=by)
    except IntegrityError:
        return False
    _event(problem, "linked", request.number, by=by, request=[None, request.number])
    _request_event(request, "linked", problem, by)
    return True


@transaction.atomic
def problem_link(problem: ProblemRecord, request: ServiceRequest, *, by: User) -> ProblemRecord:
    """Group `request` under the record. The linker must see the request; linking twice is
    refused."""
    problem = _locked(problem, None)
    if not access.can_link(by, problem):
        if not problem.is_active:
            raise InvalidTransition(
                _("The problem record is “%(status)s”.") % {"status": problem.get_status_display()},
                status=problem.status,
            )
        raise NotAllowed(_("You may not link requests to this problem record."))
    if not request_access.can_view(by, request):
        raise _invalid("service_request", _("No such service request."))
    if not _link(problem, request, by=by):
        raise _invalid(
            "service_request",
            _("%(number)s is linked already.") % {"number": request.number},
        )
    _bump(problem)
    problem.refresh_from_db()
    return problem


@transaction.atomic
def problem_unlink(problem: ProblemRecord, request: ServiceRequest, *, by: User) -> ProblemRecord:
    problem = _locked(problem, None)
    if not access.can_link(by, problem):
        raise NotAllowed(_("You may not unlink requests from this problem record."))
    link = ProblemLink.objects.filter(problem=problem, request=request).first()
    if link is None:
        raise _invalid(
            "service_request", _("%(number)s is not linked.") % {"number": request.number}
        )
    if not access.can_unlink(by, problem, link.linked_by_id):
        raise NotAllowed(_("You may not unlink this request."))
    link.delete()
    _bump(problem)
    _event(problem, "unlinked", request.number, by=by, request=[request.number, None])
    _request_event(request, "unlinked", problem, by)
    problem.refresh_from_db()
    return problem


@transaction.atomic
def problem_open_from_spike(
    *,
    by: User,
    product: Product,
    batch_number: str,
    team: Team | None = None,
    now: datetime.datetime | None = None,
) -> ProblemRecord:
    """A record for a batch the spike detection flags now, prefilled with the model, the
    batch, the evidence and the requests of the window; owned by `team`, else the first
    production/QC department. Refused when the batch is not flagged (any more)."""
    from aftersales.quality import spikes

    if not access.can_create(by):
        raise NotAllowed(_("Only supervisors and administrators open problem records."))
    found = spikes.spike_for_batch(product=product, batch_number=batch_number, now=now)
    if found is None or not found.flagged:
        raise _invalid(
            "batch_number",
            _("Batch %(batch)s of %(model)s is not failing above its rate now.")
            % {"batch": batch_number, "model": product.model},
        )
    if team is None:
        team = Team.objects.filter(kind=Team.Kind.QUALITY).order_by("id").first()
    symptom = _(
        "%(count)s requests for batch %(batch)s of %(model)s in the %(days)s days to "
        "%(end)s, where its own base rate leads to expect %(expected)s "
        "(Poisson upper tail p = %(p)s)."
    ) % {
        "count": found.count,
        "batch": batch_number,
        "model": product.model,
        "days": found.window_days,
        "end": found.window_end.date().isoformat(),
        "expected": f"{found.expected:.1f}",
        "p": f"{found.p_value:.2g}",
    }
    requests = list(ServiceRequest.objects.filter(pk__in=found.request_ids).order_by("received_at"))
    return problem_create(
        by=by,
        data={
            "title": _("Spike: %(model)s batch %(batch)s")
            % {
                "model": product.model,
                "batch": batch_number,
            },
            "symptom": symptom,
            "team": team,
            "products": [product],
            "batches": [batch_number],
        },
        requests=requests,
        source=Source.SPIKE,
    )


def spikes_notify(*, now: datetime.datetime | None = None) -> int:
    """Tell the supervisors of the production/QC departments (in-app) of each batch flagged
    now, once per batch and ISO week; a batch an active record covers already is left out.
    Returns how many notifications were written."""
    from aftersales.quality import selectors, spikes

    found = [b for b in spikes.spikes_detect(now=now) if b.flagged]
    covered = selectors.open_problems_for_batches([(b.product_id, b.batch_number) for b in found])
    supervisors = {
        team.supervisor
        for team in Team.objects.filter(
            kind=Team.Kind.QUALITY, supervisor__is_active=True
        ).select_related("supervisor")
    }
    written = 0
    for batch in found:
        if (batch.product_id, batch.batch_number) in covered:
            continue
        year, week, _day = batch.window_end.isocalendar()
        for person in supervisors:
            if person is None:
                continue
            note = notify(
                recipient=person,
                key=f"spike:{batch.product_id}:{batch.batch_number}:{year}-W{week:02d}",
                title=_(
                    "Spike: %(model)s batch %(batch)s, %(count)s requests (expected %(expected)s)"
                )
                % {
                    "model": batch.product_model,
                    "batch": batch.batch_number,
                    "count": batch.count,
                    "expected": f"{batch.expected:.1f}",
                },
                url=reverse("quality:spikes"),
            )
            written += note is not None
    return written
