"""The catalogue and warehouses are edited here; stock only changes through the services,
so levels, reservations and the ledger are read-only (a level's reorder level aside)."""

from django.contrib import admin

from aftersales.parts import services
from aftersales.parts.models import Part, StockLevel, StockMovement, StockReservation, Warehouse


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Part)
class PartAdmin(admin.ModelAdmin):
    list_display = ["part_number", "name", "name_en", "unit_price", "serialised", "is_active"]
    list_filter = ["is_active", "serialised", "products"]
    search_fields = ["part_number", "name", "name_en"]
    filter_horizontal = ["products"]


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "kind", "technician", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name", "name_en", "technician__username"]
    list_select_related = ["technician"]


@admin.register(StockLevel)
class StockLevelAdmin(admin.ModelAdmin):
    list_display = ["warehouse", "part", "on_hand", "reserved", "available", "reorder_level"]
    list_filter = ["warehouse"]
    search_fields = ["part__part_number", "part__name", "warehouse__code"]
    list_select_related = ["warehouse", "part"]
    fields = ["warehouse", "part", "on_hand", "reserved", "reorder_level"]
    readonly_fields = ["warehouse", "part", "on_hand", "reserved"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        # Saving the whole row would write back the on-hand figure read when the form was
        # opened, undoing whatever moved since; only the reorder level is written.
        services.stock_set_reorder_level(
            warehouse=obj.warehouse, part=obj.part, reorder_level=obj.reorder_level, by=request.user
        )


@admin.register(StockReservation)
class StockReservationAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "service_request",
        "part",
        "warehouse",
        "quantity",
        "consumed_quantity",
        "status",
        "reserved_by",
    ]
    list_filter = ["status", "warehouse"]
    search_fields = ["service_request__number", "part__part_number"]
    list_select_related = ["service_request", "part", "warehouse", "reserved_by"]


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "kind",
        "warehouse",
        "part",
        "on_hand_change",
        "reserved_change",
        "service_request",
        "by",
    ]
    list_filter = ["kind", "warehouse"]
    search_fields = ["part__part_number", "service_request__number", "note"]
    list_select_related = ["warehouse", "part", "service_request", "by"]
