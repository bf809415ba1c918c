"""API of complaints: complaints/ (list with filters, register, read), one route per step
(contacts, investigation, proposals, close by decision, satisfaction), complaint-proposals/
(read, change a draft, submit, approve, send back, offer, record a paper agreement, record a
refusal, the agreement's PDF).

Thin: input is checked by explicit serializers, rules by the services (403 not allowed,
409 out of order or stale, 400 with the fields named), reads by the selectors. Customers use
the portal page behind their signed link, not this API; department staff work their tasks.
"""

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales.api.exports import EXPORT_RESPONSES, FORMAT_PARAMETER, FileNegotiation
from aftersales.api.pagination import Pagination
from aftersales.api.serializers import CleanCharField, StrictSerializer
from aftersales.api.steps import Step, VersionInput, step_api
from aftersales.catalog.models import Product, Unit
from aftersales.complaints import access, exports, pdf, selectors, services
from aftersales.complaints.models import (
    MONEY,
    Complaint,
    ContactMethod,
    Fault,
    Proposal,
    RemedyKind,
    Severity,
    Stage,
)
from aftersales.core.exports import export_format, export_response
from aftersales.customers.models import Customer
from aftersales.parts.models import Part
from aftersales.service_requests import access as request_access
from aftersales.service_requests import selectors as request_selectors
from aftersales.service_requests import services as request_services
from aftersales.service_requests.models import ServiceRequest

# --- Output --------------------------------------------------------------------------------


class TaskProgressSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    team = serializers.CharField(source="team.name")
    assignee = serializers.CharField(source="assignee.username", allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    reference = serializers.CharField(help_text=gettext_lazy("E.g. the tracking number."))


class RemedyLineOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=RemedyKind.choices)
    description = serializers.CharField()
    part = serializers.IntegerField(source="part_id", allow_null=True)
    product = serializers.IntegerField(source="product_id", allow_null=True)
    quantity = serializers.IntegerField()
    unit_value = serializers.DecimalField(**MONEY)
    amount = serializers.DecimalField(**MONEY)
    task = TaskProgressSerializer(allow_null=True)


class AgreementOutputSerializer(serializers.Serializer):
    method = serializers.CharField()
    signer_name = serializers.CharField()
    signed_at = serializers.DateTimeField()
    ip_address = serializers.CharField(allow_null=True)
    user_agent = serializers.CharField()
    content_sha256 = serializers.CharField()
    paper_attachment = serializers.IntegerField(source="paper_id", allow_null=True)
    has_drawn_signature = serializers.SerializerMethodField()

    def get_has_drawn_signature(self, obj: Any) -> bool:
        return bool(obj.signature_png)


class ProposalOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    complaint = serializers.IntegerField(source="complaint_id")
    number = serializers.IntegerField(help_text=gettext_lazy("The version."))
    status = serializers.CharField()
    reasoning = serializers.CharField()
    currency = serializers.CharField()
    total = serializers.SerializerMethodField()
    proposed_by = serializers.CharField(source="proposed_by.username")
    submitted_at = serializers.DateTimeField(allow_null=True)
    decided_by = serializers.CharField(source="decided_by.username", allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_comment = serializers.CharField()
    offered_at = serializers.DateTimeField(allow_null=True)
    answered_at = serializers.DateTimeField(allow_null=True)
    decline_reason = serializers.CharField()
    lines = RemedyLineOutputSerializer(many=True, source="lines.all")
    agreement = serializers.SerializerMethodField()
    version = serializers.IntegerField()

    def get_total(self, obj: Proposal) -> str:
        return f"{sum((line.amount for line in obj.lines.all()), 0):.2f}"

    def get_agreement(self, obj: Proposal) -> dict[str, Any] | None:
        agreement = getattr(obj, "agreement", None) if hasattr(obj, "agreement") else None
        return AgreementOutputSerializer(agreement).data if agreement else None


class ContactOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    method = serializers.CharField()
    contacted_at = serializers.DateTimeField()
    contacted_by = serializers.CharField(source="contacted_by.username")
    facts = serializers.CharField()


class SatisfactionOutputSerializer(serializers.Serializer):
    satisfied = serializers.BooleanField()
    comment = serializers.CharField()
    method = serializers.CharField()
    answered_at = serializers.DateTimeField()


class ComplaintOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    service_request = serializers.CharField(source="request.number")
    stage = serializers.ChoiceField(choices=Stage.choices)
    complainant = serializers.CharField()
    complainant_role = serializers.CharField()
    subject = serializers.CharField()
    wanted = serializers.CharField()
    product = serializers.IntegerField(source="product_id", allow_null=True)
    unit = serializers.CharField(source="unit.serial_number", allow_null=True)
    batch_number = serializers.CharField()
    related_requests = serializers.SerializerMethodField()
    recorded_by = serializers.CharField(source="recorded_by.username")
    recorded_at = serializers.DateTimeField()
    severity = serializers.CharField()
    fault = serializers.CharField()
    fault_percent = serializers.IntegerField(allow_null=True)
    founded = serializers.BooleanField(allow_null=True)
    findings = serializers.CharField()
    other_demands = serializers.CharField()
    agreed_at = serializers.DateTimeField(allow_null=True)
    satisfied_at = serializers.DateTimeField(allow_null=True)
    decision_reason = serializers.CharField()
    decided_by = serializers.CharField(source="decided_by.username", allow_null=True)
    contacts = ContactOutputSerializer(many=True, source="contacts.all")
    proposals = ProposalOutputSerializer(many=True, source="proposals.all")
    satisfaction = SatisfactionOutputSerializer(many=True, source="satisfaction_answers.all")
    version = serializers.IntegerField()

    def get_related_requests(self, obj: Complaint) -> list[str]:
        return [other.number for other in obj.related_requests.all()]


def _output(request: Request, complaint: Complaint, *, status: int = 200) -> Response:
    complaint = selectors.complaint_get_for_user(request.user, complaint.pk)
    response = Response(ComplaintOutputSerializer(complaint).data, status=status)
    response["ETag"] = f'"{complaint.version}"'
    return response


def _proposal_output(request: Request, proposal: Proposal, *, status: int = 200) -> Response:
    complaint = selectors.complaint_get_for_user(request.user, proposal.complaint_id)
    fresh = next(p for p in complaint.proposals.all() if p.pk == proposal.pk)
    response = Response(ProposalOutputSerializer(fresh).data, status=status)
    response["ETag"] = f'"{fresh.version}"'
    return response


# --- Input ---------------------------------------------------------------------------------


def _text(max_length: int = 4000, **kwargs: Any) -> CleanCharField:
    return CleanCharField(
        max_length=max_length, required=False, allow_blank=True, default="", **kwargs
    )


class NewCustomerSerializer(StrictSerializer):
    name = CleanCharField(max_length=200)
    phone = _text(40)
    email = serializers.EmailField(required=False, allow_blank=True, default="")


class ComplaintRegisterInputSerializer(StrictSerializer):
    service_request = CleanCharField(
        max_length=40,
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy("An existing request of kind complaint; else one is created."),
    )
    customer = serializers.PrimaryKeyRelatedField(
        queryset=Customer.objects.all(), required=False, allow_null=True, default=None
    )
    new_customer = NewCustomerSerializer(required=False, allow_null=True, default=None)
    complainant = _text(200, help_text=gettext_lazy("Who complained; the contact by default."))
    complainant_role = _text(100)
    subject = CleanCharField(max_length=4000)
    wanted = _text()
    title = _text(200)
    channel = serializers.ChoiceField(
        choices=ServiceRequest.Channel.choices, required=False, default="phone"
    )
    category = serializers.ChoiceField(
        choices=ServiceRequest.Category.choices, required=False, default="service_quality"
    )
    contact_phone = _text(40)
    contact_email = serializers.EmailField(required=False, allow_blank=True, default="")
    address = _text(300)
    unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(), required=False, allow_null=True, default=None
    )
    batch_number = _text(100)
    related_requests = serializers.ListField(
        child=CleanCharField(max_length=40), required=False, default=list, max_length=50
    )


class ContactInputSerializer(StrictSerializer):
    method = serializers.ChoiceField(choices=ContactMethod.choices)
    facts = CleanCharField(max_length=4000)
    contacted_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class _Versioned(VersionInput):
    pass  # the input of offer; its name is the schema's `_VersionedRequest`


class InvestigationInputSerializer(_Versioned):
    severity = serializers.ChoiceField(choices=Severity.choices)
    fault = serializers.ChoiceField(choices=Fault.choices)
    fault_percent = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=0, max_value=100
    )
    founded = serializers.BooleanField()
    findings = _text()
    other_demands = _text()


class RemedyLineInputSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=RemedyKind.choices)
    description = _text(300)
    part = serializers.PrimaryKeyRelatedField(
        queryset=Part.objects.all(), required=False, allow_null=True, default=None
    )
    product = serializers.PrimaryKeyRelatedField(
        queryset=Product.objects.all(), required=False, allow_null=True, default=None
    )
    quantity = serializers.IntegerField(required=False, default=1, min_value=1, max_value=100000)
    unit_value = serializers.DecimalField(required=False, default="0.00", min_value=0, **MONEY)


