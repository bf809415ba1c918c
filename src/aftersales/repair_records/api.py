"""API of repair records, the customer's confirmation and a unit's service history: thin
views over the services and selectors, with explicit input and output serializers."""

from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales.accounts.models import User
from aftersales.api.exports import EXPORT_RESPONSES, FORMAT_PARAMETER, FileNegotiation
from aftersales.api.serializers import CleanCharField, CleanSlugRelatedField, StrictSerializer
from aftersales.core.errors import NotAllowed
from aftersales.core.exports import export_format, export_response
from aftersales.parts.models import Part, StockReservation, Warehouse
from aftersales.repair_records import access, exports, pdf, selectors, services
from aftersales.repair_records.filters import RepairRecordFilter
from aftersales.repair_records.models import (
    MAX_LABOUR_MINUTES,
    MAX_PART_QUANTITY,
    Confirmation,
    PartUsed,
    RepairRecord,
)
from aftersales.service_requests import access as request_access
from aftersales.service_requests import selectors as request_selectors
from aftersales.service_requests.api import AttachmentOutputSerializer, ProductBriefSerializer
from aftersales.service_requests.models import ServiceRequest

# --- Output ---------------------------------------------------------------------------------


def _staff(serializer: serializers.Serializer) -> bool:
    return access.sees_staff_details(serializer.context["request"].user)


class PartUsedOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    part = serializers.IntegerField(source="part_id", allow_null=True)
    part_number = serializers.CharField()
    description = serializers.CharField()
    quantity = serializers.IntegerField()
    old_serial = serializers.CharField(help_text="Serial number of the piece taken out.")
    new_serial = serializers.CharField(help_text="Serial number of the piece fitted.")
    source = serializers.ChoiceField(choices=PartUsed.Source.choices)
    reservation = serializers.SerializerMethodField()
    warehouse = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    @extend_schema_field(OpenApiTypes.INT)
    def get_reservation(self, obj: PartUsed) -> int | None:
        return obj.reservation_id if _staff(self) else None

    @extend_schema_field(OpenApiTypes.INT)
    def get_warehouse(self, obj: PartUsed) -> int | None:
        return obj.warehouse_id if _staff(self) else None


class RepairRecordOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    service_request = serializers.CharField(source="request.number")
    work_done = serializers.CharField()
    started_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    labour_minutes = serializers.IntegerField()
    technicians = serializers.SerializerMethodField()
    test_result = serializers.CharField()
    test_outcome = serializers.ChoiceField(choices=RepairRecord.TestOutcome.choices)
    visit_round = serializers.IntegerField(help_text="Times the request had been reopened.")
    is_repeat = serializers.BooleanField(help_text="Written after the request was reopened.")
    written_by = serializers.SerializerMethodField()
    parts = PartUsedOutputSerializer(many=True)
    photos = AttachmentOutputSerializer(many=True)
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    pdf_url = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_technicians(self, obj: RepairRecord) -> list[str]:
        # Customers are told what was done, not by whom (as for the assignee).
        return [person.username for person in obj.technicians.all()] if _staff(self) else []

    @extend_schema_field(OpenApiTypes.STR)
    def get_written_by(self, obj: RepairRecord) -> str | None:
        if obj.written_by is None or not _staff(self):
            return None
        return obj.written_by.username

    @extend_schema_field(OpenApiTypes.URI)
    def get_pdf_url(self, obj: RepairRecord) -> str:
        return self.context["request"].build_absolute_uri(f"/api/v1/repair-records/{obj.pk}/pdf/")


class ConfirmationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    round = serializers.IntegerField(help_text="Times the request had been reopened.")
    satisfied = serializers.BooleanField()
    comment = serializers.CharField()
    method = serializers.ChoiceField(choices=Confirmation.Method.choices)
    customer_name = serializers.CharField()
    recorded_by = serializers.SerializerMethodField()
    answered_at = serializers.DateTimeField()

    @extend_schema_field(OpenApiTypes.STR)
    def get_recorded_by(self, obj: Confirmation) -> str | None:
        if obj.recorded_by is None or not _staff(self):
            return None
        return obj.recorded_by.username


class RepeatOutputSerializer(serializers.Serializer):
    is_repeat = serializers.BooleanField()
    reopened = serializers.IntegerField(help_text="Times the request was reopened.")
    earlier = serializers.ListField(
        child=serializers.CharField(),
        help_text="Service numbers of the same unit's requests resolved within the repeat "
        "window before this one came in (those the caller may see).",
    )


