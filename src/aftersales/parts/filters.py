"""List filters of the parts API."""

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import Product
from aftersales.core.text import validate_clean_text
from aftersales.parts import selectors
from aftersales.parts.models import Part, StockLevel, StockMovement, StockReservation, Warehouse
from aftersales.service_requests import access as request_access
from aftersales.service_requests import numbering


def _number_filter(label: str) -> django_filters.CharFilter:
    return django_filters.CharFilter(
        method="filter_service_request",
        label=label,
        max_length=40,
        validators=[validate_clean_text],
    )


class PartFilter(django_filters.FilterSet):
    product = django_filters.ModelChoiceFilter(
        field_name="products", queryset=Product.objects.all(), label=_("Fits product (id)")
    )
    search = django_filters.CharFilter(
        method="filter_search",
        label=_("Part number or name contains"),
        max_length=100,
        validators=[validate_clean_text],
    )
    active = django_filters.BooleanFilter(field_name="is_active", label=_("Active"))

    class Meta:
        model = Part
        fields: list[str] = []

    def filter_search(self, queryset: QuerySet[Part], name: str, value: str) -> QuerySet[Part]:
        return queryset.filter(selectors.part_search_filter(value)) if value.strip() else queryset


class WarehouseFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Warehouse.Kind.choices, label=_("Kind"))
    technician = django_filters.CharFilter(
        field_name="technician__username",
        label=_("Technician (username)"),
        max_length=150,
        validators=[validate_clean_text],
    )
    active = django_filters.BooleanFilter(field_name="is_active", label=_("Active"))

    class Meta:
        model = Warehouse
        fields: list[str] = []


class StockLevelFilter(django_filters.FilterSet):
    warehouse = django_filters.ModelChoiceFilter(
        queryset=Warehouse.objects.all(), label=_("Warehouse (id)")
    )
    part = django_filters.ModelChoiceFilter(queryset=Part.objects.all(), label=_("Part (id)"))
    low = django_filters.BooleanFilter(
        method="filter_low", label=_("Available at or below the reorder level")
    )

    class Meta:
        model = StockLevel
        fields: list[str] = []

    def filter_low(
        self, queryset: QuerySet[StockLevel], name: str, value: bool | None
    ) -> QuerySet[StockLevel]:
        if value is None:
            return queryset
        low = selectors.low_stock_filter()
        return queryset.filter(low) if value else queryset.exclude(low)


class _ByServiceRequest(django_filters.FilterSet):
    def filter_service_request(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if not value.strip():
            return queryset
        # Only requests the caller may see: a number they cannot see matches nothing, so the
        # filter cannot tell whether such a request exists.
        visible = request_access.visible_to(self.request.user).filter(
            number=numbering.normalise_number(value)
        )
        return queryset.filter(service_request__in=visible.values("pk"))


class StockMovementFilter(_ByServiceRequest):
    warehouse = django_filters.ModelChoiceFilter(
        queryset=Warehouse.objects.all(), label=_("Warehouse (id)")
    )
    part = django_filters.ModelChoiceFilter(queryset=Part.objects.all(), label=_("Part (id)"))
    kind = django_filters.ChoiceFilter(choices=StockMovement.Kind.choices, label=_("Kind"))
    service_request = _number_filter(_("Service number"))

    class Meta:
        model = StockMovement
        fields: list[str] = []


class StockReservationFilter(_ByServiceRequest):
    warehouse = django_filters.ModelChoiceFilter(
        queryset=Warehouse.objects.all(), label=_("Warehouse (id)")
    )
    part = django_filters.ModelChoiceFilter(queryset=Part.objects.all(), label=_("Part (id)"))
    status = django_filters.ChoiceFilter(choices=StockReservation.Status.choices, label=_("Status"))
    service_request = _number_filter(_("Service number"))

    class Meta:
        model = StockReservation
        fields: list[str] = []