class ProposalInputSerializer(_Versioned):
    reasoning = CleanCharField(max_length=4000)
    lines = RemedyLineInputSerializer(many=True)


class NoteInputSerializer(_Versioned):
    note = _text(2000)


class ProposalCommentInputSerializer(_Versioned):
    comment = _text(2000)


class SendBackInputSerializer(_Versioned):
    comment = CleanCharField(max_length=2000)


class PaperAgreementInputSerializer(StrictSerializer):
    signer_name = CleanCharField(max_length=200)
    signed_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    file = serializers.FileField()


class DeclineInputSerializer(StrictSerializer):
    reason = CleanCharField(max_length=4000)


class SatisfactionInputSerializer(StrictSerializer):
    satisfied = serializers.BooleanField()
    comment = _text()


class DecisionInputSerializer(StrictSerializer):
    reason = CleanCharField(max_length=4000)


def _version(request: Request, data: dict[str, Any]) -> int | None:
    if data.get("version") is not None:
        return int(data.pop("version"))
    data.pop("version", None)
    digits = request.headers.get("If-Match", "").strip().removeprefix("W/").strip('"')
    if not digits:
        return None
    if not digits.isdigit():
        raise serializers.ValidationError({"If-Match": [_("Not a version.")]})
    return int(digits)


def _staff(request: Request) -> None:
    if not access.can_see_any(request.user):
        raise PermissionDenied(_("Only service staff work complaints."))


# --- Views ---------------------------------------------------------------------------------


def _listed(request: Request) -> QuerySet[Complaint]:
    """The complaints the query string asks for (the list and its export)."""
    _staff(request)
    rows = selectors.complaint_list(request.user)
    params = request.query_params
    stage = params.get("stage")
    if stage:
        if stage not in Stage.values:
            raise serializers.ValidationError({"stage": [_("Unknown stage.")]})
        rows = rows.filter(stage=stage)
    for name in ("founded", "awaiting_my_approval"):
        value = params.get(name)
        if value is not None and value not in {"true", "false"}:
            raise serializers.ValidationError({name: [_("true or false.")]})
    if params.get("founded") is not None:
        rows = rows.filter(founded=params["founded"] == "true")
    fault = params.get("fault")
    if fault:
        if fault not in Fault.values:
            raise serializers.ValidationError({"fault": [_("Unknown value.")]})
        rows = rows.filter(fault=fault)
    if params.get("awaiting_my_approval") == "true":
        waiting = [
            p.complaint_id
            for p in selectors.waiting_for_approval(request.user)
            if access.can_decide(request.user, p)
        ]
        rows = rows.filter(pk__in=waiting)
    return rows


_LIST_PARAMETERS = [
    OpenApiParameter("stage", str, enum=Stage.values),
    OpenApiParameter("founded", OpenApiTypes.BOOL),
    OpenApiParameter("fault", str, enum=Fault.values),
    OpenApiParameter(
        "awaiting_my_approval",
        OpenApiTypes.BOOL,
        description=gettext_lazy("Complaints with a proposal the reader may decide."),
    ),
]


