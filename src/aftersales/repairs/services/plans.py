"""Writing a solution plan (SPEC §2 step 4).

- plan_create: a draft plan; an approved plan it replaces is superseded (parts released)
- plan_update: change a draft (fields, steps, parts, fee lines)

The plan's warranty (`warranty_for`, `_set_warranty`) and the pricing of its fee lines
(`_price`) are here too; submitting a plan (`approval`) applies both once more.
"""

import datetime
import zoneinfo
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.core.errors import Conflict, InvalidTransition
from aftersales.parts.models import MAX_QUANTITY, Part, Warehouse
from aftersales.repairs import access, rules
from aftersales.repairs.models import (
    MAX_LINE_QUANTITY,
    MAX_MINUTES,
    FeeLine,
    PlanPart,
    PlanStep,
    SolutionPlan,
    Warranty,
)
from aftersales.repairs.services._common import (
    MAX_PARTS,
    MAX_UNIT_PRICE,
    P,
    _allowed,
    _bump,
    _decimal,
    _event,
    _invalid,
    _locked,
    _release_parts,
    _require_status,
    _text,
    _whole,
)
from aftersales.service_requests import access as request_access
from aftersales.service_requests import transitions
from aftersales.service_requests.models import ServiceRequest

MAX_STEPS = 50
MAX_FEE_LINES = 100
PLAN_FIELDS = (
    "summary",
    "tools",
    "estimated_minutes",
    "includes_replacement",
    "includes_refund",
    "includes_compensation",
    "needs_visit",
)


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
