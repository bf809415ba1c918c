from django.contrib import admin

from aftersales.repair_records.models import Confirmation, PartUsed, RepairRecord


class PartUsedInline(admin.TabularInline):
    model = PartUsed
    extra = 0
    can_delete = False
    # Lines are written with their stock movement by the services; the admin only reads.
    readonly_fields = [f.name for f in PartUsed._meta.fields]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(RepairRecord)
class RepairRecordAdmin(admin.ModelAdmin):
    list_display = ["id", "request", "started_at", "labour_minutes", "test_outcome", "is_repeat"]
    list_filter = ["test_outcome", "is_repeat"]
    search_fields = ["request__number", "work_done"]
    raw_id_fields = ["request", "written_by"]
    readonly_fields = ["visit_round", "is_repeat", "version", "photos", "technicians"]
    inlines = [PartUsedInline]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(Confirmation)
class ConfirmationAdmin(admin.ModelAdmin):
    list_display = ["request", "round", "satisfied", "method", "answered_at"]
    list_filter = ["satisfied", "method"]
    search_fields = ["request__number"]
    readonly_fields = [f.name for f in Confirmation._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
