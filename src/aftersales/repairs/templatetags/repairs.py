"""The plan card on a request's page, and money as people read it.

The card computes its own context here, so the request's page includes it with one line
and the service_requests app needs to know nothing of this one.
"""

from decimal import Decimal
from typing import Any

from django import template
from django.utils.translation import gettext as _

from aftersales.repairs import access, forms, selectors, services
from aftersales.repairs.models import SolutionPlan, Warranty

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str = "") -> str:
    """12345.5 → "12,345.50 CNY": always two decimals and the currency code."""
    if amount is None:
        return "—"
    return f"{Decimal(amount):,.2f} {currency}".strip()


def warranty_words(plan: SolutionPlan) -> str:
    """The warranty in plain words, for staff and customers alike."""
    end = plan.warranty_end.isoformat() if plan.warranty_end else ""
    if plan.warranty_basis == "unknown":
        if plan.warranty == "in":
            return _(
                "We have no purchase date for this product; our staff decided it is covered by the warranty: parts and labour are free."
            )
        if plan.warranty == "out":
            return _(
                "We have no purchase date for this product; our staff decided it is not covered by the warranty: the costs below apply."
            )
        return _("The warranty is not decided yet (no purchase date is known).")
    if plan.warranty == "in":
        return _("In warranty until %(end)s: parts and labour are free.") % {"end": end}
    return _("The warranty ended on %(end)s: the costs below apply.") % {"end": end}


register.simple_tag(warranty_words)


@register.simple_tag(takes_context=True)
def repairs_card(context: template.Context) -> dict[str, Any]:
    """What the "Diagnosis and plan" card shows this user on request `sr`."""
    sr = context["sr"]
    user = context["request"].user
    staff = access.sees_internals(user)
    plans = list(selectors.plans_for(user, sr))
    plan = plans[0] if plans else None
    card: dict[str, Any] = {"staff": staff, "plan": plan, "older_plans": plans[1:] if staff else []}
    if plan is not None:
        card["reasons"] = [services.reason_text(r, plan.currency) for r in plan.approval_reasons]
    if not staff:
        return card
    works = access.can_work(user, sr) and sr.is_open
    diagnosis = selectors.diagnosis_current(sr)
    card |= {
        "diagnosis": diagnosis,
        "diagnosis_form": forms.DiagnosisForm.for_diagnosis(diagnosis) if works else None,
        "can_create": works and (plan is None or not plan.is_open),
        "warranty_now": Warranty(services.warranty_for(sr).status).label,
    }
    if card["can_create"]:
        card["new_form"] = forms.PlanForm(
            warranty_known=card["warranty_now"] != Warranty.UNKNOWN.label,
            initial={
                "estimated_minutes": diagnosis.expected_minutes if diagnosis else None,
                "summary": diagnosis.cause if diagnosis else "",
            },
        )
        card["new_parts"] = forms.part_formset()
        card["new_fees"] = forms.fee_formset()
    if plan is not None and works and plan.is_draft:
        card["edit_form"] = forms.PlanForm.for_plan(plan)
        card["edit_parts"] = forms.part_formset(plan)
        card["edit_fees"] = forms.fee_formset(plan)
        card["can_submit"] = sr.status == "in_progress"
    if plan is not None and plan.status == SolutionPlan.Status.PENDING_APPROVAL:
        card["can_decide"] = access.can_decide(user, sr)
    if plan is not None and plan.status == SolutionPlan.Status.PENDING_CONSENT and works:
        card["consent_form"] = forms.ConsentRecordForm(initial={"version": plan.version})
    return card
