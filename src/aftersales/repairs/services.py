"""Use cases of diagnoses and solution plans (SPEC §2 steps 2 and 4).

- diagnosis_record: a new version of the request's technical assessment
- plan_create: a draft plan; an approved plan it replaces is superseded (parts released)
- plan_update: change a draft (fields, steps, parts, fee lines)
- plan_submit: a draft goes to a supervisor (`request-approval`) when an approval rule
  applies, else it is approved at once
- plan_approve, plan_reject: a supervisor's decision (`approve` / `reject`)
- plan_consent_record: an agent records the customer's answer given by phone
- plan_consent_answer: the customer answers on the portal, once
- plan_follow_request: keep plans in step when the request moves by other paths (a cancel,
  the lifecycle's own approve/reject buttons)
- approval_rule_create, approval_rule_update: admins keep the approval rules

After approval a plan's parts are reserved, all or none. A plan that touches the customer
(fees, a visit, a replacement) then waits for their consent: the request goes to
`pending_customer` (the resolution clock pauses, SPEC §4) and they get a link by mail;
their agreement resumes the work (`start`), a refusal does too, with the plan declined.

Every step writes to the request's history. What the customer may see is written on the
lifecycle's events; the internal detail (rules met, comments, parts) on internal events.
Locks: the request row first (as every lifecycle action does), then the plan, so two
paths never wait for each other in opposite order.
"""

import datetime
import zoneinfo
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.core.errors import Conflict, DomainError, InvalidTransition, NotAllowed
from aftersales.core.text import validate_clean_text
from aftersales.notifications import services as notifications
from aftersales.parts import services as stock
from aftersales.parts.models import MAX_QUANTITY, Part, StockReservation, Warehouse
from aftersales.repairs import access, rules, tokens
from aftersales.repairs.models import (
    MAX_LINE_QUANTITY,
    MAX_MINUTES,
    ApprovalRule,
    Diagnosis,
    FeeLine,
    PlanPart,
    PlanStep,
    SolutionPlan,
    Warranty,
)
from aftersales.service_requests import access as request_access
from aftersales.service_requests import services as requests
from aftersales.service_requests import transitions
from aftersales.service_requests.models import ServiceRequest, ServiceRequestEvent

P = SolutionPlan.Status
S = ServiceRequest.Status
MAX_STEPS = 50
MAX_PARTS = 50
MAX_FEE_LINES = 100
MAX_UNIT_PRICE = Decimal("9999999999.99")
PLAN_FIELDS = (
    "summary",
    "tools",
    "estimated_minutes",
    "includes_replacement",
    "includes_refund",
    "includes_compensation",
    "needs_visit",
)


# --- Checks ------------------------------------------------------------------------------


def _invalid(field: str, message: str, **extra: Any) -> DomainError:
    return DomainError(message, fields={field: [message]}, **extra)


def _allowed(condition: bool, message: str) -> None:
    if not condition:
        raise NotAllowed(message)


def _text(value: Any, field: str, *, max_length: int, required: bool = False) -> str:
    value = str(value or "").strip()
    if required and not value:
        raise _invalid(field, _("This field is required."))
    if len(value) > max_length:
        raise _invalid(field, _("At most %(limit)d characters.") % {"limit": max_length})
    try:
        validate_clean_text(value)
    except ValidationError as exc:
        raise _invalid(field, exc.messages[0]) from None
    return value


