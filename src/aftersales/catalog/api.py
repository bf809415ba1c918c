"""The product catalogue and sold units."""

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers, viewsets
from rest_framework.validators import UniqueValidator

from aftersales.api.serializers import CleanCharField
from aftersales.catalog.models import Product, Unit
from aftersales.customers.api import DirectoryPermission
from aftersales.service_requests import access


class ProductSerializer(serializers.ModelSerializer):
    model = CleanCharField(
        max_length=100,
        validators=[
            UniqueValidator(Product.objects.all(), message=_("A product with this model exists."))
        ],
    )
    name = CleanCharField(max_length=200)
    name_en = CleanCharField(max_length=200, required=False, allow_blank=True)
    category = CleanCharField(max_length=100, required=False, allow_blank=True)

    class Meta:
        model = Product
        fields = ["id", "model", "name", "name_en", "category", "warranty_months", "is_active"]
        extra_kwargs = {"warranty_months": {"max_value": 240}}


class ProductViewSet(viewsets.ModelViewSet):
    queryset = Product.objects.order_by("model")
    serializer_class = ProductSerializer
    permission_classes = [DirectoryPermission]
    filterset_fields = ["category", "is_active"]
    http_method_names = ["get", "post", "patch", "head", "options"]


class UnitSerializer(serializers.ModelSerializer):
    serial_number = CleanCharField(
        max_length=100,
        validators=[
            UniqueValidator(Unit.objects.all(), message=_("A unit with this serial number exists."))
        ],
    )
    batch_number = CleanCharField(max_length=100, required=False, allow_blank=True)
    warranty_end = serializers.DateField(read_only=True)
    in_warranty = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()

    class Meta:
        model = Unit
        fields = [
            "id",
            "product",
            "customer",
            "serial_number",
            "batch_number",
            "production_date",
            "purchase_date",
            "purchase_channel",
            "warranty_end_override",
            "warranty_end",
            "in_warranty",
            "history",
        ]

    def get_history(self, obj: Unit) -> str:
        """Path of the unit's service history: every request about it that you may see."""
        return reverse("api:unit-history", kwargs={"unit_id": obj.pk})

    def get_in_warranty(self, obj: Unit) -> bool | None:
        if obj.warranty_end is None:
            return None
        return obj.in_warranty_on(timezone.localdate())

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        production = attrs.get("production_date", getattr(self.instance, "production_date", None))
        purchase = attrs.get("purchase_date", getattr(self.instance, "purchase_date", None))
        if production and purchase and purchase < production:
            raise serializers.ValidationError(
                {"purchase_date": [_("The purchase date is before the production date.")]}
            )
        return attrs


class UnitViewSet(viewsets.ModelViewSet):
    serializer_class = UnitSerializer
    permission_classes = [DirectoryPermission]
    filterset_fields = ["product", "customer", "batch_number", "serial_number"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Unit]:
        return access.units_visible_to(self.request.user).select_related("product").order_by("id")
