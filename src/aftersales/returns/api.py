"""API of returns (RMA): a request's RMA (read, authorise), rmas/ with filters, one route per
step, and the eligibility of a unit.

Thin: input is checked by explicit serializers, rules by the services (403 not allowed,
409 out of order or stale, 400 with the fields named), reads by the selectors. Customers read
their own RMAs without staff notes and may record their parcel's tracking number.
"""

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales.api.pagination import Pagination
from aftersales.api.serializers import CleanCharField, StrictSerializer
from aftersales.catalog.models import Product, Unit
from aftersales.returns import access, display, filters, numbering, rules, selectors, services
from aftersales.returns.eligibility import Eligibility, Outcome
from aftersales.returns.models import (
    MONEY,
    Decision,
    InspectionResult,
    RefundMethod,
    ReturnAuthorisation,
    Status,
)
from aftersales.service_requests import access as request_access
from aftersales.service_requests import selectors as request_selectors

# --- Output --------------------------------------------------------------------------------


class RmaEligibilitySerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    refund = serializers.BooleanField(help_text=gettext_lazy("A refund is possible."))
    replacement = serializers.BooleanField(help_text=gettext_lazy("A replacement is possible."))
    reason = serializers.CharField(help_text=gettext_lazy("Why, in plain words."))
    days_since_purchase = serializers.IntegerField(allow_null=True)
    return_until = serializers.DateField(allow_null=True)
    replacement_until = serializers.DateField(allow_null=True)
    warranty_end = serializers.DateField(allow_null=True)
    in_warranty = serializers.BooleanField()

    def to_representation(self, instance: Eligibility) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["reason"] = str(instance.reason)
        return data


class RmaUnitBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    serial_number = serializers.CharField()


# Shown to staff only; a customer reads null (or "") there.
INTERNAL = (
    "eligibility",
    "is_exception",
    "purchase_price",
    "authorised_by",
    "received_by",
    "warehouse",
    "condition_notes",
    "photos",
    "inspection_notes",
    "inspected_by",
    "refund_reference",
    "refund_reason",
)


class RmaOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    service_request = serializers.SerializerMethodField(
        help_text=gettext_lazy("Its service number; null for a reader who may not see it.")
    )
    status = serializers.ChoiceField(choices=Status.choices)
    decision = serializers.ChoiceField(choices=Decision.choices)
    decision_reason = serializers.CharField()
    is_exception = serializers.BooleanField(allow_null=True)
    eligibility = serializers.SerializerMethodField()
    unit = RmaUnitBriefSerializer()
    unit_returned_at = serializers.DateTimeField(allow_null=True)
    purchase_price = serializers.DecimalField(allow_null=True, **MONEY)
    currency = serializers.CharField()
    authorised_by = serializers.CharField(source="authorised_by.username", allow_null=True)
    authorised_at = serializers.DateTimeField()
    inbound_carrier = serializers.CharField()
    inbound_tracking_number = serializers.CharField(source="inbound_tracking")
    inbound_shipped_on = serializers.DateField(allow_null=True)
    received_on = serializers.DateField(source="received_at_date", allow_null=True)
    received_by = serializers.CharField(source="received_by.username", allow_null=True)
    warehouse = serializers.IntegerField(source="warehouse_id", allow_null=True)
    condition_notes = serializers.CharField(allow_null=True)
    photos = serializers.SerializerMethodField(help_text=gettext_lazy("Attachment ids."))
    inspection_result = serializers.CharField(
        help_text=gettext_lazy("fault_confirmed, no_fault_found, customer_damage, or empty.")
    )
    inspection_notes = serializers.CharField(allow_null=True)
    inspected_by = serializers.CharField(source="inspected_by.username", allow_null=True)
    inspected_at = serializers.DateTimeField(allow_null=True)
    refund_amount = serializers.DecimalField(allow_null=True, **MONEY)
    refund_method = serializers.CharField()
    refund_reference = serializers.CharField(allow_null=True)
    refund_reason = serializers.CharField(allow_null=True)
    refunded_on = serializers.DateField(allow_null=True)
    replacement_unit = RmaUnitBriefSerializer(allow_null=True)
    outbound_carrier = serializers.CharField()
    outbound_tracking_number = serializers.CharField(source="outbound_tracking")
    outbound_shipped_on = serializers.DateField(allow_null=True)
    outbound_delivered_on = serializers.DateField(allow_null=True)
    cancel_reason = serializers.CharField()
    cancelled_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField()
    next_steps = serializers.SerializerMethodField(
        help_text=gettext_lazy("The steps the reader may record now (the route names).")
    )

    @extend_schema_field(OpenApiTypes.STR)
    def get_service_request(self, obj: ReturnAuthorisation) -> str | None:
        visible = self.context.get("visible_requests", set())
        return obj.request.number if obj.request_id in visible else None

    @extend_schema_field(RmaEligibilitySerializer(allow_null=True))
    def get_eligibility(self, obj: ReturnAuthorisation) -> dict[str, Any] | None:
        return RmaEligibilitySerializer(obj.eligibility()).data

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_photos(self, obj: ReturnAuthorisation) -> list[int]:
        return [photo.pk for photo in obj.receipt_photos.all()]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_next_steps(self, obj: ReturnAuthorisation) -> list[str]:
        user = self.context["request"].user
        return [
            display.STEP_PATHS[step]
            for step in rules.next_steps(obj)
            if display.STEP_ACCESS[step](user, obj)
        ]

    def to_representation(self, instance: ReturnAuthorisation) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not access.sees_internals(self.context["request"].user):
            for name in INTERNAL:
                data[name] = None
        return data