def _whole(value: Any, field: str, *, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid(field, _("Give a whole number."))
    if not low <= value <= high:
        raise _invalid(
            field, _("Give a number from %(low)d to %(high)d.") % {"low": low, "high": high}
        )
    return value


def _decimal(value: Any, field: str, *, low: Decimal, high: Decimal, positive: bool) -> Decimal:
    """An exact amount with at most two decimals; floats are refused, not rounded."""
    if isinstance(value, float | bool):
        raise _invalid(field, _("Give an exact amount, e.g. 12.50."))
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise _invalid(field, _("Give an amount, e.g. 12.50.")) from None
    if not amount.is_finite():
        raise _invalid(field, _("Give an amount, e.g. 12.50."))
    if (positive and amount <= 0) or amount < low:
        raise _invalid(
            field,
            _("Must be more than 0.") if positive else _("Cannot be negative."),
        )
    if amount > high:
        raise _invalid(field, _("At most %(high)s.") % {"high": f"{high:,}"})
    if amount != amount.quantize(rules.CENT):
        raise _invalid(field, _("At most two decimal places."))
    return amount.quantize(rules.CENT)


def _locked(
    plan: SolutionPlan, expected_version: int | None
) -> tuple[ServiceRequest, SolutionPlan]:
    """The request row, then the plan row, under locks; a stale plan version is refused."""
    request = transitions.lock(plan.request, expected_version=None)
    locked = SolutionPlan.objects.select_for_update().get(pk=plan.pk)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            _("Someone else changed this plan in the meantime; reload it and try again."),
            current_version=locked.version,
            current_status=locked.status,
        )
    return request, locked


def _require_status(plan: SolutionPlan, *allowed: str) -> None:
    if plan.status not in allowed:
        raise InvalidTransition(
            _("Solution plan %(number)d is “%(status)s”; this is not possible now.")
            % {"number": plan.number, "status": plan.get_status_display()},
            status=plan.status,
        )


def _event(
    request: ServiceRequest,
    action: str,
    note: str,
    *,
    by: User | None,
    internal: bool = True,
) -> None:
    """A line of the request's history for a step that is not a lifecycle transition."""
    ServiceRequestEvent.objects.create(
        request=request,
        kind=ServiceRequestEvent.Kind.UPDATED,
        action=action,
        actor=by,
        note=note,
        is_internal=internal,
    )
    ServiceRequest.objects.filter(pk=request.pk).update(updated_at=timezone.now())


def _bump(plan: SolutionPlan, fields: Iterable[str]) -> None:
    plan.version = F("version") + 1  # type: ignore[assignment]
    plan.save(update_fields=sorted({*fields, "version", "updated_at"}))
    plan.refresh_from_db()


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


# --- Diagnosis ---------------------------------------------------------------------------


@transaction.atomic
def diagnosis_record(request: ServiceRequest, *, by: User, data: dict[str, Any]) -> Diagnosis:
    """A new version of the assessment (cause, severity, where, parts, duration) by whoever
    works the request, while it is open. Earlier versions are kept."""
    locked = transitions.lock(request, expected_version=None)
    _allowed(access.can_work(by, locked), _("You may not diagnose this request."))
    if not locked.is_open:
        raise InvalidTransition(_("The request is finished; its diagnosis is kept as it was."))
    severity = data.get("severity")
    if severity not in Diagnosis.Severity.values:
        raise _invalid("severity", _("Choose minor, major or critical."))
    handling = data.get("handling")
    if handling not in Diagnosis.Handling.values:
        raise _invalid("handling", _("Choose remotely or on site."))
    parts = list(data.get("parts") or [])
    if len(parts) > MAX_PARTS:
        raise _invalid("parts", _("At most %(limit)d parts.") % {"limit": MAX_PARTS})
    if any(not isinstance(p, Part) for p in parts):
        raise _invalid("parts", _("Choose parts from the catalogue."))
    last = locked.diagnoses.aggregate(last=Max("version"))["last"] or 0
    diagnosis = Diagnosis.objects.create(
        request=locked,
        version=last + 1,
        cause=_text(data.get("cause"), "cause", max_length=5000, required=True),
        severity=severity,
        handling=handling,
        parts_needed=_text(data.get("parts_needed"), "parts_needed", max_length=2000),
        expected_minutes=_whole(
            data.get("expected_minutes"), "expected_minutes", low=1, high=MAX_MINUTES
        ),
        written_by=by,
    )
    diagnosis.parts.set({p.pk for p in parts})
    note = _("Diagnosis (version %(version)d): %(severity)s, %(handling)s. %(cause)s") % {
        "version": diagnosis.version,
        "severity": diagnosis.get_severity_display(),
        "handling": diagnosis.get_handling_display(),
        "cause": diagnosis.cause[:300],
    }
    _event(locked, "diagnosis.recorded", note, by=by)
    return diagnosis


# --- Plans: writing a draft --------------------------------------------------------------


