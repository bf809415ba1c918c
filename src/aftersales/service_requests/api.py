"""API of service requests (SPEC §6): thin views over services and selectors."""

from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales.accounts.models import Team, User
from aftersales.api.exports import EXPORT_RESPONSES, FORMAT_PARAMETER, FileNegotiation
from aftersales.api.pagination import Pagination
from aftersales.api.serializers import CleanCharField, CleanSlugRelatedField, StrictSerializer
from aftersales.catalog.models import Product, Unit
from aftersales.core.errors import DomainError, NotAllowed
from aftersales.core.exports import export_format, export_response
from aftersales.customers.models import Customer
from aftersales.search.selectors import search_filter
from aftersales.service_requests import access, exports, selectors, services, transitions
from aftersales.service_requests.filters import ServiceRequestFilter
from aftersales.service_requests.models import Attachment, Level, ServiceRequest
from aftersales.webhooks import idempotency
from aftersales.webhooks.throttles import IntakeRateThrottle

SR = ServiceRequest


# --- Output ---------------------------------------------------------------------------


class CustomerBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    name = serializers.CharField()
    organisation = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()


class ProductBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    model = serializers.CharField()
    name = serializers.CharField()


class UnitBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    serial_number = serializers.CharField()
    batch_number = serializers.CharField()
    warranty_end = serializers.DateField(allow_null=True)


class TargetStateSerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=["ok", "warning", "breached", "paused", "met", "missed"]
    )
    due_at = serializers.DateTimeField(allow_null=True)
    done_at = serializers.DateTimeField(allow_null=True)
    used_seconds = serializers.IntegerField()
    remaining_seconds = serializers.IntegerField(allow_null=True)


class SlaSerializer(serializers.Serializer):
    first_response = TargetStateSerializer()
    resolution = TargetStateSerializer()


class ServiceRequestOutputSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=SR.Status.choices)
    kind = serializers.ChoiceField(choices=SR.Kind.choices)
    category = serializers.ChoiceField(choices=SR.Category.choices)
    impact = serializers.ChoiceField(choices=Level.choices)
    urgency = serializers.ChoiceField(choices=Level.choices)
    priority = serializers.CharField()
    channel = serializers.ChoiceField(choices=SR.Channel.choices)
    external_reference = serializers.CharField()
    customer = CustomerBriefSerializer()
    contact_name = serializers.CharField()
    contact_phone = serializers.CharField()
    contact_email = serializers.CharField()
    organisation = serializers.CharField()
    address = serializers.CharField()
    product = ProductBriefSerializer(allow_null=True)
    unit = UnitBriefSerializer(allow_null=True)
    serial_number = serializers.CharField()
    batch_number = serializers.CharField()
    production_date = serializers.DateField(allow_null=True)
    purchase_date = serializers.DateField(allow_null=True)
    purchase_channel = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    occurred_at = serializers.DateTimeField(allow_null=True)
    location = serializers.CharField()
    assignee = serializers.SerializerMethodField()
    team = serializers.SerializerMethodField()
    recorded_by = serializers.SerializerMethodField()
    received_at = serializers.DateTimeField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    scheduled_for = serializers.DateTimeField(allow_null=True)
    first_response_due_at = serializers.DateTimeField(allow_null=True)
    first_responded_at = serializers.DateTimeField(allow_null=True)
    resolution_due_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)
    resolution = serializers.CharField()
    reopen_count = serializers.IntegerField()
    version = serializers.IntegerField()
    sla = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    def _staff_view(self) -> bool:
        return access.is_staff(self.context["request"].user)

    @extend_schema_field(OpenApiTypes.STR)
    def get_assignee(self, obj: ServiceRequest) -> str | None:
        # Customers are told that someone works on it, not who (no staff details).
        if obj.assignee is None or not self._staff_view():
            return None
        return obj.assignee.username

    @extend_schema_field(OpenApiTypes.INT)
    def get_team(self, obj: ServiceRequest) -> int | None:
        return obj.team_id if self._staff_view() else None

    @extend_schema_field(OpenApiTypes.STR)
    def get_recorded_by(self, obj: ServiceRequest) -> str | None:
        if obj.recorded_by_id is None or not self._staff_view():
            return None
        return obj.recorded_by.username

    @extend_schema_field(SlaSerializer)
    def get_sla(self, obj: ServiceRequest) -> dict[str, Any]:
        return SlaSerializer(selectors.sla_block(obj)).data

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_actions(self, obj: ServiceRequest) -> list[str]:
        return [t.name for t in transitions.available(obj, self.context["request"].user)]


class EventOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    action = serializers.CharField()
    actor = serializers.SerializerMethodField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    note = serializers.CharField()
    changes = serializers.JSONField()
    is_internal = serializers.BooleanField()
    created_at = serializers.DateTimeField()

    @extend_schema_field(OpenApiTypes.STR)
    def get_actor(self, obj: Any) -> str | None:
        return obj.actor.username if obj.actor else None


class AttachmentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    is_internal = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj: Attachment) -> str:
        return self.context["request"].build_absolute_uri(
            f"/api/v1/service-requests/{obj.request.number}/attachments/{obj.pk}/"
        )


class CommentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author = serializers.SerializerMethodField()
    body = serializers.CharField()
    is_internal = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    attachments = AttachmentOutputSerializer(many=True)

    @extend_schema_field(OpenApiTypes.STR)
    def get_author(self, obj: Any) -> str:
        return obj.author_name


# --- Input ----------------------------------------------------------------------------


class NestedCustomerSerializer(StrictSerializer):
    name = CleanCharField(max_length=200, required=False, allow_blank=True, default="")
    phone = CleanCharField(max_length=40, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")


class CustomerReferenceField(serializers.Field):
    """A customer id, or {"name", "phone", "email"} matched by phone or email, else created."""

    default_error_messages = {
        "unknown": _("No customer with this id."),
        "invalid": _("Give a customer id or an object with name, phone and email."),
    }

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool):
            self.fail("invalid")
        if isinstance(data, int):
            customer = Customer.objects.filter(pk=data).first()
            if customer is None:
                self.fail("unknown")
            return customer
        if isinstance(data, dict):
            nested = NestedCustomerSerializer(data=data)
            nested.is_valid(raise_exception=True)
            return dict(nested.validated_data)
        self.fail("invalid")
        return None

    def to_representation(self, value: Any) -> Any:
        return value.pk


_CUSTOMER_REF_SCHEMA = {
    "oneOf": [
        {"type": "integer"},
        {
            "type": "object",
            "properties": {
                "name": {"type": "string", "maxLength": 200},
                "phone": {"type": "string", "maxLength": 40},
                "email": {"type": "string", "format": "email"},
            },
            "additionalProperties": False,
        },
    ]
}
extend_schema_field(_CUSTOMER_REF_SCHEMA)(CustomerReferenceField)


class ServiceRequestFieldsSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=SR.Kind.choices, required=False)
    category = serializers.ChoiceField(choices=SR.Category.choices, required=False)
    impact = serializers.ChoiceField(choices=Level.choices, required=False)
    urgency = serializers.ChoiceField(choices=Level.choices, required=False)
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), required=False, allow_null=True
    )
    title = CleanCharField(max_length=200, required=False)
    description = CleanCharField(max_length=20000, required=False, allow_blank=True)
    contact_name = CleanCharField(max_length=200, required=False, allow_blank=True)
    contact_phone = CleanCharField(max_length=40, required=False, allow_blank=True)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    organisation = CleanCharField(max_length=200, required=False, allow_blank=True)
    address = CleanCharField(max_length=300, required=False, allow_blank=True)
    product = serializers.PrimaryKeyRelatedField(
        queryset=Product.objects.all(), required=False, allow_null=True
    )
    unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(), required=False, allow_null=True
    )
    serial_number = CleanCharField(max_length=100, required=False, allow_blank=True)
    batch_number = CleanCharField(max_length=100, required=False, allow_blank=True)
    production_date = serializers.DateField(required=False, allow_null=True)
    purchase_date = serializers.DateField(required=False, allow_null=True)
    purchase_channel = CleanCharField(max_length=100, required=False, allow_blank=True)
    occurred_at = serializers.DateTimeField(required=False, allow_null=True)
    location = CleanCharField(max_length=300, required=False, allow_blank=True)


