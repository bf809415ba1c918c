"""Console actions of the "Diagnosis and plan" card (the page itself is the request's), and
the supervisor's approval queue.

Each action: selector → form → one service call → the request's refreshed panels (htmx) or
a redirect back to it (no JavaScript); a refusal is shown on the card, as the request's own
forms do.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aftersales.complaints import selectors as complaint_selectors
from aftersales.core.errors import DomainError
from aftersales.repairs import access, forms, selectors, services
from aftersales.repairs.models import SolutionPlan, Warranty
from aftersales.service_requests import access as request_access
from aftersales.service_requests import selectors as request_selectors
from aftersales.service_requests.forms import form_error
from aftersales.service_requests.models import ServiceRequest
from aftersales.service_requests.views import changed_response, refused_response

APPROVALS = "repairs/approvals.html"


def _version(form: Any) -> int | None:
    value = form.cleaned_data.get("version")
    return int(value) if value else None


def _plan(request: HttpRequest, plan_id: int) -> tuple[SolutionPlan, ServiceRequest]:
    plan = selectors.plan_get_for_user(request.user, plan_id)
    return plan, plan.request


def _formsets_data(data: Any) -> tuple[dict[str, Any], DomainError | None]:
    """The parts and fee lines of a plan form (blank rows left out), or the first error."""
    parts = forms.part_formset(data=data)
    fees = forms.fee_formset(data=data)
    if not parts.is_valid() or not fees.is_valid():
        errors: dict[str, list[str]] = {}
        for prefix, formset in (("parts", parts), ("fee_lines", fees)):
            for index, form_errors in enumerate(formset.errors):
                for name, messages in form_errors.items():
                    errors[f"{prefix}.{index}.{name}"] = [str(m) for m in messages]
            for message in formset.non_form_errors():
                errors.setdefault(prefix, []).append(str(message))
        return {}, DomainError(_("Some fields are not valid."), fields=errors)
    return {
        "parts": [item for form in parts.forms if (item := form.item())],
        "fee_lines": [item for form in fees.forms if (item := form.item())],
    }, None


@require_POST
def diagnosis_record(request: HttpRequest, number: str) -> HttpResponse:
    target = request_selectors.service_request_get_for_user(request.user, number)
    form = forms.DiagnosisForm(request.POST, prefix="diagnosis")
    if not form.is_valid():
        return refused_response(request, target, form_error(form), box="diagnosis-errors")
    try:
        services.diagnosis_record(target, by=request.user, data=dict(form.cleaned_data))
    except DomainError as exc:
        return refused_response(request, target, exc, box="diagnosis-errors")
    return changed_response(request, target.number, _("Diagnosis saved."))


@require_POST
def plan_create(request: HttpRequest, number: str) -> HttpResponse:
    target = request_selectors.service_request_get_for_user(request.user, number)
    known = services.warranty_for(target).status != Warranty.UNKNOWN
    form = forms.PlanForm(request.POST, warranty_known=known)
    lines, error = _formsets_data(request.POST)
    if not form.is_valid():
        return refused_response(request, target, form_error(form), box="plan-new-errors")
    if error is not None:
        return refused_response(request, target, error, box="plan-new-errors")
    try:
        plan = services.plan_create(target, by=request.user, data=form.plan_data() | lines)
    except DomainError as exc:
        return refused_response(request, target, exc, box="plan-new-errors")
    return changed_response(
        request, target.number, _("Solution plan %(number)d drafted.") % {"number": plan.number}
    )


@require_POST
def plan_edit(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan, target = _plan(request, plan_id)
    form = forms.PlanForm(request.POST, warranty_known=plan.warranty_basis != Warranty.UNKNOWN)
    lines, error = _formsets_data(request.POST)
    if not form.is_valid():
        return refused_response(request, target, form_error(form), box="plan-edit-errors")
    if error is not None:
        return refused_response(request, target, error, box="plan-edit-errors")
    try:
        services.plan_update(
            plan,
            by=request.user,
            data=form.plan_data() | lines,
            expected_version=_version(form),
        )
    except DomainError as exc:
        return refused_response(request, target, exc, box="plan-edit-errors")
    return changed_response(request, target.number, _("Plan saved."))


@require_POST
def plan_submit(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan, target = _plan(request, plan_id)
    form = forms.DecisionForm(request.POST)
    form.is_valid()
    try:
        plan = services.plan_submit(plan, by=request.user, expected_version=_version(form))
    except DomainError as exc:
        return refused_response(request, target, exc, box="plan-submit-errors")
    if plan.status == SolutionPlan.Status.PENDING_APPROVAL:
        notice = _("Sent to the supervisor for approval.")
    elif plan.status == SolutionPlan.Status.PENDING_CONSENT:
        notice = _("Approved at once; the customer is asked to agree.")
    else:
        notice = _("Approved at once.")
    return changed_response(request, target.number, notice)


@require_POST
def plan_decide(request: HttpRequest, plan_id: int, decision: str) -> HttpResponse:
    plan, target = _plan(request, plan_id)
    form = forms.DecisionForm(request.POST)
    if not form.is_valid():
        return refused_response(request, target, form_error(form), box="plan-decision-errors")
    comment = form.cleaned_data["comment"]
    try:
        if decision == "approve":
            services.plan_approve(
                plan, by=request.user, comment=comment, expected_version=_version(form)
            )
            notice = _("Plan approved.")
        else:
            services.plan_reject(
                plan, by=request.user, reason=comment, expected_version=_version(form)
            )
            notice = _("Plan rejected.")
    except DomainError as exc:
        if "reason" in exc.fields:
            exc.fields = {"comment": exc.fields.pop("reason"), **exc.fields}
        return refused_response(request, target, exc, box="plan-decision-errors")
    return changed_response(request, target.number, notice)


@require_POST
def plan_consent(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan, target = _plan(request, plan_id)
    form = forms.ConsentRecordForm(request.POST)
    if not form.is_valid():
        return refused_response(request, target, form_error(form), box="plan-consent-errors")
    try:
        services.plan_consent_record(
            plan,
            by=request.user,
            agreed=form.cleaned_data["answer"] == "agree",
            statement=form.cleaned_data["statement"],
            expected_version=_version(form),
        )
    except DomainError as exc:
        return refused_response(request, target, exc, box="plan-consent-errors")
    return changed_response(request, target.number, _("The customer's answer is recorded."))


@require_GET
def approvals(request: HttpRequest) -> HttpResponse:
    """Plans waiting for this supervisor's decision, oldest first; complaint proposals they
    may decide are listed with them, so a supervisor has one queue."""
    user = request.user
    if not access.is_approver(user):
        raise PermissionDenied(_("Only supervisors and administrators approve plans."))
    plans = list(selectors.plans_pending_approval_for(user))
    rows = [
        (plan, [services.reason_text(r, plan.currency) for r in plan.approval_reasons])
        for plan in plans
    ]
    context = {
        "is_staff": True,
        "can_intake": request_access.can_create(user),
        "rows": rows,
        "complaint_proposals": complaint_selectors.proposals_to_decide(user),
    }
    return render(request, APPROVALS, context)