def received_on(request: ServiceRequest) -> datetime.date:
    """The day the request came in, in the service's time zone (as its number says)."""
    zone = zoneinfo.ZoneInfo(settings.SERVICE_TIME_ZONE)
    return request.received_at.astimezone(zone).date()


def warranty_for(request: ServiceRequest) -> rules.WarrantyDecision:
    unit = request.unit if request.unit_id else None
    return rules.warranty_decide(unit, received_on(request))


def _set_warranty(plan: SolutionPlan, request: ServiceRequest, data: dict[str, Any]) -> None:
    """The unit decides when it can; otherwise staff decide and say why."""
    decision = warranty_for(request)
    plan.warranty_basis = decision.status
    plan.warranty_end = decision.end
    if decision.status != rules.UNKNOWN:
        given = data.get("warranty")
        if given not in (None, "", decision.status):
            raise _invalid(
                "warranty",
                _("The unit's warranty decides this: %(decision)s.")
                % {"decision": Warranty(decision.status).label},
            )
        plan.warranty = decision.status
        plan.warranty_reason = ""
        return
    if "warranty" in data:
        if data["warranty"] not in Warranty.values:
            raise _invalid("warranty", _("Choose in warranty or out of warranty."))
        plan.warranty = data["warranty"]
    if "warranty_reason" in data:
        plan.warranty_reason = _text(data["warranty_reason"], "warranty_reason", max_length=1000)
    if plan.warranty != rules.UNKNOWN and not plan.warranty_reason:
        raise _invalid(
            "warranty_reason",
            _("No purchase date is known for this unit: say why it is or is not in warranty."),
        )


def _set_fields(plan: SolutionPlan, data: dict[str, Any]) -> None:
    if "summary" in data:
        plan.summary = _text(data["summary"], "summary", max_length=5000, required=True)
    if "tools" in data:
        plan.tools = _text(data["tools"], "tools", max_length=2000)
    if "estimated_minutes" in data:
        plan.estimated_minutes = _whole(
            data["estimated_minutes"], "estimated_minutes", low=1, high=MAX_MINUTES
        )
    for flag in ("includes_replacement", "includes_refund", "includes_compensation", "needs_visit"):
        if flag in data:
            if not isinstance(data[flag], bool):
                raise _invalid(flag, _("Give true or false."))
            setattr(plan, flag, data[flag])


def _steps(items: Any) -> list[str]:
    items = list(items or [])
    if len(items) > MAX_STEPS:
        raise _invalid("steps", _("At most %(limit)d steps.") % {"limit": MAX_STEPS})
    return [
        _text(text, f"steps.{index}", max_length=2000, required=True)
        for index, text in enumerate(items)
    ]


def _people(items: Any) -> list[User]:
    people = list(items or [])
    for index, person in enumerate(people):
        if not isinstance(person, User) or not request_access.can_work_as_assignee(person):
            raise _invalid(f"people.{index}", _("Only active service staff can carry out a plan."))
    return people


def _parts(items: Any) -> list[tuple[Part, Warehouse, int]]:
    items = list(items or [])
    if len(items) > MAX_PARTS:
        raise _invalid("parts", _("At most %(limit)d parts.") % {"limit": MAX_PARTS})
    seen: set[tuple[int, int]] = set()
    parts = []
    for index, item in enumerate(items):
        part, warehouse = item.get("part"), item.get("warehouse")
        if not isinstance(part, Part):
            raise _invalid(f"parts.{index}.part", _("Choose a part from the catalogue."))
        if not part.is_active:
            raise _invalid(
                f"parts.{index}.part",
                _("Part %(number)s is no longer stocked.") % {"number": part.part_number},
            )
        if not isinstance(warehouse, Warehouse):
            raise _invalid(f"parts.{index}.warehouse", _("Choose the warehouse to reserve from."))
        if not warehouse.is_active:
            raise _invalid(
                f"parts.{index}.warehouse",
                _("Warehouse %(code)s is closed.") % {"code": warehouse.code},
            )
        quantity = _whole(item.get("quantity"), f"parts.{index}.quantity", low=1, high=MAX_QUANTITY)
        if (part.pk, warehouse.pk) in seen:
            raise _invalid(
                f"parts.{index}.part",
                _("Part %(number)s from %(code)s is listed twice; give one line.")
                % {"number": part.part_number, "code": warehouse.code},
            )
        seen.add((part.pk, warehouse.pk))
        parts.append((part, warehouse, quantity))
    return parts