class VerificationOutputSerializer(serializers.Serializer):
    awaiting = serializers.BooleanField(help_text="Resolved, and the customer has not answered.")
    repeat = RepeatOutputSerializer()
    confirmations = ConfirmationOutputSerializer(many=True)


class HistoryUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    serial_number = serializers.CharField()
    batch_number = serializers.CharField()
    product = ProductBriefSerializer()
    warranty_end = serializers.DateField(allow_null=True)


class UnitRepeatsSerializer(serializers.Serializer):
    requests = serializers.IntegerField()
    repeats = serializers.IntegerField()
    reopens = serializers.IntegerField()


class HistoryRequestSerializer(serializers.Serializer):
    number = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=ServiceRequest.Kind.choices)
    status = serializers.ChoiceField(choices=ServiceRequest.Status.choices)
    received_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    reopen_count = serializers.IntegerField()
    repeat = RepeatOutputSerializer()
    repair_records = RepairRecordOutputSerializer(many=True)
    confirmations = ConfirmationOutputSerializer(many=True)


class UnitHistoryOutputSerializer(serializers.Serializer):
    unit = HistoryUnitSerializer()
    repeat_window_days = serializers.IntegerField()
    summary = UnitRepeatsSerializer()
    requests = HistoryRequestSerializer(many=True)


# --- Input ----------------------------------------------------------------------------------


class PartUsedInputSerializer(StrictSerializer):
    part = serializers.PrimaryKeyRelatedField(
        queryset=Part.objects.all(), required=False, allow_null=True
    )
    part_number = CleanCharField(max_length=50, required=False, allow_blank=True)
    description = CleanCharField(max_length=200, required=False, allow_blank=True)
    quantity = serializers.IntegerField(
        min_value=1,
        max_value=MAX_PART_QUANTITY,
        required=False,
        help_text="Default: all that the reservation holds, else 1.",
    )
    old_serial = CleanCharField(max_length=100, required=False, allow_blank=True)
    new_serial = CleanCharField(max_length=100, required=False, allow_blank=True)
    reservation = serializers.PrimaryKeyRelatedField(
        queryset=StockReservation.objects.all(),
        required=False,
        allow_null=True,
        help_text="One of the request's active reservations: its part is used from it.",
    )
    warehouse = serializers.PrimaryKeyRelatedField(
        queryset=Warehouse.objects.all(),
        required=False,
        allow_null=True,
        help_text="Take the part from this warehouse's stock (a technician: their own van).",
    )


def _people() -> Any:
    return User.objects.filter(is_active=True)


class RepairRecordFieldsSerializer(StrictSerializer):
    work_done = CleanCharField(max_length=20000)
    started_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(required=False, allow_null=True)
    labour_minutes = serializers.IntegerField(
        min_value=0,
        max_value=MAX_LABOUR_MINUTES,
        required=False,
        allow_null=True,
        help_text="Defaults to the time between start and finish.",
    )
    technicians = CleanSlugRelatedField(
        slug_field="username",
        queryset=_people(),
        many=True,
        required=False,
        help_text="Usernames of who did the work (default: the writer).",
    )
    test_result = CleanCharField(max_length=5000, required=False, allow_blank=True)
    test_outcome = serializers.ChoiceField(choices=RepairRecord.TestOutcome.choices, required=False)


class RepairRecordCreateSerializer(RepairRecordFieldsSerializer):
    parts = PartUsedInputSerializer(many=True, required=False)


class RepairRecordUpdateSerializer(RepairRecordFieldsSerializer):
    work_done = CleanCharField(max_length=20000, required=False)
    started_at = serializers.DateTimeField(required=False)
    version = serializers.IntegerField(required=False, min_value=1)


class PhotosInputSerializer(StrictSerializer):
    photos = serializers.ListField(child=serializers.FileField(), allow_empty=False)


class ConfirmationInputSerializer(StrictSerializer):
    satisfied = serializers.BooleanField(help_text="Whether the customer says it is fixed.")
    comment = CleanCharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="What the customer said; required when it is not fixed (the reopen reason).",
    )
    customer_name = CleanCharField(max_length=200, required=False, allow_blank=True, default="")


# --- Helpers ----------------------------------------------------------------------------------


def _record_output(request: Request, record: RepairRecord, *, status: int = 200) -> Response:
    response = Response(
        RepairRecordOutputSerializer(record, context={"request": request}).data, status=status
    )
    response["ETag"] = f'"{record.version}"'
    return response


