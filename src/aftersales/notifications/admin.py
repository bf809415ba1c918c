from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from aftersales.notifications import services
from aftersales.notifications.models import OutboxAttachment, OutboxMessage


class OutboxAttachmentInline(admin.TabularInline):
    """What files went with the mail (the files themselves are private)."""

    model = OutboxAttachment
    fields = ["filename", "content_type", "size"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Read-only: messages are written by the product; an administrator only sends a
    failed one again (after fixing the mail settings or the address)."""

    list_display = ["created_at", "to_address", "subject", "reference", "status", "attempts"]
    list_filter = ["status", "channel"]
    search_fields = ["to_address", "subject", "reference", "message_id"]
    readonly_fields = [
        "key",
        "channel",
        "recipient",
        "to_address",
        "subject",
        "body",
        "message_id",
        "reference",
        "status",
        "attempts",
        "next_attempt_at",
        "claimed_until",
        "last_error",
        "sent_at",
        "created_at",
    ]
    inlines = [OutboxAttachmentInline]
    actions = ["send_again"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.action(description=_("Send the selected failed messages again"))
    def send_again(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        count = sum(services.outbox_retry(message) for message in queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d message will be sent again.",
                "%(count)d messages will be sent again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