def _context(request: Request, rows: list[ReturnAuthorisation]) -> dict[str, Any]:
    """Which of these RMAs' requests the reader may see (one query per page)."""
    ids = {rma.request_id for rma in rows}
    visible = set(
        request_access.visible_to(request.user).filter(pk__in=ids).values_list("pk", flat=True)
    )
    return {"request": request, "visible_requests": visible}


def _output(request: Request, rma: ReturnAuthorisation, *, status: int = 200) -> Response:
    rma = selectors.rma_list(request.user).prefetch_related("receipt_photos").get(pk=rma.pk)
    response = Response(
        RmaOutputSerializer(rma, context=_context(request, [rma])).data, status=status
    )
    response["ETag"] = f'"{rma.version}"'
    return response


# --- Input ---------------------------------------------------------------------------------


class RmaAuthoriseInputSerializer(StrictSerializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    reason = CleanCharField(max_length=2000, required=False, allow_blank=True, default="")
    purchase_price = serializers.DecimalField(
        required=False, allow_null=True, default=None, min_value=0, **MONEY
    )


class _Step(StrictSerializer):
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=gettext_lazy("The version read; a stale one is refused with 409."),
    )


def _text(max_length: int = 2000, **kwargs: Any) -> CleanCharField:
    return CleanCharField(
        max_length=max_length, required=False, allow_blank=True, default="", **kwargs
    )


class RmaShipInInputSerializer(_Step):
    carrier = CleanCharField(max_length=100)
    tracking_number = CleanCharField(max_length=100)
    shipped_on = serializers.DateField(required=False, allow_null=True, default=None)


class RmaReceiveInputSerializer(_Step):
    received_on = serializers.DateField(required=False, allow_null=True, default=None)
    condition_notes = _text()
    warehouse = serializers.PrimaryKeyRelatedField(
        queryset=selectors.receiving_warehouses(), required=False, allow_null=True, default=None
    )
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class RmaInspectInputSerializer(_Step):
    result = serializers.ChoiceField(choices=InspectionResult.choices)
    notes = _text(5000)


class RmaRefundInputSerializer(_Step):
    amount = serializers.DecimalField(
        min_value=0, help_text=gettext_lazy("Exact, at most two decimals."), **MONEY
    )
    method = serializers.ChoiceField(choices=RefundMethod.choices)
    reference = _text(100)
    refunded_on = serializers.DateField(required=False, allow_null=True, default=None)
    reason = _text(help_text=gettext_lazy("Required when the purchase price is not known."))


class RmaReplaceInputSerializer(_Step):
    replacement_unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text=gettext_lazy("A unit in stock (sold to nobody); or give serial_number."),
    )
    serial_number = _text(100, help_text=gettext_lazy("A new unit to register."))
    product = serializers.PrimaryKeyRelatedField(
        queryset=Product.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text=gettext_lazy("The new unit's product; the returned unit's by default."),
    )
    batch_number = _text(100)


class RmaShipOutInputSerializer(_Step):
    carrier = CleanCharField(max_length=100)
    tracking_number = _text(100)
    shipped_on = serializers.DateField(required=False, allow_null=True, default=None)
    delivered_on = serializers.DateField(required=False, allow_null=True, default=None)


class RmaCancelInputSerializer(_Step):
    reason = CleanCharField(max_length=2000)


# --- Views ---------------------------------------------------------------------------------


def _version(request: Request, data: dict[str, Any]) -> int | None:
    """`version` from the body, else from an If-Match header ("3" or W/"3")."""
    if data.get("version") is not None:
        return int(data.pop("version"))
    data.pop("version", None)
    digits = request.headers.get("If-Match", "").strip().removeprefix("W/").strip('"')
    if not digits:
        return None
    if not digits.isdigit():
        raise serializers.ValidationError({"If-Match": [_("Not a version.")]})
    return int(digits)