def _require_writer(user: User, target: ServiceRequest) -> None:
    # Answered before the input is read: a refusal does not depend on what was sent.
    if not access.can_write(user, target):
        raise NotAllowed(_("You may not write repair records for this request."))


def _repeat_data(user: User, info: selectors.RepeatInfo) -> dict[str, Any]:
    visible = set(
        request_access.visible_to(user)
        .filter(pk__in=[r.pk for r in info.earlier])
        .values_list("pk", flat=True)
    )
    return {
        "is_repeat": info.is_repeat,
        "reopened": info.reopened,
        "earlier": [r.number for r in info.earlier if r.pk in visible],
    }


# --- Views ----------------------------------------------------------------------------------


class RequestRepairRecordsApi(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="service_requests_repair_records_list",
        responses=RepairRecordOutputSerializer(many=True),
    )
    def get(self, request: Request, number: str) -> Response:
        target = request_selectors.service_request_get_for_user(request.user, number)
        records = selectors.records_for(target)
        return Response(
            RepairRecordOutputSerializer(records, many=True, context={"request": request}).data
        )

    @extend_schema(
        operation_id="service_requests_repair_records_create",
        request=RepairRecordCreateSerializer,
        responses={201: RepairRecordOutputSerializer},
    )
    def post(self, request: Request, number: str) -> Response:
        target = request_selectors.service_request_get_for_user(request.user, number)
        _require_writer(request.user, target)
        serializer = RepairRecordCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        parts = [dict(line) for line in data.pop("parts", [])]
        record = services.repair_record_create(target, by=request.user, data=data, parts=parts)
        return _record_output(request, record, status=201)


class RepairRecordDetailApi(APIView):
    parser_classes = [JSONParser]

    @extend_schema(operation_id="repair_records_retrieve", responses=RepairRecordOutputSerializer)
    def get(self, request: Request, record_id: int) -> Response:
        return _record_output(request, selectors.record_get_for_user(request.user, record_id))

    @extend_schema(
        operation_id="repair_records_update",
        request=RepairRecordUpdateSerializer,
        responses=RepairRecordOutputSerializer,
        description="Changes a record while its request is open. Send `version` (or "
        "`If-Match`) to be told (409) when someone changed it meanwhile.",
    )
    def patch(self, request: Request, record_id: int) -> Response:
        record = selectors.record_get_for_user(request.user, record_id)
        _require_writer(request.user, record.request)
        serializer = RepairRecordUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        if version is None and request.headers.get("If-Match", "").strip('W/"').isdigit():
            version = int(request.headers["If-Match"].strip('W/"'))
        updated = services.repair_record_update(
            record, by=request.user, data=data, expected_version=version
        )
        return _record_output(request, updated)


class RepairRecordPartsApi(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="repair_records_parts_create",
        request=PartUsedInputSerializer,
        responses={201: PartUsedOutputSerializer},
        description="Records a part fitted. With `reservation` the part is used from that "
        "reservation of the request; with `warehouse` it is taken from that stock; with "
        "neither it came from outside our stock (a catalogue `part` or a typed "
        "`part_number`). Stock and line are written together, or neither (400 naming "
        "`quantity` when there is not enough).",
    )
    def post(self, request: Request, record_id: int) -> Response:
        record = selectors.record_get_for_user(request.user, record_id)
        _require_writer(request.user, record.request)
        serializer = PartUsedInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        line = services.part_used_add(record, by=request.user, data=dict(serializer.validated_data))
        return Response(
            PartUsedOutputSerializer(line, context={"request": request}).data, status=201
        )


class RepairRecordPhotosApi(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="repair_records_photos_create",
        request={"multipart/form-data": PhotosInputSerializer},
        responses={201: AttachmentOutputSerializer(many=True)},
        description="Photos or videos of the work (typed by their content; anything else is "
        "refused, and then none is stored). They become the request's attachments.",
    )
    def post(self, request: Request, record_id: int) -> Response:
        record = selectors.record_get_for_user(request.user, record_id)
        _require_writer(request.user, record.request)
        payload = {k: v for k, v in request.data.items() if k != "photos"}
        payload["photos"] = request.FILES.getlist("photos")
        serializer = PhotosInputSerializer(data=payload)
        serializer.is_valid(raise_exception=True)
        added = services.repair_record_photos_add(
            record, by=request.user, uploads=serializer.validated_data["photos"]
        )
        return Response(
            AttachmentOutputSerializer(added, many=True, context={"request": request}).data,
            status=201,
        )


