"""Call scripts are configuration, kept here by admins. Follow-ups change only through the
services (history, tasks and the request's lifecycle go with them), so they are read-only."""

from django.contrib import admin

from aftersales.followups.models import CallScript, FollowUp


@admin.register(CallScript)
class CallScriptAdmin(admin.ModelAdmin):
    list_display = ["language", "updated_at"]


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ["request", "round", "method", "status", "due_at", "attempts", "finished_at"]
    list_filter = ["status", "method"]
    list_select_related = ["request"]
    search_fields = ["request__number"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
