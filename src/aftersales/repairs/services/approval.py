"""Deciding a solution plan (SPEC §2 step 4).

- plan_submit: a draft goes to a supervisor (`request-approval`) when an approval rule
  applies, else it is approved at once
- plan_approve, plan_reject: a supervisor's decision (`approve` / `reject`)

On approval the plan's parts are reserved, all or none; a plan that touches the customer
then waits for their consent (`consent`).
"""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.core.errors import DomainError, InvalidTransition
from aftersales.notifications import services as notifications
from aftersales.parts import services as stock
from aftersales.repairs import access, rules
from aftersales.repairs.models import SolutionPlan
from aftersales.repairs.services._common import (
    P,
    S,
    _allowed,
    _bump,
    _event,
    _invalid,
    _locked,
    _money,
    _require_status,
    _text,
)
from aftersales.repairs.services.approval_rules import active_rules, reason_text
from aftersales.repairs.services.consent import _ask_consent
from aftersales.repairs.services.plans import _price, _set_warranty
from aftersales.service_requests import services as requests
from aftersales.service_requests.models import ServiceRequest


def _facts(plan: SolutionPlan, request: ServiceRequest) -> rules.PlanFacts:
    return rules.PlanFacts(
        total=plan.total,
        includes_replacement=plan.includes_replacement,
        includes_refund=plan.includes_refund,
        includes_compensation=plan.includes_compensation,
        needs_visit=plan.needs_visit,
        is_complaint=request.kind == ServiceRequest.Kind.COMPLAINT,
    )


def _reserve_parts(plan: SolutionPlan, request: ServiceRequest, *, by: User | None) -> None:
    """All of the plan's parts or none: the first that cannot be reserved refuses the whole
    approval, naming the part (the caller's transaction undoes what was reserved)."""
    for line in plan.parts.select_related("part", "warehouse").order_by("part_id", "warehouse_id"):
        try:
            reservation = stock.stock_reserve(
                warehouse=line.warehouse,
                part=line.part,
                quantity=line.quantity,
                service_request=request,
                by=by,
            )
        except DomainError as exc:
            message = _("Part %(part)s cannot be reserved: %(reason)s") % {
                "part": line.part.part_number,
                "reason": exc.message,
            }
            raise DomainError(
                message, fields={"parts": [message]}, part=line.part.part_number
            ) from exc
        line.reservation = reservation
        line.save(update_fields=["reservation"])


def _approve(
    plan: SolutionPlan,
    request: ServiceRequest,
    *,
    decided_by: User | None,
    acting: User | None,
    comment: str,
) -> None:
    """Record the decision, reserve the parts, and set where the plan goes next."""
    plan.decided_by = decided_by
    plan.decided_at = timezone.now()
    plan.decision_comment = comment
    _reserve_parts(plan, request, by=acting)
    plan.status = P.PENDING_CONSENT if plan.needs_consent else P.APPROVED
    _bump(plan, ["decided_by", "decided_at", "decision_comment", "status"])
    reserved = plan.parts.count()
    if decided_by is None:
        note = _("Solution plan %(number)d approved at once: no approval rule applies.") % {
            "number": plan.number
        }
    else:
        note = _("Solution plan %(number)d approved by %(name)s.") % {
            "number": plan.number,
            "name": decided_by.display_name,
        }
        if comment:
            note += " " + comment
    if reserved:
        note += " " + _("%(count)d parts reserved.") % {"count": reserved}
    _event(request, "plan.approved", note, by=decided_by or acting)


def _notify_supervisors(plan: SolutionPlan, request: ServiceRequest) -> None:
    if request.team_id is None:
        return
    supervisors = User.objects.filter(
        role=User.Role.SUPERVISOR, is_active=True, teams=request.team_id
    )
    for person in supervisors:
        with translation.override(person.language or settings.LANGUAGE_CODE):
            title = _("%(number)s: solution plan %(plan)d waits for your approval") % {
                "number": request.number,
                "plan": plan.number,
            }
        notifications.notify(
            recipient=person,
            key=f"plan-approval:{plan.pk}",
            title=title,
            body=plan.summary[:500],
            url=reverse("repairs:approvals"),
        )


