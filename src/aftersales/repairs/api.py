"""Diagnosis and solution plans: service-requests/{number}/diagnosis/ and …/plans/,
plans/{id}/ with submit/, approve/, reject/, consent/, approval-rules/ (admins change, staff
read) and approvals/pending/ (a supervisor's queue).

Thin: input is checked by explicit serializers, rules by the services, reads by selectors.
A customer reads the plans offered to them (approved by a supervisor or by the rules),
without what is internal: people, parts and reservations, approval reasons and comments.
"""

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales.accounts.api import IsStaffReadOrAdmin
from aftersales.accounts.models import User
from aftersales.api.pagination import Pagination
from aftersales.api.serializers import CleanCharField, CleanSlugRelatedField, StrictSerializer
from aftersales.core.errors import NotAllowed
from aftersales.parts.models import MAX_QUANTITY, Part, Warehouse
from aftersales.repairs import access, selectors, services
from aftersales.repairs.models import (
    MAX_LINE_QUANTITY,
    MAX_MINUTES,
    ApprovalRule,
    Diagnosis,
    FeeLine,
    SolutionPlan,
    Warranty,
)
from aftersales.service_requests import selectors as request_selectors

# --- Output ------------------------------------------------------------------------------


def _username(user: User | None) -> str | None:
    return user.username if user is not None else None


class CataloguePartSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    part_number = serializers.CharField()
    name = serializers.CharField()


class DiagnosisOutputSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    cause = serializers.CharField()
    severity = serializers.ChoiceField(choices=Diagnosis.Severity.choices)
    handling = serializers.ChoiceField(choices=Diagnosis.Handling.choices)
    parts_needed = serializers.CharField()
    parts = CataloguePartSerializer(many=True, source="parts.all")
    expected_minutes = serializers.IntegerField()
    written_by = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_written_by(self, obj: Diagnosis) -> str | None:
        return _username(obj.written_by)


class StepOutputSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    text = serializers.CharField()


class FeeLineOutputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=FeeLine.Kind.choices)
    description = serializers.CharField()
    quantity = serializers.DecimalField(max_digits=9, decimal_places=2)
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    list_amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    covered_by_warranty = serializers.BooleanField()
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)


class PlanPartOutputSerializer(serializers.Serializer):
    part = CataloguePartSerializer()
    warehouse = serializers.CharField(source="warehouse.code")
    quantity = serializers.IntegerField()
    reservation = serializers.IntegerField(source="reservation_id", allow_null=True)
    reservation_status = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_reservation_status(self, obj: Any) -> str | None:
        return obj.reservation.status if obj.reservation_id else None


class ApprovalReasonSerializer(serializers.Serializer):
    condition = serializers.ChoiceField(choices=ApprovalRule.Condition.choices)
    threshold = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True
    )
    text = serializers.CharField(help_text=gettext_lazy("The reason in words."))


