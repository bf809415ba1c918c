"""Mailboxes are configuration kept by administrators (the password stays in the
environment). Incoming messages are read-only: the list shows what became of each, with the
reason; "retry" sends quarantined or held ones through again; the raw message downloads as
an .eml attachment."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from aftersales.core.errors import DomainError
from aftersales.mailin import services
from aftersales.mailin.models import InboundMessage, Mailbox


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "host",
        "folder",
        "active",
        "last_success_at",
        "consecutive_failures",
        "last_error",
    ]
    list_filter = ["active"]
    fields = [
        "name",
        "host",
        "port",
        "security",
        "username",
        "password_env",
        "folder",
        "active",
        "last_uidvalidity",
        "last_success_at",
        "last_attempt_at",
        "consecutive_failures",
        "next_poll_at",
        "last_error",
    ]
    readonly_fields = [
        "last_uidvalidity",
        "last_success_at",
        "last_attempt_at",
        "consecutive_failures",
        "next_poll_at",
        "last_error",
    ]
    actions = ["fetch_now"]

    @admin.action(description=_("Fetch the selected mailboxes now"))
    def fetch_now(self, request: HttpRequest, queryset: QuerySet[Mailbox]) -> None:
        for mailbox in queryset:
            stored = services.mailbox_poll(mailbox, force=True)
            mailbox.refresh_from_db()
            if mailbox.consecutive_failures:
                self.message_user(request, f"{mailbox}: {mailbox.last_error}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("%(mailbox)s: %(count)d new message(s).")
                    % {"mailbox": mailbox, "count": stored},
                    messages.SUCCESS,
                )


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = [
        "received_at",
        "mailbox",
        "from_address",
        "subject",
        "status",
        "reason",
        "request",
        "acknowledged",
    ]
    list_filter = ["status", "mailbox", "source"]
    list_select_related = ["mailbox", "request"]
    search_fields = ["from_address", "subject", "message_id", "request__number", "sha256"]
    exclude = ["raw"]
    actions = ["retry", "open_as_request"]

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        return [f.name for f in self.model._meta.fields if f.name != "raw"] + ["raw_download"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description=_("raw message"))
    def raw_download(self, obj: InboundMessage) -> str:
        url = reverse("admin:mailin_inboundmessage_raw", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download (.eml)"))

    def get_urls(self):  # type: ignore[no-untyped-def]
        own = [
            path(
                "<int:pk>/raw/",
                self.admin_site.admin_view(self.raw_view),
                name="mailin_inboundmessage_raw",
            )
        ]
        return own + super().get_urls()

    def raw_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        message = get_object_or_404(InboundMessage, pk=pk)
        response = HttpResponse(bytes(message.raw), content_type="application/octet-stream")
        response["Content-Disposition"] = f'attachment; filename="message-{message.pk}.eml"'
        response["X-Content-Type-Options"] = "nosniff"
        return response

    @admin.action(description=_("Retry the selected quarantined or held messages"))
    def retry(self, request: HttpRequest, queryset: QuerySet[InboundMessage]) -> None:
        done = 0
        for message in queryset:
            try:
                services.message_retry(message, by=request.user)
            except DomainError as exc:
                self.message_user(request, f"#{message.pk}: {exc.message}", messages.WARNING)
                continue
            done += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d message was sent through again.",
                "%(count)d messages were sent through again.",
                done,
            )
            % {"count": done},
            messages.SUCCESS,
        )

    @admin.action(description=_("Open a new request from each selected held message"))
    def open_as_request(self, request: HttpRequest, queryset: QuerySet[InboundMessage]) -> None:
        for message in queryset:
            try:
                done = services.message_open_as_request(message, by=request.user)
            except DomainError as exc:
                self.message_user(request, f"#{message.pk}: {exc.message}", messages.WARNING)
                continue
            if done.request_id and done.status == InboundMessage.Status.PROCESSED:
                self.message_user(
                    request, f"#{message.pk}: {done.request.number}", messages.SUCCESS
                )
            else:
                self.message_user(request, f"#{message.pk}: {done.reason}", messages.WARNING)