class ComplaintListApi(APIView):
    pagination_class = Pagination
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="complaints_list",
        parameters=_LIST_PARAMETERS,
        responses=ComplaintOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        rows = _listed(request).prefetch_related(
            "contacts__contacted_by",
            "related_requests",
            "satisfaction_answers",
            "proposals__lines__task__team",
            "proposals__lines__task__assignee",
            "proposals__proposed_by",
            "proposals__decided_by",
            "proposals__agreement",
            "decided_by",
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(ComplaintOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="complaints_register",
        summary="Register a complaint (a new request of kind complaint, or an existing one)",
        request=ComplaintRegisterInputSerializer,
        responses={201: ComplaintOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = ComplaintRegisterInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if not access.can_register(request.user):
            raise PermissionDenied(_("You may not register complaints."))
        number = data.pop("service_request")
        target = (
            request_selectors.service_request_get_for_user(request.user, number) if number else None
        )
        customer = data.pop("customer")
        new_customer = data.pop("new_customer")
        if target is None and customer is None and new_customer:
            customer = request_services.customer_find_or_create(by=request.user, **new_customer)
        if (
            customer is not None
            and not request_access.customers_visible_to(request.user)
            .filter(pk=customer.pk)
            .exists()
        ):
            raise serializers.ValidationError({"customer": [_("Unknown customer.")]})
        complaint = services.complaint_register(
            by=request.user, data=data, request=target, customer=customer
        )
        # What they recorded, even when the complaint team's request is out of their sight.
        fresh = selectors.complaint_list_unscoped().get(pk=complaint.pk)
        return Response(ComplaintOutputSerializer(fresh).data, status=201)


class ComplaintExportApi(APIView):
    content_negotiation_class = FileNegotiation

    @extend_schema(
        operation_id="complaints_export",
        parameters=[*_LIST_PARAMETERS, FORMAT_PARAMETER],
        responses=EXPORT_RESPONSES,
        summary="The complaints as CSV or XLSX (same filters as the list)",
    )
    def get(self, request: Request) -> Any:
        fmt = export_format(request.query_params)
        rows = _listed(request)
        return export_response(fmt, "complaints", exports.COLUMNS, exports.rows(rows))


class ComplaintDetailApi(APIView):
    @extend_schema(operation_id="complaints_retrieve", responses=ComplaintOutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return _output(request, selectors.complaint_get_for_user(request.user, pk))


def _complaint(request: Request, pk: int) -> Complaint:
    return selectors.complaint_get_for_user(request.user, pk)


def _contact_add(complaint: Complaint, request: Request, data: dict[str, Any]) -> Complaint:
    services.complaint_contact_add(complaint, by=request.user, **data)
    return complaint


def _investigate(complaint: Complaint, request: Request, data: dict[str, Any]) -> Complaint:
    version = _version(request, data)
    return services.complaint_investigate(
        complaint, by=request.user, data=data, expected_version=version
    )


def _lines(data: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [dict(line) for line in data]


def _proposal_create(complaint: Complaint, request: Request, data: dict[str, Any]) -> Proposal:
    data.pop("version", None)
    data["lines"] = _lines(data["lines"])
    return services.proposal_create(complaint, by=request.user, data=data)


def _satisfaction(complaint: Complaint, request: Request, data: dict[str, Any]) -> Complaint:
    services.complaint_satisfaction(complaint, by=request.user, **data)
    return complaint


def _close(complaint: Complaint, request: Request, data: dict[str, Any]) -> Complaint:
    services.complaint_close_by_decision(complaint, by=request.user, reason=data["reason"])
    return complaint


ComplaintContactsApi = step_api(
    "ComplaintContactsApi",
    ContactInputSerializer,
    _contact_add,
    fetch=_complaint,
    output=_output,
    operation_id="complaints_contact_add",
    summary="A contact with the customer and the facts it brought",
    responses={201: ComplaintOutputSerializer},
    status=201,
)
ComplaintInvestigationApi = step_api(
    "ComplaintInvestigationApi",
    InvestigationInputSerializer,
    _investigate,
    fetch=_complaint,
    output=_output,
    operation_id="complaints_investigate",
    summary="The analysis: severity, fault, founded, other demands",
    responses=ComplaintOutputSerializer,
)
ComplaintProposalsApi = step_api(
    "ComplaintProposalsApi",
    ProposalInputSerializer,
    _proposal_create,
    fetch=_complaint,
    output=_proposal_output,
    operation_id="complaints_proposal_create",
    summary="A new version of the proposal, with its remedy lines",
    responses={201: ProposalOutputSerializer},
    status=201,
)
ComplaintSatisfactionApi = step_api(
    "ComplaintSatisfactionApi",
    SatisfactionInputSerializer,
    _satisfaction,
    fetch=_complaint,
    output=_output,
    operation_id="complaints_satisfaction",
    summary="The customer's answer by phone: satisfied (resolves) or not (new proposal)",
    responses={201: ComplaintOutputSerializer},
    status=201,
)
ComplaintCloseApi = step_api(
    "ComplaintCloseApi",
    DecisionInputSerializer,
    _close,
    fetch=_complaint,
    output=_output,
    operation_id="complaints_close_by_decision",
    summary="A supervisor closes the complaint without the customer's satisfaction",
    responses=ComplaintOutputSerializer,
)


class ProposalDetailApi(APIView):
    parser_classes = [JSONParser]

    @extend_schema(operation_id="complaint_proposals_retrieve", responses=ProposalOutputSerializer)
    def get(self, request: Request, proposal_id: int) -> Response:
        return _proposal_output(request, selectors.proposal_get_for_user(request.user, proposal_id))

    @extend_schema(
        operation_id="complaint_proposals_update",
        summary="Change a draft or sent-back version (lines and reasoning)",
        request=ProposalInputSerializer,
        responses=ProposalOutputSerializer,
    )
    def put(self, request: Request, proposal_id: int) -> Response:
        proposal = selectors.proposal_get_for_user(request.user, proposal_id)
        serializer = ProposalInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = _version(request, data)
        data["lines"] = _lines(data["lines"])
        updated = services.proposal_update(
            proposal, by=request.user, data=data, expected_version=version
        )
        return _proposal_output(request, updated)


def _proposal(request: Request, proposal_id: int) -> Proposal:
    return selectors.proposal_get_for_user(request.user, proposal_id)


def _works(user: Any, proposal: Proposal) -> bool:
    return access.can_work(user, proposal.complaint)


def _works_or_supervises(user: Any, proposal: Proposal) -> bool:
    return access.can_work(user, proposal.complaint) or access.supervises(user, proposal.complaint)


def _proposal_step(
    step: str,
    input_serializer: type[StrictSerializer],
    run: Step,
    *,
    summary: str,
    may: Callable[[Any, Proposal], bool] = _works,
) -> type[APIView]:
    """`POST complaint-proposals/{id}/{step}/`: only for whom `may` allows, else a 403."""
    multipart = step == "paper_agreement"
    name = "".join(part.title() for part in step.split("_"))
    media = "multipart/form-data" if multipart else "application/json"
    return step_api(
        f"Proposal{name}Api",
        input_serializer,
        run,
        fetch=_proposal,
        output=_proposal_output,
        may=may,
        refusal=gettext_lazy("You may not do this with this proposal."),
        operation_id=f"complaint_proposals_{step}",
        summary=summary,
        request_schema={media: input_serializer},
        responses=ProposalOutputSerializer,
        parsers=(JSONParser, MultiPartParser) if multipart else (JSONParser,),
    )


ProposalSubmitApi = _proposal_step(
    "submit",
    NoteInputSerializer,
    lambda proposal, request, data: services.proposal_submit(
        proposal,
        by=request.user,
        note=data.get("note", ""),
        expected_version=_version(request, data),
    ),
    summary="Ask a supervisor to approve",
)
ProposalApproveApi = _proposal_step(
    "approve",
    ProposalCommentInputSerializer,
    lambda proposal, request, data: services.proposal_approve(
        proposal,
        by=request.user,
        comment=data.get("comment", ""),
        expected_version=_version(request, data),
    ),
    summary="Approve, and offer it to the customer",
    may=access.can_decide,
)
ProposalSendBackApi = _proposal_step(
    "send_back",
    SendBackInputSerializer,
    lambda proposal, request, data: services.proposal_send_back(
        proposal,
        by=request.user,
        comment=data["comment"],
        expected_version=_version(request, data),
    ),
    summary="Send back, with a comment",
    may=access.can_decide,
)
ProposalOfferApi = _proposal_step(
    "offer",
    _Versioned,
    lambda proposal, request, data: services.proposal_offer(
        proposal, by=request.user, expected_version=_version(request, data)
    ),
    summary="Offer an approved proposal to the customer",
    may=_works_or_supervises,
)
ProposalDeclineApi = _proposal_step(
    "decline",
    DeclineInputSerializer,
    lambda proposal, request, data: services.proposal_decline(
        proposal, by=request.user, reason=data["reason"]
    ),
    summary="The customer declined (by phone), with the reason",
)
ProposalPaperApi = _proposal_step(
    "paper_agreement",
    PaperAgreementInputSerializer,
    lambda proposal, request, data: services.proposal_record_paper(
        proposal,
        by=request.user,
        signer_name=data["signer_name"],
        upload=data["file"],
        signed_at=data.get("signed_at"),
    ),
    summary="The customer signed a paper agreement",
)


def agreement_pdf_response(proposal: Proposal, lang: str | None, *, staff: bool) -> HttpResponse:
    """The agreement, shown by the browser (a PDF we made, with no active content); staff
    copies carry the signer's IP address."""
    content = pdf.render_agreement(proposal, staff=staff, language=pdf.language_for(lang))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{pdf.filename(proposal)}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


class ProposalPdfApi(APIView):
    content_negotiation_class = FileNegotiation

    @extend_schema(
        operation_id="complaint_proposals_pdf",
        summary="The complaint agreement as a PDF (zh-hans, zh-hant or en)",
        parameters=[OpenApiParameter("lang", str, enum=["zh-hans", "zh-hant", "en"])],
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def get(self, request: Request, proposal_id: int) -> HttpResponse:
        proposal = selectors.proposal_get_for_user(request.user, proposal_id)
        return agreement_pdf_response(
            proposal, request.query_params.get("lang"), staff=request_access.is_staff(request.user)
        )