def _fee_lines(items: Any) -> list[dict[str, Any]]:
    items = list(items or [])
    if len(items) > MAX_FEE_LINES:
        raise _invalid("fee_lines", _("At most %(limit)d fee lines.") % {"limit": MAX_FEE_LINES})
    lines = []
    for index, item in enumerate(items):
        prefix = f"fee_lines.{index}"
        kind = item.get("kind")
        if kind not in FeeLine.Kind.values:
            raise _invalid(f"{prefix}.kind", _("Choose parts, labour, call-out or other."))
        lines.append(
            {
                "kind": kind,
                "description": _text(
                    item.get("description"), f"{prefix}.description", max_length=200, required=True
                ),
                "quantity": _decimal(
                    item.get("quantity", Decimal(1)),
                    f"{prefix}.quantity",
                    low=Decimal(0),
                    high=MAX_LINE_QUANTITY,
                    positive=True,
                ),
                "unit_price": _decimal(
                    item.get("unit_price"),
                    f"{prefix}.unit_price",
                    low=Decimal(0),
                    high=MAX_UNIT_PRICE,
                    positive=False,
                ),
            }
        )
    return lines


def _write_lines(plan: SolutionPlan, data: dict[str, Any]) -> None:
    """Steps, people, parts and fee lines given in `data` replace the plan's."""
    if "steps" in data:
        steps = _steps(data["steps"])
        plan.steps.all().delete()
        PlanStep.objects.bulk_create(
            [PlanStep(plan=plan, order=i, text=text) for i, text in enumerate(steps, start=1)]
        )
    if "people" in data:
        plan.people.set(_people(data["people"]))
    if "parts" in data:
        parts = _parts(data["parts"])
        plan.parts.all().delete()
        PlanPart.objects.bulk_create(
            [PlanPart(plan=plan, part=p, warehouse=w, quantity=q) for p, w, q in parts]
        )
    if "fee_lines" in data:
        lines = _fee_lines(data["fee_lines"])
        plan.fee_lines.all().delete()
        FeeLine.objects.bulk_create(
            [
                FeeLine(plan=plan, order=i, list_amount=0, amount=0, **line)
                for i, line in enumerate(lines, start=1)
            ]
        )


def _price(plan: SolutionPlan) -> None:
    """Each line's amounts under the plan's warranty, and the totals (saved on the lines;
    the plan's totals are set for the caller to save)."""
    lines = list(plan.fee_lines.order_by("order"))
    amounts = []
    for line in lines:
        result = rules.fee_line_amounts(
            kind=line.kind,
            quantity=line.quantity,
            unit_price=line.unit_price,
            warranty=plan.warranty,
        )
        line.list_amount, line.covered_by_warranty, line.amount = (
            result.list_amount,
            result.covered,
            result.amount,
        )
        amounts.append(result)
    FeeLine.objects.bulk_update(lines, ["list_amount", "covered_by_warranty", "amount"])
    plan.list_total, plan.total = rules.fee_totals(amounts)


def _release_parts(plan: SolutionPlan, *, by: User | None, note: str) -> int:
    """Let the plan's reserved parts go; returns how many reservations were released."""
    released = 0
    for line in plan.parts.select_related("reservation").order_by("part_id", "warehouse_id"):
        reservation = line.reservation
        if reservation is not None and reservation.status == StockReservation.Status.ACTIVE:
            stock.stock_release(reservation, by=by, note=note)
            released += 1
    return released


