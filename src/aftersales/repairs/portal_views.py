"""The customer's consent page (portal, no account): a signed link from our mail, then proof
of contact, then the plan with its fees, and one answer.

- A GET shows only the contact question and records nothing: mail scanners open links.
- A wrong contact gets exactly the page a bad or expired link gets, so neither the link nor
  the contact can be probed; attempts are throttled per address, as tracking is.
- The answer is a POST that proves the contact again, and is taken once.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from aftersales.core.errors import Conflict, DomainError
from aftersales.portal import selectors as portal_selectors
from aftersales.portal import throttle
from aftersales.repairs import forms, selectors, services, tokens
from aftersales.repairs.models import SolutionPlan

PROVE = "repairs/portal_consent_prove.html"
PLAN = "repairs/portal_consent_plan.html"
ANSWERED = "repairs/portal_consent_answered.html"
INVALID = "repairs/portal_consent_invalid.html"
ATTEMPT_LIMIT = 20
ATTEMPT_WINDOW = 600


def _invalid(request: HttpRequest) -> HttpResponse:
    return render(request, INVALID, status=404)


def _proves(plan: SolutionPlan, contact: str) -> bool:
    return portal_selectors.tracked_request(plan.request.number, contact) is not None


def _plan_context(plan: SolutionPlan, token: str, contact: str, **extra: Any) -> dict[str, Any]:
    return {
        "plan": plan,
        "sr": plan.request,
        "token": token,
        "contact": contact,
        "service_time_zone": settings.SERVICE_TIME_ZONE,
        **extra,
    }


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def consent(request: HttpRequest, token: str) -> HttpResponse:
    plan_id = tokens.consent_plan_id(token)
    plan = selectors.plan_for_consent(plan_id) if plan_id is not None else None
    if request.method == "GET":
        if plan is None:
            return _invalid(request)
        return render(request, PROVE, {"form": forms.ContactProofForm(), "token": token})
    if not throttle.allow(
        "plan-consent", throttle.client_ip(request), limit=ATTEMPT_LIMIT, window=ATTEMPT_WINDOW
    ):
        response = render(
            request,
            PROVE,
            {
                "form": forms.ContactProofForm(),
                "token": token,
                "page_error": _(
                    "Too many attempts from this connection. Please wait ten minutes and try again."
                ),
            },
            status=429,
        )
        response["Retry-After"] = str(ATTEMPT_WINDOW)
        return response
    proof = forms.ContactProofForm(request.POST)
    if plan is None or not proof.is_valid() or not _proves(plan, proof.cleaned_data["contact"]):
        return _invalid(request)
    contact = proof.cleaned_data["contact"]
    if plan.status != SolutionPlan.Status.PENDING_CONSENT:
        return render(request, ANSWERED, _plan_context(plan, token, contact))
    if "answer" not in request.POST:
        return render(request, PLAN, _plan_context(plan, token, contact))
    answer = forms.ConsentAnswerForm(request.POST)
    if not answer.is_valid():
        context = _plan_context(plan, token, contact, error=_("Choose to agree or to decline."))
        return render(request, PLAN, context, status=400)
    agreed = answer.cleaned_data["answer"] == "agree"
    try:
        plan = services.plan_consent_answer(
            plan, agreed=agreed, reason=answer.cleaned_data["reason"]
        )
    except Conflict:
        plan = selectors.plan_for_consent(plan.pk) or plan
        return render(request, ANSWERED, _plan_context(plan, token, contact))
    except DomainError as exc:
        context = _plan_context(
            plan, token, contact, error=exc.message, reason_error="reason" in exc.fields
        )
        return render(request, PLAN, context, status=400)
    return render(request, ANSWERED, _plan_context(plan, token, contact, just_answered=True))
