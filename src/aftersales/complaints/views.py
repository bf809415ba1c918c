"""Console pages of complaints: the list (with "waiting for my approval"), registration (for
an existing complaint request or a new one), and the complaint's page with each step's form
and the progress of its tasks.

Each form: selector → form → one service call → a redirect to the complaint's page with a
message (refusals too, naming what is wrong), so the pages work with and without JavaScript.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aftersales.accounts.models import User
from aftersales.complaints import access, api, exports, forms, selectors, services
from aftersales.complaints.models import Complaint, Proposal, ProposalStatus, Stage
from aftersales.core.errors import DomainError
from aftersales.core.exports import export_response
from aftersales.service_requests import access as request_access
from aftersales.service_requests import selectors as request_selectors
from aftersales.service_requests import services as request_services

PER_PAGE = 50


def _console(user: User, **context: Any) -> dict[str, Any]:
    return {
        "is_staff": request_access.is_staff(user),
        "can_intake": request_access.is_staff(user) and request_access.can_create(user),
        **context,
    }


def _staff(user: User) -> None:
    if not access.can_see_any(user):
        raise PermissionDenied(_("Only service staff work complaints."))


def _message(exc: DomainError) -> str:
    details = [m for msgs in exc.fields.values() for m in msgs if m != exc.message]
    return " ".join([exc.message, *details])


def _listed(request: HttpRequest) -> tuple[QuerySet[Complaint], str, list[Proposal]]:
    """The complaints the page's query string asks for (the page and its export)."""
    _staff(request.user)
    rows = selectors.complaint_list(request.user)
    stage = request.GET.get("stage", "")
    if stage in Stage.values:
        rows = rows.filter(stage=stage)
    waiting = selectors.proposals_to_decide(request.user)
    if request.GET.get("awaiting") == "me":
        rows = rows.filter(pk__in=[p.complaint_id for p in waiting])
    return rows, stage, waiting


@require_GET
def complaint_list(request: HttpRequest) -> HttpResponse:
    rows, stage, waiting = _listed(request)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    context = _console(
        request.user,
        page=page,
        stages=Stage.choices,
        stage=stage,
        waiting=waiting,
        awaiting=request.GET.get("awaiting") == "me",
    )
    return render(request, "complaints/complaint_list.html", context)


