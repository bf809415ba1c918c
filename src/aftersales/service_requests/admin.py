"""Configuration in the admin; requests themselves change only through the services."""

from django.contrib import admin

from aftersales.service_requests.models import PriorityRule, ServiceRequest, ServiceRequestEvent


@admin.register(PriorityRule)
class PriorityRuleAdmin(admin.ModelAdmin):
    list_display = ["impact", "urgency", "priority"]
    list_editable = ["priority"]
    list_display_links = None
    ordering = ["impact", "urgency"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return PriorityRule.objects.count() < 9

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class EventInline(admin.TabularInline):
    model = ServiceRequestEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "kind", "action", "actor", "from_status", "to_status", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(ServiceRequest)
class ServiceRequestAdmin(admin.ModelAdmin):
    """Read-only: a request's state changes only through its lifecycle actions."""

    list_display = [
        "number",
        "title",
        "status",
        "priority",
        "kind",
        "category",
        "channel",
        "received_at",
    ]
    list_filter = ["status", "priority", "kind", "category", "channel"]
    search_fields = ["number", "title"]
    inlines = [EventInline]
    list_select_related = ["customer"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