class ServiceRequestCreateSerializer(ServiceRequestFieldsSerializer):
    customer = CustomerReferenceField(required=False)
    title = CleanCharField(max_length=200)
    channel = serializers.ChoiceField(choices=SR.Channel.choices, required=False)
    external_reference = CleanCharField(max_length=100, required=False, allow_blank=True)
    received_at = serializers.DateTimeField(required=False)


class ServiceRequestUpdateSerializer(ServiceRequestFieldsSerializer):
    version = serializers.IntegerField(required=False, min_value=1)


class ActionInputSerializer(StrictSerializer):
    version = serializers.IntegerField(required=False, min_value=1)
    assignee = CleanSlugRelatedField(
        slug_field="username", queryset=User.objects.filter(is_active=True), required=False
    )
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False)
    reason = CleanCharField(max_length=2000, required=False, allow_blank=True)
    resolution = CleanCharField(max_length=20000, required=False, allow_blank=True)
    note = CleanCharField(max_length=2000, required=False, allow_blank=True)
    scheduled_for = serializers.DateTimeField(required=False)


class CommentInputSerializer(StrictSerializer):
    body = CleanCharField(max_length=20000)
    is_internal = serializers.BooleanField(required=False, default=False)
    attachments = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class AttachmentInputSerializer(StrictSerializer):
    file = serializers.FileField()
    is_internal = serializers.BooleanField(required=False, default=False)


def _expected_version(request: Request, data: dict[str, Any]) -> int | None:
    """`version` from the body, else from an `If-Match` header ("3" or W/"3")."""
    if data.get("version") is not None:
        return int(data.pop("version"))
    data.pop("version", None)
    header = request.headers.get("If-Match", "").strip()
    if not header:
        return None
    digits = header.removeprefix("W/").strip('"')
    if not digits.isdigit():
        raise DomainError(
            _("If-Match must carry the version number."), fields={"If-Match": [_("Not a version.")]}
        )
    return int(digits)


def _output(request: Request, obj: ServiceRequest, *, status: int = 200) -> Response:
    response = Response(
        ServiceRequestOutputSerializer(obj, context={"request": request}).data, status=status
    )
    response["ETag"] = f'"{obj.version}"'
    return response


# --- Views ----------------------------------------------------------------------------

_LIST_PARAMETERS = [
    OpenApiParameter("search", str, description=_("Full text, Chinese or English")),
    OpenApiParameter("ordering", str, enum=list(selectors.ORDERINGS)),
    OpenApiParameter("view", str, enum=list(selectors.SAVED_VIEWS)),
]


def _answer(response: Response) -> tuple[int, Any]:
    return response.status_code, response.data


def _listed(request: Request) -> QuerySet[ServiceRequest]:
    """The list as the query string filters and orders it (the list and its export)."""
    user = request.user
    qs = selectors.service_request_list(user)
    filterset = ServiceRequestFilter(request.query_params, queryset=qs, request=request)
    if not filterset.is_valid():
        raise serializers.ValidationError(filterset.errors)
    qs = filterset.qs
    view = request.query_params.get("view", "")
    if view:
        if view not in selectors.SAVED_VIEWS:
            raise serializers.ValidationError({"view": [_("Unknown view.")]})
        qs = qs.filter(selectors.saved_view_filter(user, view))
    query = request.query_params.get("search", "")
    if query:
        if len(query) > 200:
            raise serializers.ValidationError({"search": [_("At most 200 characters.")]})
        qs = search_filter(qs, query, include_internal=access.is_staff(user))
    return selectors.service_request_order(qs, request.query_params.get("ordering"))