@require_GET
def complaint_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The complaints as listed (stage, awaiting me), every page of them."""
    rows = _listed(request)[0]
    return export_response(fmt, "complaints", exports.COLUMNS, exports.rows(rows))


@require_http_methods(["GET", "POST"])
def complaint_register(request: HttpRequest, number: str | None = None) -> HttpResponse:
    if not access.can_register(request.user):
        raise PermissionDenied(_("You may not register complaints."))
    target = (
        request_selectors.service_request_get_for_user(request.user, number) if number else None
    )
    form_class = forms.RegisterForm if target else forms.NewComplaintForm
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.data_for_service()
        customer = None
        try:
            if target is None:
                customer = request_services.customer_find_or_create(
                    by=request.user,
                    name=data.pop("customer_name"),
                    phone=data.get("contact_phone", ""),
                    email=data.get("contact_email", ""),
                )
            complaint = services.complaint_register(
                by=request.user, data=data, request=target, customer=customer
            )
        except DomainError as exc:
            messages.error(request, _message(exc))
        else:
            messages.success(
                request,
                _("Complaint registered and sent to the complaint team (%(number)s).")
                % {"number": complaint.request.number},
            )
            return redirect("complaints:detail", pk=complaint.pk)
    context = _console(request.user, form=form, sr=target)
    return render(request, "complaints/complaint_register.html", context, status=200)


@require_GET
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request.user)
    complaint = selectors.complaint_get_for_user(request.user, pk)
    proposals = list(complaint.proposals.all())
    current = proposals[-1] if proposals else None
    user = request.user
    context = _console(
        user,
        complaint=complaint,
        sr=complaint.request,
        proposals=proposals,
        current=current,
        can_work=access.can_work(user, complaint),
        can_decide=current is not None and access.can_decide(user, current),
        supervises=access.supervises(user, complaint),
        contact_form=forms.ContactForm(),
        investigation_form=forms.InvestigationForm(
            initial={
                "severity": complaint.severity,
                "fault": complaint.fault,
                "fault_percent": complaint.fault_percent,
                "founded": {True: "yes", False: "no"}.get(complaint.founded),
                "findings": complaint.findings,
                "other_demands": complaint.other_demands,
            }
        ),
        proposal_form=forms.ProposalForm(),
        paper_form=forms.PaperForm(),
        satisfaction_form=forms.SatisfactionForm(),
        link=services.customer_link(complaint)
        if complaint.stage in {Stage.OFFERED, Stage.AWAITING_SATISFACTION}
        else "",
        P=ProposalStatus,
    )
    return render(request, "complaints/complaint_detail.html", context)


STEP_FORMS = {
    "contact": forms.ContactForm,
    "investigate": forms.InvestigationForm,
    "propose": forms.ProposalForm,
    "submit": forms.NoteForm,
    "approve": forms.CommentForm,
    "send-back": forms.CommentForm,
    "offer": forms.NoteForm,
    "paper": forms.PaperForm,
    "decline": forms.ReasonForm,
    "satisfaction": forms.SatisfactionForm,
    "close": forms.ReasonForm,
}
NOTICES = {
    "contact": gettext_lazy("The contact is recorded."),
    "investigate": gettext_lazy("The investigation is recorded."),
    "propose": gettext_lazy("The proposal is saved as a draft."),
    "submit": gettext_lazy("The proposal waits for a supervisor's approval."),
    "approve": gettext_lazy("Approved and offered to the customer."),
    "send-back": gettext_lazy("The proposal is sent back."),
    "offer": gettext_lazy("The proposal is offered to the customer."),
    "paper": gettext_lazy("The signed agreement is recorded; the tasks are opened."),
    "decline": gettext_lazy("The customer's refusal is recorded."),
    "satisfaction": gettext_lazy("The customer's answer is recorded."),
    "close": gettext_lazy("The complaint is closed by your decision."),
}


def _run(step: str, complaint: Complaint, user: User, form: Any, files: Any) -> None:
    data = form.cleaned_data
    current = selectors.current_proposal(complaint)
    needs_proposal = {"submit", "approve", "send-back", "offer", "paper", "decline"}
    if step in needs_proposal and current is None:
        raise DomainError(_("There is no proposal yet."))
    if step == "contact":
        services.complaint_contact_add(complaint, by=user, **data)
    elif step == "investigate":
        services.complaint_investigate(complaint, by=user, data=dict(data))
    elif step == "propose":
        services.proposal_create(complaint, by=user, data=form.data_for_service())
    elif step == "submit":
        services.proposal_submit(current, by=user, note=data["note"])
    elif step == "approve":
        services.proposal_approve(current, by=user, comment=data["comment"])
    elif step == "send-back":
        services.proposal_send_back(current, by=user, comment=data["comment"])
    elif step == "offer":
        services.proposal_offer(current, by=user)
    elif step == "paper":
        services.proposal_record_paper(
            current,
            by=user,
            signer_name=data["signer_name"],
            upload=data["file"],
            signed_at=data["signed_at"],
        )
    elif step == "decline":
        services.proposal_decline(current, by=user, reason=data["reason"])
    elif step == "satisfaction":
        services.complaint_satisfaction(
            complaint, by=user, satisfied=data["satisfied"], comment=data["comment"]
        )
    elif step == "close":
        services.complaint_close_by_decision(complaint, by=user, reason=data["reason"])


@require_POST
def complaint_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    if step not in STEP_FORMS:
        raise Http404("No such step.")
    _staff(request.user)
    complaint = selectors.complaint_get_for_user(request.user, pk)
    form = STEP_FORMS[step](request.POST, request.FILES)
    if not form.is_valid():
        errors = [
            f"{form.fields[name].label if name in form.fields else ''}: {' '.join(msgs)}".strip(
                ": "
            )
            for name, msgs in form.errors.items()
        ]
        messages.error(request, " ".join(errors))
        return redirect("complaints:detail", pk=complaint.pk)
    try:
        _run(step, complaint, request.user, form, request.FILES)
    except DomainError as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, str(NOTICES[step]))
    return redirect("complaints:detail", pk=complaint.pk)


@require_GET
def agreement_pdf(request: HttpRequest, proposal_id: int) -> HttpResponse:
    _staff(request.user)
    proposal = selectors.proposal_get_for_user(request.user, proposal_id)
    return api.agreement_pdf_response(proposal, request.GET.get("lang"), staff=True)