class PlanOutputSerializer(serializers.Serializer):
    # What a customer does not see of a plan (the rest is what was offered to them).
    STAFF_ONLY = (
        "tools",
        "people",
        "parts",
        "warranty_basis",
        "warranty_reason",
        "needs_approval",
        "approval_reasons",
        "created_by",
        "submitted_by",
        "decided_by",
        "decision_comment",
        "consent_recorded_by",
        "consent_statement",
        "version",
    )

    id = serializers.IntegerField()
    service_request = serializers.CharField(source="request.number")
    number = serializers.IntegerField()
    status = serializers.ChoiceField(choices=SolutionPlan.Status.choices)
    summary = serializers.CharField()
    steps = StepOutputSerializer(many=True, source="steps.all")
    tools = serializers.CharField()
    people = serializers.SerializerMethodField()
    estimated_minutes = serializers.IntegerField()
    includes_replacement = serializers.BooleanField()
    includes_refund = serializers.BooleanField()
    includes_compensation = serializers.BooleanField()
    needs_visit = serializers.BooleanField()
    warranty = serializers.ChoiceField(
        choices=Warranty.choices, help_text=gettext_lazy("The decision the fees follow.")
    )
    warranty_basis = serializers.ChoiceField(
        choices=Warranty.choices, help_text=gettext_lazy("What the unit says.")
    )
    warranty_end = serializers.DateField(allow_null=True)
    warranty_reason = serializers.CharField()
    currency = serializers.CharField()
    fee_lines = FeeLineOutputSerializer(many=True, source="fee_lines.all")
    list_total = serializers.DecimalField(max_digits=16, decimal_places=2)
    total = serializers.DecimalField(
        max_digits=16, decimal_places=2, help_text=gettext_lazy("What the customer pays.")
    )
    parts = PlanPartOutputSerializer(many=True, source="parts.all")
    needs_approval = serializers.BooleanField()
    approval_reasons = serializers.SerializerMethodField()
    needs_consent = serializers.BooleanField()
    created_by = serializers.SerializerMethodField()
    submitted_by = serializers.SerializerMethodField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    decided_by = serializers.SerializerMethodField()
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_comment = serializers.CharField()
    consent_requested_at = serializers.DateTimeField(allow_null=True)
    consent_agreed = serializers.BooleanField(allow_null=True)
    consent_channel = serializers.CharField()
    consent_recorded_by = serializers.SerializerMethodField()
    consent_at = serializers.DateTimeField(allow_null=True)
    consent_statement = serializers.CharField()
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_people(self, obj: SolutionPlan) -> list[str]:
        return [person.username for person in obj.people.all()]

    @extend_schema_field(ApprovalReasonSerializer(many=True))
    def get_approval_reasons(self, obj: SolutionPlan) -> list[dict[str, Any]]:
        return [
            {
                "condition": reason.get("condition"),
                "threshold": reason.get("threshold"),
                "text": services.reason_text(reason, obj.currency),
            }
            for reason in obj.approval_reasons
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_created_by(self, obj: SolutionPlan) -> str | None:
        return _username(obj.created_by)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_submitted_by(self, obj: SolutionPlan) -> str | None:
        return _username(obj.submitted_by)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_decided_by(self, obj: SolutionPlan) -> str | None:
        return _username(obj.decided_by)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_consent_recorded_by(self, obj: SolutionPlan) -> str | None:
        return _username(obj.consent_recorded_by)

    def to_representation(self, instance: SolutionPlan) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not access.sees_internals(self.context["request"].user):
            for name in self.STAFF_ONLY:
                data.pop(name, None)
        return data


class ApprovalRuleOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    condition = serializers.ChoiceField(choices=ApprovalRule.Condition.choices)
    threshold = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    is_active = serializers.BooleanField()


# --- Input -------------------------------------------------------------------------------


class DiagnosisInputSerializer(StrictSerializer):
    cause = CleanCharField(max_length=5000)
    severity = serializers.ChoiceField(choices=Diagnosis.Severity.choices)
    handling = serializers.ChoiceField(choices=Diagnosis.Handling.choices)
    parts_needed = CleanCharField(max_length=2000, required=False, allow_blank=True, default="")
    parts = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Part.objects.all(), required=False, default=list
    )
    expected_minutes = serializers.IntegerField(min_value=1, max_value=MAX_MINUTES)


class PlanPartInputSerializer(StrictSerializer):
    part = serializers.PrimaryKeyRelatedField(queryset=Part.objects.all())
    warehouse = serializers.PrimaryKeyRelatedField(queryset=Warehouse.objects.all())
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY)


class FeeLineInputSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=FeeLine.Kind.choices)
    description = CleanCharField(max_length=200)
    quantity = serializers.DecimalField(
        max_digits=9,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=MAX_LINE_QUANTITY,
        required=False,
        default=1,
    )
    unit_price = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=0,
        help_text=gettext_lazy('An exact amount with at most two decimals, e.g. "80.00".'),
    )


class PlanInputSerializer(StrictSerializer):
    summary = CleanCharField(max_length=5000)
    estimated_minutes = serializers.IntegerField(min_value=1, max_value=MAX_MINUTES)
    steps = serializers.ListField(
        child=CleanCharField(max_length=2000), required=False, max_length=services.MAX_STEPS
    )
    tools = CleanCharField(max_length=2000, required=False, allow_blank=True)
    people = CleanSlugRelatedField(
        slug_field="username",
        queryset=User.objects.filter(is_active=True),
        many=True,
        required=False,
    )
    includes_replacement = serializers.BooleanField(required=False)
    includes_refund = serializers.BooleanField(required=False)
    includes_compensation = serializers.BooleanField(required=False)
    needs_visit = serializers.BooleanField(required=False)
    parts = PlanPartInputSerializer(many=True, required=False)
    fee_lines = FeeLineInputSerializer(many=True, required=False)
    warranty = serializers.ChoiceField(
        choices=Warranty.choices,
        required=False,
        help_text=gettext_lazy("Only when the unit gives no warranty end (no purchase date)."),
    )
    warranty_reason = CleanCharField(max_length=1000, required=False, allow_blank=True)