class RequestRmaApi(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="service_requests_rma_retrieve",
        summary="The request's latest RMA (404 if it has none)",
        responses=RmaOutputSerializer,
    )
    def get(self, request: Request, number: str) -> Response:
        target = request_selectors.service_request_get_for_user(request.user, number)
        rma = selectors.rma_for_request(target)
        if rma is None:
            raise Http404("No RMA.")
        return _output(request, rma)

    @extend_schema(
        operation_id="service_requests_rma_authorise",
        summary="Decide a return: refund, replacement, repair or refused",
        request=RmaAuthoriseInputSerializer,
        responses={201: RmaOutputSerializer},
    )
    def post(self, request: Request, number: str) -> Response:
        target = request_selectors.service_request_get_for_user(request.user, number)
        serializer = RmaAuthoriseInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rma = services.rma_authorise(target, by=request.user, **serializer.validated_data)
        return _output(request, rma, status=201)


class RmaListApi(APIView):
    # Read by the schema generator, which then describes the page (count, next, results).
    pagination_class = Pagination

    @extend_schema(
        operation_id="rmas_list",
        parameters=[
            OpenApiParameter("status", str, enum=Status.values),
            OpenApiParameter("decision", str, enum=Decision.values),
            OpenApiParameter(
                "number",
                str,
                description=gettext_lazy("An RMA number, a service number or a serial number."),
            ),
        ],
        responses=RmaOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        queryset = selectors.rma_list(request.user).prefetch_related("receipt_photos")
        filterset = filters.RmaFilter(request.query_params, queryset=queryset, request=request)
        if not filterset.is_valid():
            raise serializers.ValidationError(filterset.errors)
        paginator = Pagination()
        page = paginator.paginate_queryset(filterset.qs, request, view=self)
        data = RmaOutputSerializer(page, many=True, context=_context(request, page)).data
        return paginator.get_paginated_response(data)


class RmaDetailApi(APIView):
    @extend_schema(operation_id="rmas_retrieve", responses=RmaOutputSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return _output(request, selectors.rma_get_for_user(request.user, pk))


def _step_api(step: str, input_serializer: type[_Step], summary: str) -> type[APIView]:
    service = {
        "ship_in": services.rma_ship_in,
        "receive": services.rma_receive,
        "inspect": services.rma_inspect,
        "refund": services.rma_refund,
        "replace": services.rma_replace,
        "ship_out": services.rma_ship_out,
        "cancel": services.rma_cancel,
    }[step]
    multipart = step == "receive"

    class StepApi(APIView):
        parser_classes = [JSONParser, MultiPartParser] if multipart else [JSONParser]

        @extend_schema(
            operation_id=f"rmas_{step}",
            summary=summary,
            request={
                "application/json": input_serializer,
                **({"multipart/form-data": input_serializer} if multipart else {}),
            },
            responses=RmaOutputSerializer,
        )
        def post(self, request: Request, pk: int) -> Response:
            rma = selectors.rma_get_for_user(request.user, pk)
            payload = request.data
            if multipart and hasattr(payload, "getlist"):
                payload = {k: v for k, v in payload.items() if k != "photos"} | {
                    "photos": request.FILES.getlist("photos")
                }
            serializer = input_serializer(data=payload)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
            version = _version(request, data)
            updated = service(rma, by=request.user, expected_version=version, **data)
            return _output(request, updated)

    StepApi.__name__ = StepApi.__qualname__ = f"Rma{step.title().replace('_', '')}Api"
    return StepApi


RmaShipInApi = _step_api("ship_in", RmaShipInInputSerializer, "The customer's parcel to us")
RmaReceiveApi = _step_api("receive", RmaReceiveInputSerializer, "The unit arrived")
RmaInspectApi = _step_api("inspect", RmaInspectInputSerializer, "The inspection's result")
RmaRefundApi = _step_api("refund", RmaRefundInputSerializer, "The refund paid")
RmaReplaceApi = _step_api("replace", RmaReplaceInputSerializer, "The replacement unit")
RmaShipOutApi = _step_api("ship_out", RmaShipOutInputSerializer, "Our parcel to the customer")
RmaCancelApi = _step_api("cancel", RmaCancelInputSerializer, "Cancel, with a reason")


class UnitEligibilityApi(APIView):
    @extend_schema(
        operation_id="units_eligibility",
        summary="Whether a unit may be refunded, replaced or only repaired",
        parameters=[
            OpenApiParameter(
                "on",
                OpenApiTypes.DATE,
                description=gettext_lazy("The day the request is received; today by default."),
            ),
            OpenApiParameter(
                "quality_fault",
                OpenApiTypes.BOOL,
                description=gettext_lazy("A product quality fault (replacement in warranty)."),
            ),
        ],
        responses=RmaEligibilitySerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        unit = request_access.units_visible_to(request.user).filter(pk=pk).first()
        if unit is None:
            raise Http404("No such unit.")
        query = _EligibilityQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        result = selectors.eligibility_for_unit(
            unit,
            on=query.validated_data.get("on") or numbering.today(),
            quality_fault=query.validated_data.get("quality_fault", False),
        )
        return Response(RmaEligibilitySerializer(result).data)


class _EligibilityQuery(serializers.Serializer):
    on = serializers.DateField(required=False)
    quality_fault = serializers.BooleanField(required=False, default=False)