@transaction.atomic
def plan_create(request: ServiceRequest, *, by: User, data: dict[str, Any]) -> SolutionPlan:
    """A draft plan for an open request, based on its current diagnosis. Refused while
    another plan is still being decided; an approved plan is replaced (its parts released)."""
    locked = transitions.lock(request, expected_version=None)
    _allowed(access.can_work(by, locked), _("You may not make plans for this request."))
    if not locked.is_open:
        raise InvalidTransition(_("The request is finished; no new plan can be made."))
    previous = locked.solution_plans.select_for_update().order_by("-number").first()
    if previous is not None and previous.is_open:
        raise Conflict(
            _(
                "Solution plan %(number)d is still “%(status)s”; change or finish it before "
                "making another."
            )
            % {"number": previous.number, "status": previous.get_status_display()},
            plan=previous.pk,
        )
    plan = SolutionPlan(
        request=locked,
        number=(previous.number + 1) if previous else 1,
        created_by=by,
        currency=settings.CURRENCY,
        diagnosis=locked.diagnoses.order_by("-version").first(),
        estimated_minutes=1,
    )
    if "summary" not in data:
        raise _invalid("summary", _("This field is required."))
    if "estimated_minutes" not in data:
        raise _invalid("estimated_minutes", _("This field is required."))
    _set_fields(plan, data)
    _set_warranty(plan, locked, data)
    plan.save()
    _write_lines(plan, data)
    _price(plan)
    plan.save(update_fields=["list_total", "total"])
    if previous is not None and previous.status == P.APPROVED:
        previous.status = P.SUPERSEDED
        _bump(previous, ["status"])
        released = _release_parts(
            previous,
            by=by,
            note=_("Solution plan %(number)d replaced.") % {"number": previous.number},
        )
        _event(
            locked,
            "plan.superseded",
            _(
                "Solution plan %(old)d is replaced by plan %(new)d; %(count)d part reservations released."
            )
            % {"old": previous.number, "new": plan.number, "count": released},
            by=by,
        )
    _event(
        locked,
        "plan.created",
        _("Solution plan %(number)d drafted: %(summary)s")
        % {"number": plan.number, "summary": plan.summary[:300]},
        by=by,
    )
    return plan


@transaction.atomic
def plan_update(
    plan: SolutionPlan, *, by: User, data: dict[str, Any], expected_version: int | None = None
) -> SolutionPlan:
    """Change a draft: any of its fields, and steps, people, parts or fee lines (each list
    given replaces the old one). Totals are computed again."""
    request, locked = _locked(plan, expected_version)
    _allowed(access.can_work(by, request), _("You may not change plans of this request."))
    _require_status(locked, P.DRAFT)
    _set_fields(locked, data)
    _set_warranty(locked, request, data)
    _write_lines(locked, data)
    _price(locked)
    _bump(
        locked,
        [
            *PLAN_FIELDS,
            "warranty",
            "warranty_basis",
            "warranty_end",
            "warranty_reason",
            "list_total",
            "total",
        ],
    )
    return locked


# --- Plans: deciding ---------------------------------------------------------------------


def _facts(plan: SolutionPlan, request: ServiceRequest) -> rules.PlanFacts:
    return rules.PlanFacts(
        total=plan.total,
        includes_replacement=plan.includes_replacement,
        includes_refund=plan.includes_refund,
        includes_compensation=plan.includes_compensation,
        needs_visit=plan.needs_visit,
        is_complaint=request.kind == ServiceRequest.Kind.COMPLAINT,
    )


def active_rules() -> list[tuple[str, Decimal | None]]:
    return list(
        ApprovalRule.objects.filter(is_active=True)
        .order_by("condition", "threshold", "id")
        .values_list("condition", "threshold")
    )


def reason_text(reason: dict[str, str], currency: str) -> str:
    """An approval reason as people read it."""
    if reason.get("condition") == ApprovalRule.Condition.TOTAL_ABOVE:
        return _("the total is above %(threshold)s") % {
            "threshold": _money(Decimal(reason["threshold"]), currency)
        }
    try:
        return str(ApprovalRule.Condition(reason.get("condition")).label)
    except ValueError:
        return str(reason.get("condition"))


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


def customer_language(request: ServiceRequest) -> str:
    """The customer's language if we know it and speak it, else Simplified Chinese."""
    known = {code for code, _name in settings.LANGUAGES}
    language = (request.customer.language or "").lower().replace("_", "-")
    return language if language in known else settings.LANGUAGE_CODE


def consent_link(plan: SolutionPlan) -> str:
    path = reverse("repairs_portal:consent", args=[tokens.consent_token(plan.pk)])
    return settings.SITE_URL + path