class PlanUpdateSerializer(PlanInputSerializer):
    version = serializers.IntegerField(required=False, min_value=1)


class VersionSerializer(StrictSerializer):
    version = serializers.IntegerField(required=False, min_value=1)


class ApproveInputSerializer(VersionSerializer):
    comment = CleanCharField(max_length=2000, required=False, allow_blank=True, default="")


class RejectInputSerializer(VersionSerializer):
    reason = CleanCharField(max_length=2000)


class ConsentInputSerializer(VersionSerializer):
    agreed = serializers.BooleanField()
    statement = CleanCharField(
        max_length=2000, help_text=gettext_lazy("What the customer said on the phone.")
    )


class ApprovalRuleInputSerializer(StrictSerializer):
    name = CleanCharField(max_length=100)
    condition = serializers.ChoiceField(choices=ApprovalRule.Condition.choices)
    threshold = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    is_active = serializers.BooleanField(required=False)


def _valid(serializer_class: type[serializers.Serializer], request: Request, **kwargs: Any) -> Any:
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _plan_output(request: Request, plan: SolutionPlan, *, status: int = 200) -> Response:
    # Read again with its lines (the services return the row alone).
    fresh = selectors.plan_get_for_user(request.user, plan.pk)
    return Response(PlanOutputSerializer(fresh, context={"request": request}).data, status=status)


def _plan_data(data: dict[str, Any]) -> dict[str, Any]:
    for key in ("parts", "fee_lines"):
        if key in data:
            data[key] = [dict(item) for item in data[key]]
    return data


# --- Views -------------------------------------------------------------------------------


class DiagnosisApi(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="service_requests_diagnosis_retrieve", responses=DiagnosisOutputSerializer
    )
    def get(self, request: Request, number: str) -> Response:
        target = request_selectors.service_request_get_for_user(request.user, number)
        if not access.sees_internals(request.user):
            raise NotAllowed(_("The technical assessment is for staff."))
        diagnosis = selectors.diagnosis_current(target)
        if diagnosis is None:
            return Response({"message": _("No diagnosis yet."), "code": "not_found"}, status=404)
        return Response(DiagnosisOutputSerializer(diagnosis).data)

    @extend_schema(
        operation_id="service_requests_diagnosis_update",
        request=DiagnosisInputSerializer,
        responses=DiagnosisOutputSerializer,
        description=gettext_lazy("Records a new version; earlier ones are kept."),
    )
    def put(self, request: Request, number: str) -> Response:
        target = request_selectors.service_request_get_for_user(request.user, number)
        data = _valid(DiagnosisInputSerializer, request)
        diagnosis = services.diagnosis_record(target, by=request.user, data=data)
        return Response(DiagnosisOutputSerializer(diagnosis).data)


class RequestPlansApi(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="service_requests_plans_list", responses=PlanOutputSerializer(many=True)
    )
    def get(self, request: Request, number: str) -> Response:
        target = request_selectors.service_request_get_for_user(request.user, number)
        plans = selectors.plans_for(request.user, target)
        return Response(PlanOutputSerializer(plans, many=True, context={"request": request}).data)

    @extend_schema(
        operation_id="service_requests_plans_create",
        request=PlanInputSerializer,
        responses={201: PlanOutputSerializer},
    )
    def post(self, request: Request, number: str) -> Response:
        target = request_selectors.service_request_get_for_user(request.user, number)
        data = _plan_data(_valid(PlanInputSerializer, request))
        plan = services.plan_create(target, by=request.user, data=data)
        return _plan_output(request, plan, status=201)