@transaction.atomic
def plan_submit(
    plan: SolutionPlan, *, by: User, expected_version: int | None = None
) -> SolutionPlan:
    """A draft is decided: when an approval rule applies, a supervisor approves it (the
    request goes to `pending_approval`); otherwise it is approved at once. Needs the
    request in progress, at least one step and the warranty decided."""
    request, locked = _locked(plan, expected_version)
    _allowed(access.can_work(by, request), _("You may not submit plans of this request."))
    _require_status(locked, P.DRAFT)
    if request.status != S.IN_PROGRESS:
        raise InvalidTransition(
            _("A plan is submitted while the request is in progress; start work on it first."),
            status=request.status,
        )
    _set_warranty(locked, request, {})
    if locked.warranty == rules.UNKNOWN:
        raise _invalid(
            "warranty",
            _(
                "No purchase date is known for this unit: decide whether it is in warranty, and why."
            ),
        )
    if not locked.steps.exists():
        raise _invalid("steps", _("Give at least one step."))
    _price(locked)
    facts = _facts(locked, request)
    reasons = rules.approval_reasons(active_rules(), facts)
    locked.needs_approval = bool(reasons)
    locked.approval_reasons = reasons
    locked.needs_consent = rules.consent_needed(facts)
    locked.submitted_by = by
    locked.submitted_at = timezone.now()
    if reasons:
        locked.status = P.PENDING_APPROVAL
    _bump(
        locked,
        [
            "warranty",
            "warranty_basis",
            "warranty_end",
            "list_total",
            "total",
            "needs_approval",
            "approval_reasons",
            "needs_consent",
            "submitted_by",
            "submitted_at",
            "status",
        ],
    )
    if reasons:
        why = "; ".join(reason_text(r, locked.currency) for r in reasons)
        _event(
            request,
            "plan.submitted",
            _("Solution plan %(number)d (total %(total)s) needs approval: %(why)s.")
            % {"number": locked.number, "total": _money(locked.total, locked.currency), "why": why},
            by=by,
        )
        requests.service_request_act(
            request,
            "request-approval",
            by=by,
            data={
                "note": _("Solution plan %(number)d waits for a supervisor's approval.")
                % {"number": locked.number}
            },
        )
        _notify_supervisors(locked, request)
        return locked
    _approve(locked, request, decided_by=None, acting=by, comment="")
    if locked.status == P.PENDING_CONSENT:
        _ask_consent(locked, request, by=by)
    return locked


@transaction.atomic
def plan_approve(
    plan: SolutionPlan, *, by: User, comment: str = "", expected_version: int | None = None
) -> SolutionPlan:
    """A supervisor approves (`approve`). Its parts are reserved, all or none (refused naming
    the part that is short); then the customer is asked if the plan touches them."""
    request, locked = _locked(plan, expected_version)
    _allowed(access.can_decide(by, request), _("Only the request's supervisor may approve plans."))
    _require_status(locked, P.PENDING_APPROVAL)
    comment = _text(comment, "comment", max_length=2000)
    _approve(locked, request, decided_by=by, acting=by, comment=comment)
    request = requests.service_request_act(
        request,
        "approve",
        by=by,
        data={"note": _("Solution plan %(number)d approved.") % {"number": locked.number}},
    )
    if locked.status == P.PENDING_CONSENT:
        _ask_consent(locked, request, by=by)
    return locked


@transaction.atomic
def plan_reject(
    plan: SolutionPlan, *, by: User, reason: str, expected_version: int | None = None
) -> SolutionPlan:
    """A supervisor rejects (`reject`) with a reason; the request goes back to work and a
    new plan can be made."""
    request, locked = _locked(plan, expected_version)
    _allowed(access.can_decide(by, request), _("Only the request's supervisor may reject plans."))
    _require_status(locked, P.PENDING_APPROVAL)
    reason = _text(reason, "reason", max_length=2000, required=True)
    _reject(locked, request, by=by, reason=reason)
    requests.service_request_act(
        request,
        "reject",
        by=by,
        data={
            "reason": _("Solution plan %(number)d was not approved.") % {"number": locked.number}
        },
    )
    return locked


def _reject(plan: SolutionPlan, request: ServiceRequest, *, by: User | None, reason: str) -> None:
    plan.status = P.REJECTED
    plan.decided_by = by
    plan.decided_at = timezone.now()
    plan.decision_comment = reason
    _bump(plan, ["status", "decided_by", "decided_at", "decision_comment"])
    _event(
        request,
        "plan.rejected",
        _("Solution plan %(number)d rejected: %(reason)s")
        % {"number": plan.number, "reason": reason},
        by=by,
    )