def _ask_consent(plan: SolutionPlan, request: ServiceRequest, *, by: User | None) -> None:
    """Mail the customer a link to the plan and wait for them (the clock pauses)."""
    address = request.contact_email or request.customer.email
    plan.consent_requested_at = timezone.now()
    plan.consent_mailed_to = address
    _bump(plan, ["consent_requested_at", "consent_mailed_to"])
    if address:
        with translation.override(customer_language(request)):
            subject = _("%(number)s: please agree to our plan") % {"number": request.number}
            body = render_to_string(
                "repairs/email/plan_consent.txt",
                {
                    "sr": request,
                    "plan": plan,
                    "link": consent_link(plan),
                    "days": tokens.CONSENT_MAX_AGE // 86400,
                },
            )
        notifications.email_enqueue(
            key=f"plan-consent:{plan.pk}",
            to_address=address,
            subject=subject,
            body=body,
            reference=request.number,
        )
        note = _(
            "We asked the customer to agree to solution plan %(number)d; a link was sent by mail."
        ) % {"number": plan.number}
    else:
        note = _(
            "We asked the customer to agree to solution plan %(number)d (no email known: "
            "ask by phone)."
        ) % {"number": plan.number}
    requests.service_request_act(request, "wait-customer", by=by, data={"note": note})  # type: ignore[arg-type]


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


# --- Consent -----------------------------------------------------------------------------


def _answer(
    plan: SolutionPlan,
    request: ServiceRequest,
    *,
    agreed: bool,
    statement: str,
    channel: str,
    by: User | None,
) -> None:
    """Record the customer's answer; agreement or refusal, work resumes (`start`)."""
    plan.consent_agreed = agreed
    plan.consent_channel = channel
    plan.consent_recorded_by = by
    plan.consent_at = timezone.now()
    plan.consent_statement = statement
    plan.status = P.APPROVED if agreed else P.DECLINED
    _bump(
        plan,
        [
            "consent_agreed",
            "consent_channel",
            "consent_recorded_by",
            "consent_at",
            "consent_statement",
            "status",
        ],
    )
    how = (
        _("by phone, recorded by %(name)s") % {"name": by.display_name}
        if by is not None
        else _("on the portal")
    )
    if agreed:
        note = _("The customer agreed to solution plan %(number)d (%(how)s).") % {
            "number": plan.number,
            "how": how,
        }
        if statement:
            note += " " + statement
    else:
        note = _("The customer declined solution plan %(number)d (%(how)s): %(reason)s") % {
            "number": plan.number,
            "how": how,
            "reason": statement,
        }
        released = _release_parts(
            plan, by=by, note=_("Solution plan %(number)d declined.") % {"number": plan.number}
        )
        if released:
            _event(
                request,
                "plan.parts_released",
                _("%(count)d part reservations of solution plan %(number)d released.")
                % {"count": released, "number": plan.number},
                by=by,
            )
    if request.status == S.PENDING_CUSTOMER:
        requests.service_request_act(request, "start", by=by, data={"note": note})  # type: ignore[arg-type]
    else:
        # Work was resumed before the answer came; the answer still belongs in the history.
        _event(request, "plan.answered", note, by=by, internal=False)


@transaction.atomic
def plan_consent_record(
    plan: SolutionPlan,
    *,
    by: User,
    agreed: bool,
    statement: str,
    expected_version: int | None = None,
) -> SolutionPlan:
    """Staff record the answer the customer gave by phone: who, when, what was said."""
    request, locked = _locked(plan, expected_version)
    _allowed(access.can_work(by, request), _("You may not record answers for this request."))
    _require_status(locked, P.PENDING_CONSENT)
    statement = _text(statement, "statement", max_length=2000, required=True)
    _answer(
        locked,
        request,
        agreed=agreed,
        statement=statement,
        channel=SolutionPlan.ConsentChannel.PHONE,
        by=by,
    )
    return locked


