"""Spare parts and stock: parts/ and warehouses/ (admins change, staff read), stock-levels/
and stock-movements/ (staff read), stock/receive|adjust|transfer/ (stock managers),
stock-reservations/ and stock/consume/ (whoever works the service request).

Thin: input is checked by explicit serializers, rules by the services, reads by selectors.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales.accounts.api import IsStaffReadOrAdmin
from aftersales.accounts.models import User
from aftersales.api.serializers import CleanCharField, CleanSlugRelatedField, StrictSerializer
from aftersales.catalog.models import Product
from aftersales.parts import access, filters, selectors, services
from aftersales.parts.models import (
    MAX_ON_HAND,
    MAX_QUANTITY,
    Part,
    StockLevel,
    StockMovement,
    StockReservation,
    Warehouse,
)

READ = ("GET", "HEAD", "OPTIONS")


# --- Permissions ---------------------------------------------------------------------------


class IsStaffReader(BasePermission):
    message = gettext_lazy("Only staff may see spare parts and stock.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return access.can_read_stock(request.user)


class CanManageStock(BasePermission):
    message = gettext_lazy("Only administrators, supervisors and warehouse staff may change stock.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return access.can_manage_stock(request.user)


class CanUseStock(BasePermission):
    """Staff read; those who work service requests reserve and use (the request decides)."""

    message = gettext_lazy("You may not reserve or use parts.")

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in READ:
            return access.can_read_stock(request.user)
        return access.may_use_stock(request.user)


# --- Output --------------------------------------------------------------------------------


class PartBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    part_number = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()


class WarehouseBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    kind = serializers.ChoiceField(choices=Warehouse.Kind.choices)


class PartOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    part_number = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    description = serializers.CharField()
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    products = serializers.SerializerMethodField(help_text=_("Ids of the products it fits."))
    serialised = serializers.BooleanField()
    is_active = serializers.BooleanField()

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_products(self, obj: Part) -> list[int]:
        return sorted(product.pk for product in obj.products.all())


class WarehouseOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    kind = serializers.ChoiceField(choices=Warehouse.Kind.choices)
    technician = serializers.CharField(source="technician.username", allow_null=True)
    is_active = serializers.BooleanField()


class StockLevelOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    warehouse = WarehouseBriefSerializer()
    part = PartBriefSerializer()
    on_hand = serializers.IntegerField()
    reserved = serializers.IntegerField()
    available = serializers.IntegerField()
    reorder_level = serializers.IntegerField()
    low = serializers.BooleanField(source="is_low")


class _HidesInvisibleRequests(serializers.Serializer):
    """`service_request` is a number; null when the reader may not see that request. The view
    puts the visible request ids in the context (one query per page)."""

    def to_representation(self, instance: Any) -> Any:
        data = super().to_representation(instance)
        visible = self.context.get("visible_requests", set())
        if instance.service_request_id not in visible:
            data["service_request"] = None
        return data


class StockMovementOutputSerializer(_HidesInvisibleRequests):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=StockMovement.Kind.choices)
    warehouse = WarehouseBriefSerializer()
    part = PartBriefSerializer()
    on_hand_change = serializers.IntegerField()
    reserved_change = serializers.IntegerField()
    counterpart = WarehouseBriefSerializer(
        allow_null=True, help_text=_("The other side of a transfer.")
    )
    service_request = serializers.CharField(source="service_request.number", allow_null=True)
    reservation = serializers.IntegerField(source="reservation_id", allow_null=True)
    by = serializers.CharField(source="by.username", allow_null=True)
    note = serializers.CharField()
    created_at = serializers.DateTimeField()


class StockReservationOutputSerializer(_HidesInvisibleRequests):
    id = serializers.IntegerField()
    warehouse = WarehouseBriefSerializer()
    part = PartBriefSerializer()
    quantity = serializers.IntegerField()
    consumed_quantity = serializers.IntegerField()
    status = serializers.ChoiceField(choices=StockReservation.Status.choices)
    service_request = serializers.CharField(source="service_request.number", allow_null=True)
    reserved_by = serializers.CharField(source="reserved_by.username", allow_null=True)
    created_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)


def _visible(request: Request, rows: Any) -> dict[str, Any]:
    return {
        "visible_requests": selectors.visible_request_ids(
            request.user, (r.service_request_id for r in rows)
        )
    }


# --- Input ---------------------------------------------------------------------------------

_quantity = {"min_value": 1, "max_value": MAX_QUANTITY}


class PartInputSerializer(StrictSerializer):
    part_number = CleanCharField(max_length=50)
    name = CleanCharField(max_length=200)
    name_en = CleanCharField(max_length=200, required=False, allow_blank=True)
    description = CleanCharField(max_length=2000, required=False, allow_blank=True)
    unit_price = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False
    )
    products = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Product.objects.all(), required=False
    )
    serialised = serializers.BooleanField(required=False)
    is_active = serializers.BooleanField(required=False)

    def validate_part_number(self, value: str) -> str:
        others = Part.objects.filter(part_number=value)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise serializers.ValidationError(_("A part with this number exists."))
        return value


class WarehouseInputSerializer(StrictSerializer):
    code = CleanCharField(max_length=30)
    name = CleanCharField(max_length=100)
    name_en = CleanCharField(max_length=100, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=Warehouse.Kind.choices, required=False)
    technician = CleanSlugRelatedField(
        slug_field="username",
        queryset=User.objects.filter(role=User.Role.TECHNICIAN),
        required=False,
        allow_null=True,
        help_text=_("Username of the technician whose van this is (vans only)."),
    )
    is_active = serializers.BooleanField(required=False)

    def validate_code(self, value: str) -> str:
        others = Warehouse.objects.filter(code=value)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise serializers.ValidationError(_("A warehouse with this code exists."))
        return value


def _warehouse_field(**kwargs: Any) -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(queryset=Warehouse.objects.all(), **kwargs)


def _part_field() -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(queryset=Part.objects.all())


def _note_field() -> CleanCharField:
    return CleanCharField(
        max_length=services.NOTE_MAX, required=False, allow_blank=True, default=""
    )


class ReceiveInputSerializer(StrictSerializer):
    warehouse = _warehouse_field()
    part = _part_field()
    quantity = serializers.IntegerField(**_quantity)
    note = _note_field()


class AdjustInputSerializer(StrictSerializer):
    warehouse = _warehouse_field()
    part = _part_field()
    counted = serializers.IntegerField(min_value=0, max_value=MAX_ON_HAND)
    reason = CleanCharField(max_length=services.NOTE_MAX)


class TransferInputSerializer(StrictSerializer):
    source = _warehouse_field()
    destination = _warehouse_field()
    part = _part_field()
    quantity = serializers.IntegerField(**_quantity)
    note = _note_field()


class ReserveInputSerializer(StrictSerializer):
    warehouse = _warehouse_field()
    part = _part_field()
    quantity = serializers.IntegerField(**_quantity)
    service_request = CleanCharField(
        max_length=40, help_text=_("Service number, e.g. SR-20261122-0001")
    )


class ReleaseInputSerializer(StrictSerializer):
    note = _note_field()


class ConsumeInputSerializer(StrictSerializer):
    quantity = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("How many were used; the rest is released. All when left out."),
        **_quantity,
    )
    note = _note_field()


class ConsumeDirectInputSerializer(ReserveInputSerializer):
    note = _note_field()


def _valid(serializer_class: type[StrictSerializer], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


# --- Catalogue -----------------------------------------------------------------------------


class PartViewSet(viewsets.GenericViewSet):
    parser_classes = [JSONParser]
    serializer_class = PartOutputSerializer
    permission_classes = [IsStaffReadOrAdmin]
    filterset_class = filters.PartFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Part]:
        return selectors.part_list().prefetch_related("products")

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(PartOutputSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(PartOutputSerializer(self.get_object()).data)

    @extend_schema(request=PartInputSerializer, responses={201: PartOutputSerializer})
    def create(self, request: Request) -> Response:
        data = _valid(PartInputSerializer, request)
        part = services.part_create(by=request.user, data=data)
        return Response(PartOutputSerializer(part).data, status=201)

    @extend_schema(request=PartInputSerializer, responses=PartOutputSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        part = self.get_object()
        serializer = PartInputSerializer(part, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        part = services.part_update(part, by=request.user, data=dict(serializer.validated_data))
        return Response(PartOutputSerializer(part).data)


class WarehouseViewSet(viewsets.GenericViewSet):
    parser_classes = [JSONParser]
    serializer_class = WarehouseOutputSerializer
    permission_classes = [IsStaffReadOrAdmin]
    filterset_class = filters.WarehouseFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Warehouse]:
        return selectors.warehouse_list()

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(WarehouseOutputSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(WarehouseOutputSerializer(self.get_object()).data)

    @extend_schema(request=WarehouseInputSerializer, responses={201: WarehouseOutputSerializer})
    def create(self, request: Request) -> Response:
        data = _valid(WarehouseInputSerializer, request)
        warehouse = services.warehouse_create(by=request.user, data=data)
        return Response(WarehouseOutputSerializer(warehouse).data, status=201)

    @extend_schema(request=WarehouseInputSerializer, responses=WarehouseOutputSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        warehouse = self.get_object()
        serializer = WarehouseInputSerializer(warehouse, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        warehouse = services.warehouse_update(
            warehouse, by=request.user, data=dict(serializer.validated_data)
        )
        return Response(WarehouseOutputSerializer(warehouse).data)


# --- Stock ---------------------------------------------------------------------------------


class StockLevelViewSet(viewsets.GenericViewSet):
    parser_classes = [JSONParser]
    serializer_class = StockLevelOutputSerializer
    permission_classes = [IsStaffReader]
    filterset_class = filters.StockLevelFilter

    def get_queryset(self) -> QuerySet[StockLevel]:
        return selectors.stock_level_list()

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(StockLevelOutputSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(StockLevelOutputSerializer(self.get_object()).data)


class StockMovementViewSet(viewsets.GenericViewSet):
    parser_classes = [JSONParser]
    serializer_class = StockMovementOutputSerializer
    permission_classes = [IsStaffReader]
    filterset_class = filters.StockMovementFilter

    def get_queryset(self) -> QuerySet[StockMovement]:
        return selectors.movement_list()

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        data = StockMovementOutputSerializer(page, many=True, context=_visible(request, page)).data
        return self.get_paginated_response(data)

    def retrieve(self, request: Request, pk: str) -> Response:
        movement = self.get_object()
        context = _visible(request, [movement])
        return Response(StockMovementOutputSerializer(movement, context=context).data)


class StockReceiveApi(APIView):
    permission_classes = [CanManageStock]
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="stock_receive",
        request=ReceiveInputSerializer,
        responses=StockLevelOutputSerializer,
    )
    def post(self, request: Request) -> Response:
        data = _valid(ReceiveInputSerializer, request)
        level = services.stock_receive(by=request.user, **data)
        return Response(StockLevelOutputSerializer(level).data)


class StockAdjustApi(APIView):
    permission_classes = [CanManageStock]
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="stock_adjust",
        request=AdjustInputSerializer,
        responses=StockLevelOutputSerializer,
    )
    def post(self, request: Request) -> Response:
        data = _valid(AdjustInputSerializer, request)
        level = services.stock_adjust(by=request.user, **data)
        return Response(StockLevelOutputSerializer(level).data)


class StockTransferApi(APIView):
    permission_classes = [CanManageStock]
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="stock_transfer",
        request=TransferInputSerializer,
        responses=inline_serializer(
            "StockTransferOutput",
            {"source": StockLevelOutputSerializer(), "destination": StockLevelOutputSerializer()},
        ),
    )
    def post(self, request: Request) -> Response:
        data = _valid(TransferInputSerializer, request)
        source, destination = services.stock_transfer(by=request.user, **data)
        return Response(
            {
                "source": StockLevelOutputSerializer(source).data,
                "destination": StockLevelOutputSerializer(destination).data,
            }
        )


class StockConsumeDirectApi(APIView):
    permission_classes = [CanUseStock]
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="stock_consume",
        request=ConsumeDirectInputSerializer,
        responses={201: StockMovementOutputSerializer},
    )
    def post(self, request: Request) -> Response:
        data = _valid(ConsumeDirectInputSerializer, request)
        data["service_request"] = selectors.service_request_for_stock(
            request.user, data["service_request"]
        )
        movement = services.stock_consume_direct(by=request.user, **data)
        context = _visible(request, [movement])
        return Response(StockMovementOutputSerializer(movement, context=context).data, status=201)


class StockReservationViewSet(viewsets.GenericViewSet):
    parser_classes = [JSONParser]
    serializer_class = StockReservationOutputSerializer
    permission_classes = [CanUseStock]
    filterset_class = filters.StockReservationFilter
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[StockReservation]:
        return selectors.reservation_list_for_user(self.request.user)

    def get_object(self) -> StockReservation:
        try:
            pk = int(self.kwargs["pk"])
        except ValueError:
            raise Http404("No such reservation.") from None
        return selectors.reservation_get_for_user(self.request.user, pk)

    def _output(self, reservation: StockReservation, *, status: int = 200) -> Response:
        # Listed reservations are those of visible requests, so the number is always shown.
        context = {"visible_requests": {reservation.service_request_id}}
        return Response(
            StockReservationOutputSerializer(reservation, context=context).data, status=status
        )

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        context = {"visible_requests": {r.service_request_id for r in page}}
        data = StockReservationOutputSerializer(page, many=True, context=context).data
        return self.get_paginated_response(data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return self._output(self.get_object())

    @extend_schema(
        request=ReserveInputSerializer, responses={201: StockReservationOutputSerializer}
    )
    def create(self, request: Request) -> Response:
        data = _valid(ReserveInputSerializer, request)
        data["service_request"] = selectors.service_request_for_stock(
            request.user, data["service_request"]
        )
        reservation = services.stock_reserve(by=request.user, **data)
        return self._output(reservation, status=201)

    @extend_schema(request=ReleaseInputSerializer, responses=StockReservationOutputSerializer)
    @action(detail=True, methods=["post"])
    def release(self, request: Request, pk: str) -> Response:
        reservation = self.get_object()
        data = _valid(ReleaseInputSerializer, request)
        return self._output(services.stock_release(reservation, by=request.user, **data))

    @extend_schema(request=ConsumeInputSerializer, responses=StockReservationOutputSerializer)
    @action(detail=True, methods=["post"])
    def consume(self, request: Request, pk: str) -> Response:
        reservation = self.get_object()
        data = _valid(ConsumeInputSerializer, request)
        return self._output(services.stock_consume(reservation, by=request.user, **data))