class RepairRecordPdfApi(APIView):
    content_negotiation_class = FileNegotiation

    @extend_schema(
        operation_id="repair_records_pdf",
        parameters=[
            OpenApiParameter(
                "lang",
                str,
                enum=["zh-hans", "zh-hant", "en"],
                description="Language of the document (default: the reader's).",
            )
        ],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
    )
    def get(self, request: Request, record_id: int) -> HttpResponse:
        record = selectors.record_get_for_user(request.user, record_id)
        return pdf_response(request.user, record, request.query_params.get("lang"))


def pdf_response(user: User, record: RepairRecord, lang: str | None) -> HttpResponse:
    """The printable record, shown by the browser (a PDF we made, with no active content)."""
    content = pdf.render_record(
        record, staff=access.sees_staff_details(user), language=pdf.language_for(lang)
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{pdf.filename(record)}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


class RequestConfirmationApi(APIView):
    parser_classes = [JSONParser]

    def _output(self, request: Request, target: ServiceRequest, *, status: int = 200) -> Response:
        data = {
            "awaiting": selectors.awaits_confirmation(target),
            "repeat": _repeat_data(request.user, selectors.repeat_info(target)),
            "confirmations": list(selectors.confirmations_for(target)),
        }
        return Response(
            VerificationOutputSerializer(data, context={"request": request}).data, status=status
        )

    @extend_schema(
        operation_id="service_requests_confirmation_retrieve",
        responses=VerificationOutputSerializer,
    )
    def get(self, request: Request, number: str) -> Response:
        target = request_selectors.service_request_get_for_user(request.user, number)
        return self._output(request, target)

    @extend_schema(
        operation_id="service_requests_confirmation_create",
        request=ConfirmationInputSerializer,
        responses={201: VerificationOutputSerializer},
        description="The customer's answer to the latest resolution: recorded by staff who "
        "took it by phone, or given by the customer's own account. Once per resolution "
        "(409 after). Not satisfied reopens the request with `comment` as the reason.",
    )
    def post(self, request: Request, number: str) -> Response:
        target = request_selectors.service_request_get_for_user(request.user, number)
        serializer = ConfirmationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.confirmation_record(
            target,
            satisfied=data["satisfied"],
            comment=data["comment"],
            customer_name=data["customer_name"],
            by=request.user,
        )
        target = request_selectors.service_request_get_for_user(request.user, number)
        return self._output(request, target, status=201)


class UnitHistoryApi(APIView):
    @extend_schema(operation_id="units_history", responses=UnitHistoryOutputSerializer)
    def get(self, request: Request, unit_id: int) -> Response:
        user = request.user
        unit = selectors.unit_get_for_user(user, pk=unit_id)
        history = selectors.unit_history(user, unit)
        flags = selectors.repeat_flags(history)
        visible = {r.pk for r in history}
        rows = []
        for item in history:
            info = flags[item.pk]
            item.repeat = {  # type: ignore[attr-defined]
                "is_repeat": info.is_repeat,
                "reopened": info.reopened,
                "earlier": [r.number for r in info.earlier if r.pk in visible],
            }
            rows.append(item)
        data = {
            "unit": unit,
            "repeat_window_days": settings.REPEAT_REPAIR_DAYS,
            "summary": selectors.unit_repeat_summary(unit, history),
            "requests": rows,
        }
        return Response(UnitHistoryOutputSerializer(data, context={"request": request}).data)


class RepairRecordExportApi(APIView):
    content_negotiation_class = FileNegotiation

    @extend_schema(
        operation_id="repair_records_export",
        filters=True,
        parameters=[FORMAT_PARAMETER],
        responses=EXPORT_RESPONSES,
        summary="The repair records of the requests one sees, as CSV or XLSX (staff)",
    )
    def get(self, request: Request) -> Any:
        fmt = export_format(request.query_params)
        if not request_access.is_staff(request.user):
            raise NotAllowed(_("Only staff export repair records."))
        filterset = RepairRecordFilter(
            request.query_params, queryset=selectors.record_list_for_user(request.user)
        )
        if not filterset.is_valid():
            raise serializers.ValidationError(filterset.errors)
        return export_response(fmt, "repair-records", exports.COLUMNS, exports.rows(filterset.qs))

    filterset_class = RepairRecordFilter
