from django.contrib import admin

from aftersales.notices.models import MessageTemplate


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    """Listed here for an overview; texts are changed on the console's "Customer messages"
    page, which checks them and shows a preview."""

    list_display = ["event", "channel", "language", "subject", "updated_at", "updated_by"]
    list_filter = ["event", "channel", "language"]
    readonly_fields = ["event", "channel", "language", "subject", "body", "updated_by"]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