class PlanDetailApi(APIView):
    parser_classes = [JSONParser]

    @extend_schema(operation_id="plans_retrieve", responses=PlanOutputSerializer)
    def get(self, request: Request, plan_id: int) -> Response:
        plan = selectors.plan_get_for_user(request.user, plan_id)
        return Response(PlanOutputSerializer(plan, context={"request": request}).data)

    @extend_schema(
        operation_id="plans_update", request=PlanUpdateSerializer, responses=PlanOutputSerializer
    )
    def patch(self, request: Request, plan_id: int) -> Response:
        plan = selectors.plan_get_for_user(request.user, plan_id)
        data = _plan_data(_valid(PlanUpdateSerializer, request, partial=True))
        version = data.pop("version", None)
        plan = services.plan_update(plan, by=request.user, data=data, expected_version=version)
        return _plan_output(request, plan)


class PlanSubmitApi(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="plans_submit", request=VersionSerializer, responses=PlanOutputSerializer
    )
    def post(self, request: Request, plan_id: int) -> Response:
        plan = selectors.plan_get_for_user(request.user, plan_id)
        data = _valid(VersionSerializer, request)
        plan = services.plan_submit(plan, by=request.user, expected_version=data.get("version"))
        return _plan_output(request, plan)


class PlanApproveApi(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="plans_approve", request=ApproveInputSerializer, responses=PlanOutputSerializer
    )
    def post(self, request: Request, plan_id: int) -> Response:
        plan = selectors.plan_get_for_user(request.user, plan_id)
        data = _valid(ApproveInputSerializer, request)
        plan = services.plan_approve(
            plan, by=request.user, comment=data["comment"], expected_version=data.get("version")
        )
        return _plan_output(request, plan)


class PlanRejectApi(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="plans_reject", request=RejectInputSerializer, responses=PlanOutputSerializer
    )
    def post(self, request: Request, plan_id: int) -> Response:
        plan = selectors.plan_get_for_user(request.user, plan_id)
        data = _valid(RejectInputSerializer, request)
        plan = services.plan_reject(
            plan, by=request.user, reason=data["reason"], expected_version=data.get("version")
        )
        return _plan_output(request, plan)


class PlanConsentApi(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="plans_consent",
        request=ConsentInputSerializer,
        responses=PlanOutputSerializer,
        description=gettext_lazy("Staff record the answer the customer gave by phone."),
    )
    def post(self, request: Request, plan_id: int) -> Response:
        plan = selectors.plan_get_for_user(request.user, plan_id)
        data = _valid(ConsentInputSerializer, request)
        plan = services.plan_consent_record(
            plan,
            by=request.user,
            agreed=data["agreed"],
            statement=data["statement"],
            expected_version=data.get("version"),
        )
        return _plan_output(request, plan)


class IsApprover(BasePermission):
    message = gettext_lazy("Only supervisors and administrators approve plans.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return access.is_approver(request.user)


class PendingApprovalsApi(APIView):
    permission_classes = [IsApprover]

    @extend_schema(operation_id="approvals_pending", responses=PlanOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        plans = selectors.plans_pending_approval_for(request.user).prefetch_related(
            "steps", "fee_lines", "parts__part", "parts__warehouse", "people"
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(plans, request, view=self)
        data = PlanOutputSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)


class ApprovalRuleViewSet(viewsets.GenericViewSet):
    parser_classes = [JSONParser]
    serializer_class = ApprovalRuleOutputSerializer
    permission_classes = [IsStaffReadOrAdmin]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[ApprovalRule]:
        return ApprovalRule.objects.order_by("condition", "threshold", "id")

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ApprovalRuleOutputSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(ApprovalRuleOutputSerializer(self.get_object()).data)

    @extend_schema(
        request=ApprovalRuleInputSerializer, responses={201: ApprovalRuleOutputSerializer}
    )
    def create(self, request: Request) -> Response:
        data = _valid(ApprovalRuleInputSerializer, request)
        rule = services.approval_rule_create(by=request.user, data=data)
        return Response(ApprovalRuleOutputSerializer(rule).data, status=201)

    @extend_schema(request=ApprovalRuleInputSerializer, responses=ApprovalRuleOutputSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        rule = self.get_object()
        data = _valid(ApprovalRuleInputSerializer, request, partial=True)
        rule = services.approval_rule_update(rule, by=request.user, data=data)
        return Response(ApprovalRuleOutputSerializer(rule).data)
