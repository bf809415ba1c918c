"""The customer's "was it fixed?" page (portal, no account): a signed link from the mail sent
on resolution (or the button on the tracking page), then proof of contact, then one answer.

- A GET shows only the contact question and records nothing: mail scanners open links.
- A wrong contact gets exactly the page a bad or expired link gets, so neither the link nor
  the contact can be probed; attempts are throttled per address, as tracking is.
- The answer is a POST that proves the contact again, and is taken once per resolution.
- "Not fixed" reopens the request as the system, with the customer's words as the reason:
  the customer has no account here to act with, and the lifecycle lets the system reopen.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from aftersales.core.errors import Conflict, DomainError, InvalidTransition
from aftersales.portal import selectors as portal_selectors
from aftersales.portal import throttle
from aftersales.repair_records import forms, selectors, services, tokens
from aftersales.service_requests.models import ServiceRequest

PROVE = "repair_records/portal_confirm_prove.html"
QUESTION = "repair_records/portal_confirm_question.html"
ANSWERED = "repair_records/portal_confirm_answered.html"
INVALID = "repair_records/portal_confirm_invalid.html"
ATTEMPT_LIMIT = 20
ATTEMPT_WINDOW = 600


def _invalid(request: HttpRequest) -> HttpResponse:
    return render(request, INVALID, status=404)


def _target(token: str) -> tuple[ServiceRequest | None, int]:
    found = tokens.confirmation_target(token)
    if found is None:
        return None, -1
    request_id, round_ = found
    return ServiceRequest.objects.select_related("customer").filter(pk=request_id).first(), round_


def _context(sr: ServiceRequest, token: str, contact: str, **extra: Any) -> dict[str, Any]:
    records = list(selectors.records_for(sr).filter(visit_round=sr.reopen_count))
    return {
        "sr": sr,
        "token": token,
        "contact": contact,
        "record": records[-1] if records else None,
        "service_time_zone": settings.SERVICE_TIME_ZONE,
        **extra,
    }


def _answered(request: HttpRequest, sr: ServiceRequest, round_: int, **extra: Any) -> HttpResponse:
    confirmation = sr.confirmations.filter(round=round_).first()
    context = {
        "sr": sr,
        "confirmation": confirmation,
        "service_time_zone": settings.SERVICE_TIME_ZONE,
        **extra,
    }
    return render(request, ANSWERED, context)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    sr, round_ = _target(token)
    if request.method == "GET":
        if sr is None:
            return _invalid(request)
        return render(request, PROVE, {"form": forms.ContactProofForm(), "token": token})
    if not throttle.allow(
        "fix-confirmation", throttle.client_ip(request), limit=ATTEMPT_LIMIT, window=ATTEMPT_WINDOW
    ):
        context = {
            "form": forms.ContactProofForm(),
            "token": token,
            "page_error": _(
                "Too many attempts from this connection. Please wait ten minutes and try again."
            ),
        }
        response = render(request, PROVE, context, status=429)
        response["Retry-After"] = str(ATTEMPT_WINDOW)
        return response
    proof = forms.ContactProofForm(request.POST)
    if sr is None or not proof.is_valid():
        return _invalid(request)
    contact = proof.cleaned_data["contact"]
    if portal_selectors.tracked_request(sr.number, contact) is None:
        return _invalid(request)
    # The link is for one resolution: once it is answered, or the request moved on (reopened,
    # closed), the page says where things stand instead of asking again.
    if sr.status != ServiceRequest.Status.RESOLVED or sr.reopen_count != round_:
        return _answered(request, sr, round_)
    if selectors.confirmation_current(sr) is not None:
        return _answered(request, sr, round_)
    if "answer" not in request.POST:
        return render(request, QUESTION, _context(sr, token, contact))
    answer = forms.PortalAnswerForm(request.POST)
    if not answer.is_valid():
        context = _context(sr, token, contact, error=_("Choose whether it is fixed."))
        return render(request, QUESTION, context, status=400)
    satisfied = answer.cleaned_data["answer"] == "fixed"
    try:
        services.confirmation_record(
            sr, satisfied=satisfied, comment=answer.cleaned_data["comment"], by=None
        )
    except (Conflict, InvalidTransition):
        sr.refresh_from_db()
        return _answered(request, sr, round_)
    except DomainError as exc:
        context = _context(
            sr, token, contact, error=exc.message, comment_error="comment" in exc.fields
        )
        return render(request, QUESTION, context, status=400)
    sr.refresh_from_db()
    return _answered(request, sr, round_, just_answered=True)