class ServiceRequestListCreateApi(APIView):
    parser_classes = [JSONParser]
    throttle_classes = [IntakeRateThrottle]
    throttle_scope = "intake"

    @extend_schema(
        operation_id="service_requests_list",
        parameters=_LIST_PARAMETERS,
        filters=True,
        responses=ServiceRequestOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        qs = _listed(request)
        paginator = Pagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        data = ServiceRequestOutputSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        operation_id="service_requests_create",
        request=ServiceRequestCreateSerializer,
        parameters=[
            OpenApiParameter(
                idempotency.HEADER,
                str,
                location=OpenApiParameter.HEADER,
                required=False,
                description=_(
                    "A retry with the same key and payload gets the first answer again; "
                    "the same key with another payload is refused (422)."
                ),
            )
        ],
        responses={201: ServiceRequestOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        key = request.headers.get(idempotency.HEADER)
        if key is None:
            return self._create(request)
        code, body, replayed = idempotency.run(
            user=request.user,
            key=key,
            payload=request.data,
            create=lambda: _answer(self._create(request)),
        )
        response = Response(body, status=code)
        if isinstance(body, dict) and "version" in body:
            response["ETag"] = f'"{body["version"]}"'
        if replayed:
            response["Idempotent-Replayed"] = "true"
        return response

    def _create(self, request: Request) -> Response:
        user = request.user
        serializer = ServiceRequestCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        customer = data.pop("customer", None)
        if user.role == User.Role.CUSTOMER:
            if customer is not None and not (
                isinstance(customer, Customer) and customer.pk == user.customer_id
            ):
                raise DomainError(
                    _("You file requests for yourself; leave out the customer."),
                    fields={"customer": [_("This field cannot be set here.")]},
                )
            customer = user.customer
        elif isinstance(customer, dict):
            customer = services.customer_find_or_create(by=user, **customer)
        elif customer is None:
            raise serializers.ValidationError({"customer": [_("This field is required.")]})
        if user.role != User.Role.CUSTOMER:
            data.setdefault("channel", SR.Channel.API)
        created = services.service_request_create(by=user, customer=customer, data=data)
        return _output(request, created, status=201)


class ServiceRequestExportApi(APIView):
    content_negotiation_class = FileNegotiation

    @extend_schema(
        operation_id="service_requests_export",
        parameters=[*_LIST_PARAMETERS, FORMAT_PARAMETER],
        filters=True,
        responses=EXPORT_RESPONSES,
        summary="The list as CSV or XLSX (same filters, search and ordering as the list)",
    )
    def get(self, request: Request) -> Any:
        fmt = export_format(request.query_params)
        rows = exports.request_rows(_listed(request))
        return export_response(fmt, "service-requests", exports.request_columns(request.user), rows)

    filterset_class = ServiceRequestFilter


class ServiceRequestDetailApi(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="service_requests_retrieve", responses=ServiceRequestOutputSerializer
    )
    def get(self, request: Request, number: str) -> Response:
        return _output(request, selectors.service_request_get_for_user(request.user, number))

    @extend_schema(
        operation_id="service_requests_update",
        request=ServiceRequestUpdateSerializer,
        responses=ServiceRequestOutputSerializer,
    )
    def patch(self, request: Request, number: str) -> Response:
        target = selectors.service_request_get_for_user(request.user, number)
        serializer = ServiceRequestUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = _expected_version(request, data)
        updated = services.service_request_update(
            target, by=request.user, data=data, expected_version=version
        )
        return _output(request, updated)


class ServiceRequestActionApi(APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(
        operation_id="service_requests_action",
        parameters=[
            OpenApiParameter(
                "action", str, OpenApiParameter.PATH, enum=list(transitions.TRANSITIONS)
            )
        ],
        request=ActionInputSerializer,
        responses=ServiceRequestOutputSerializer,
    )
    def post(self, request: Request, number: str, action: str) -> Response:
        target = selectors.service_request_get_for_user(request.user, number)
        serializer = ActionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = _expected_version(request, data)
        updated = services.service_request_act(
            target, action, by=request.user, data=data, expected_version=version
        )
        return _output(request, updated)


class ServiceRequestEventsApi(APIView):
    @extend_schema(
        operation_id="service_requests_events", responses=EventOutputSerializer(many=True)
    )
    def get(self, request: Request, number: str) -> Response:
        target = selectors.service_request_get_for_user(request.user, number)
        events = selectors.events_for(request.user, target)
        return Response(EventOutputSerializer(events, many=True).data)


class ServiceRequestCommentsApi(APIView):
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(
        operation_id="service_requests_comments_list", responses=CommentOutputSerializer(many=True)
    )
    def get(self, request: Request, number: str) -> Response:
        target = selectors.service_request_get_for_user(request.user, number)
        comments = selectors.comments_for(request.user, target)
        return Response(
            CommentOutputSerializer(comments, many=True, context={"request": request}).data
        )

    @extend_schema(
        operation_id="service_requests_comments_create",
        request={
            "application/json": CommentInputSerializer,
            "multipart/form-data": CommentInputSerializer,
        },
        responses={201: CommentOutputSerializer},
    )
    def post(self, request: Request, number: str) -> Response:
        target = selectors.service_request_get_for_user(request.user, number)
        payload = request.data
        if hasattr(payload, "getlist"):
            payload = {k: v for k, v in payload.items() if k != "attachments"} | {
                "attachments": request.FILES.getlist("attachments")
            }
        serializer = CommentInputSerializer(data=payload)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        comment = services.comment_add(
            target,
            by=request.user,
            body=data["body"],
            internal=data["is_internal"],
            uploads=data["attachments"],
        )
        return Response(
            CommentOutputSerializer(comment, context={"request": request}).data, status=201
        )


class ServiceRequestAttachmentsApi(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="service_requests_attachments_list",
        responses=AttachmentOutputSerializer(many=True),
    )
    def get(self, request: Request, number: str) -> Response:
        target = selectors.service_request_get_for_user(request.user, number)
        items = selectors.attachments_for(request.user, target).select_related("request")
        return Response(
            AttachmentOutputSerializer(items, many=True, context={"request": request}).data
        )

    @extend_schema(
        operation_id="service_requests_attachments_create",
        request={"multipart/form-data": AttachmentInputSerializer},
        responses={201: AttachmentOutputSerializer},
    )
    def post(self, request: Request, number: str) -> Response:
        target = selectors.service_request_get_for_user(request.user, number)
        serializer = AttachmentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        internal = serializer.validated_data["is_internal"]
        if not access.can_comment(request.user, target, internal=internal):
            raise NotAllowed(_("You may not add files to this request."))
        attachment = services.attachment_add(
            target, by=request.user, upload=serializer.validated_data["file"], internal=internal
        )
        return Response(
            AttachmentOutputSerializer(attachment, context={"request": request}).data, status=201
        )


def attachment_response(attachment: Attachment) -> FileResponse:
    """The file as a download: never rendered by the browser, whatever it contains."""
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response


class AttachmentDownloadApi(APIView):
    content_negotiation_class = FileNegotiation

    @extend_schema(
        operation_id="service_requests_attachments_download",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    def get(self, request: Request, number: str, attachment_id: int) -> FileResponse:
        attachment = selectors.attachment_get_for_user(request.user, number, attachment_id)
        return attachment_response(attachment)
