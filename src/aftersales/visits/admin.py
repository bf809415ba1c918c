"""Teams' working hours and leave are edited here; visits change only through the services
(booking, moving, the technician's steps), so they are read-only."""

from django.contrib import admin

from aftersales.visits.models import Leave, TeamSchedule, Visit, VisitTechnician


@admin.register(TeamSchedule)
class TeamScheduleAdmin(admin.ModelAdmin):
    list_display = ["team", "calendar"]
    list_select_related = ["team", "calendar"]


@admin.register(Leave)
class LeaveAdmin(admin.ModelAdmin):
    list_display = ["technician", "start", "end", "reason", "created_by"]
    list_filter = ["technician"]
    search_fields = ["technician__username", "reason"]
    list_select_related = ["technician", "created_by"]
    readonly_fields = ["created_by"]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class VisitTechnicianInline(admin.TabularInline):
    model = VisitTechnician
    fields = ["technician", "window_start", "window_end", "active"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ["id", "service_request", "window_start", "window_end", "status"]
    list_filter = ["status"]
    search_fields = ["service_request__number", "address"]
    list_select_related = ["service_request"]
    inlines = [VisitTechnicianInline]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