@transaction.atomic
def plan_consent_answer(plan: SolutionPlan, *, agreed: bool, reason: str = "") -> SolutionPlan:
    """The customer's own answer on the portal (the caller checked the link and the contact).
    Given once: a second answer is refused (Conflict). A refusal needs a reason."""
    request, locked = _locked(plan, None)
    if locked.status != P.PENDING_CONSENT:
        raise Conflict(_("This plan is no longer waiting for an answer."), status=locked.status)
    reason = _text(reason, "reason", max_length=2000, required=not agreed)
    _answer(
        locked,
        request,
        agreed=agreed,
        statement=reason,
        channel=SolutionPlan.ConsentChannel.PORTAL,
        by=None,
    )
    return locked


# --- Following the request ---------------------------------------------------------------


def _last_action(request: ServiceRequest) -> ServiceRequestEvent | None:
    return (
        request.events.filter(kind=ServiceRequestEvent.Kind.STATUS_CHANGED)
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )


def plan_follow_request(request_id: int) -> None:
    """After a request changed (same transaction): a cancelled request withdraws its plan
    and lets its parts go; an approval decided with the lifecycle's own buttons is the
    plan's decision too, with the same parts and consent steps."""
    plan = (
        SolutionPlan.objects.filter(
            request_id=request_id, status__in=[*SolutionPlan.OPEN, P.APPROVED]
        )
        .select_related("request", "request__customer")
        .order_by("-number")
        .first()
    )
    if plan is None:
        return
    request = plan.request
    if request.status == S.CANCELLED:
        plan.status = P.WITHDRAWN
        _bump(plan, ["status"])
        released = _release_parts(
            plan,
            by=None,
            note=_("Service request %(number)s cancelled.") % {"number": request.number},
        )
        _event(
            request,
            "plan.withdrawn",
            _(
                "Solution plan %(number)d withdrawn with the request; %(count)d part reservations released."
            )
            % {"number": plan.number, "count": released},
            by=None,
        )
        return
    if plan.status != P.PENDING_APPROVAL or request.status == S.PENDING_APPROVAL:
        return
    event = _last_action(request)
    if event is None:
        return
    plan = SolutionPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != P.PENDING_APPROVAL:
        return
    if event.action == "approve":
        _approve(plan, request, decided_by=event.actor, acting=event.actor, comment=event.note)
        if plan.status == P.PENDING_CONSENT and request.status == S.IN_PROGRESS:
            _ask_consent(plan, request, by=event.actor)
    elif event.action == "reject":
        _reject(plan, request, by=event.actor, reason=event.note)


# --- Approval rules ----------------------------------------------------------------------

RULE_FIELDS = ("name", "condition", "threshold", "is_active")


def _rule_checked(rule: ApprovalRule) -> None:
    if rule.condition == ApprovalRule.Condition.TOTAL_ABOVE:
        if rule.threshold is None:
            raise _invalid("threshold", _("Give the amount above which approval is needed."))
        rule.threshold = _decimal(
            rule.threshold, "threshold", low=Decimal(0), high=MAX_UNIT_PRICE, positive=False
        )
    elif rule.threshold is not None:
        raise _invalid("threshold", _("Only the fee rule has a threshold."))
    try:
        rule.full_clean()
    except ValidationError as exc:
        fields = exc.message_dict
        raise DomainError(next(iter(fields.values()))[0], fields=fields) from None


@transaction.atomic
def approval_rule_create(*, by: User, data: dict[str, Any]) -> ApprovalRule:
    _allowed(access.can_manage_rules(by), _("Only administrators may change approval rules."))
    rule = ApprovalRule(**{k: v for k, v in data.items() if k in RULE_FIELDS})
    _rule_checked(rule)
    rule.save()
    return rule


@transaction.atomic
def approval_rule_update(rule: ApprovalRule, *, by: User, data: dict[str, Any]) -> ApprovalRule:
    _allowed(access.can_manage_rules(by), _("Only administrators may change approval rules."))
    rule = ApprovalRule.objects.select_for_update().get(pk=rule.pk)
    for name in RULE_FIELDS:
        if name in data:
            setattr(rule, name, data[name])
    if (
        data.get("condition") not in (None, ApprovalRule.Condition.TOTAL_ABOVE)
        and "threshold" not in data
    ):
        rule.threshold = None
    _rule_checked(rule)
    rule.save()
    return rule
