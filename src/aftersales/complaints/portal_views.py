"""The customer's complaint page (portal, no account, made for a phone): a signed link from
our mail, then proof of contact, then what the complaint needs from them now — signing the
offered proposal (typed name and a signature drawn with a finger) or declining it, saying
whether they are satisfied — and the agreement as a PDF.

- A GET shows only the contact question and records nothing: mail scanners open links.
- A wrong contact gets exactly the page a bad or expired link gets, so neither the link nor
  the contact can be probed; attempts are throttled per address, as tracking is.
- Every answer is a POST that proves the contact again, and is taken once.
- The IP address kept with a signature is REMOTE_ADDR: the project reads no forwarded
  headers (`portal.throttle.client_ip`), so behind a proxy it is the proxy's.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from aftersales.complaints import api, forms, selectors, services, tokens
from aftersales.complaints.models import Complaint, ProposalStatus, Stage
from aftersales.core.errors import Conflict, DomainError, InvalidTransition
from aftersales.portal import selectors as portal_selectors
from aftersales.portal import throttle

PROVE = "complaints/portal_prove.html"
PAGE = "complaints/portal_page.html"
INVALID = "complaints/portal_invalid.html"
ATTEMPT_LIMIT = 20
ATTEMPT_WINDOW = 600


def _invalid(request: HttpRequest) -> HttpResponse:
    return render(request, INVALID, status=404)


def _complaint(token: str) -> Complaint | None:
    complaint_id = tokens.complaint_id_from(token)
    if complaint_id is None:
        return None
    return (
        Complaint.objects.select_related("request", "request__customer")
        .filter(pk=complaint_id)
        .first()
    )


def _context(complaint: Complaint, token: str, contact: str, **extra: Any) -> dict[str, Any]:
    proposal = selectors.current_proposal(complaint)
    offered = proposal if proposal and proposal.status == ProposalStatus.OFFERED else None
    shown = proposal if proposal and proposal.status in {"offered", "accepted"} else None
    lines = list(shown.lines.select_related("part", "product").order_by("id")) if shown else []
    return {
        "complaint": complaint,
        "sr": complaint.request,
        "proposal": shown,
        "offered": offered,
        "lines": lines,
        "total": sum((line.amount for line in lines), 0),
        "asks_satisfaction": complaint.stage == Stage.AWAITING_SATISFACTION,
        "token": token,
        "contact": contact,
        "service_time_zone": settings.SERVICE_TIME_ZONE,
        **extra,
    }


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def page(request: HttpRequest, token: str) -> HttpResponse:
    complaint = _complaint(token)
    if request.method == "GET":
        if complaint is None:
            return _invalid(request)
        return render(request, PROVE, {"form": forms.ContactProofForm(), "token": token})
    if not throttle.allow(
        "complaint-portal", throttle.client_ip(request), limit=ATTEMPT_LIMIT, window=ATTEMPT_WINDOW
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
    if complaint is None or not proof.is_valid():
        return _invalid(request)
    contact = proof.cleaned_data["contact"]
    if portal_selectors.tracked_request(complaint.request.number, contact) is None:
        return _invalid(request)
    action = request.POST.get("action", "")
    try:
        if action == "sign":
            return _sign(request, complaint, token, contact)
        if action == "decline":
            return _decline(request, complaint, token, contact)
        if action in {"satisfied", "not_satisfied"}:
            return _satisfaction(request, complaint, token, contact, action == "satisfied")
        if action == "pdf":
            proposal = selectors.current_proposal(complaint)
            if proposal is None or proposal.status != ProposalStatus.ACCEPTED:
                return _invalid(request)
            return api.agreement_pdf_response(proposal, request.POST.get("lang"), staff=False)
    except (Conflict, InvalidTransition):
        complaint.refresh_from_db()
        return render(
            request,
            PAGE,
            _context(complaint, token, contact, notice=_("This was answered already.")),
            status=409,
        )
    return render(request, PAGE, _context(complaint, token, contact))


def _refused(
    request: HttpRequest,
    complaint: Complaint,
    token: str,
    contact: str,
    exc: DomainError,
    **extra: Any,
) -> HttpResponse:
    context = _context(
        complaint, token, contact, error=exc.message, error_fields=exc.fields, **extra
    )
    return render(request, PAGE, context, status=400)


def _sign(request: HttpRequest, complaint: Complaint, token: str, contact: str) -> HttpResponse:
    proposal = selectors.current_proposal(complaint)
    form = forms.SignForm(request.POST)
    # A refusal keeps the typed name, so the customer only draws again.
    typed = {"signer_name": request.POST.get("signer_name", "")[:200]}
    if proposal is None or not form.is_valid():
        return _refused(
            request, complaint, token, contact, DomainError(_("Type your name and sign.")), **typed
        )
    try:
        services.proposal_sign(
            proposal,
            signer_name=form.cleaned_data["signer_name"],
            signature_data_url=form.cleaned_data["signature"],
            ip_address=request.META.get("REMOTE_ADDR") or None,
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
    except (Conflict, InvalidTransition):
        raise
    except DomainError as exc:
        return _refused(request, complaint, token, contact, exc, **typed)
    complaint.refresh_from_db()
    notice = _("Thank you: the agreement is signed. We will tell you when everything is done.")
    return render(request, PAGE, _context(complaint, token, contact, notice=notice))


def _decline(request: HttpRequest, complaint: Complaint, token: str, contact: str) -> HttpResponse:
    proposal = selectors.current_proposal(complaint)
    form = forms.PortalReasonForm(request.POST)
    if proposal is None or not form.is_valid():
        return _invalid(request)
    try:
        services.proposal_decline(proposal, reason=form.cleaned_data["reason"])
    except (Conflict, InvalidTransition):
        raise
    except DomainError as exc:
        return _refused(request, complaint, token, contact, exc)
    complaint.refresh_from_db()
    notice = _("Thank you for telling us. We will come back to you with a new proposal.")
    return render(request, PAGE, _context(complaint, token, contact, notice=notice))


def _satisfaction(
    request: HttpRequest, complaint: Complaint, token: str, contact: str, satisfied: bool
) -> HttpResponse:
    form = forms.PortalReasonForm(request.POST)
    if not form.is_valid():
        return _invalid(request)
    try:
        services.complaint_satisfaction(
            complaint, satisfied=satisfied, comment=form.cleaned_data["reason"]
        )
    except (Conflict, InvalidTransition):
        raise
    except DomainError as exc:
        return _refused(request, complaint, token, contact, exc)
    complaint.refresh_from_db()
    notice = (
        _("Thank you. We are glad the matter is settled.")
        if satisfied
        else _("Thank you for telling us. We will contact you again.")
    )
    return render(request, PAGE, _context(complaint, token, contact, notice=notice))
