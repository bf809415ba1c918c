from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from aftersales.core.errors import DomainError
from aftersales.webhooks import services
from aftersales.webhooks.models import WebhookDelivery, WebhookSubscription


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["name", "url", "is_active", "allow_private", "created_at"]
    list_filter = ["is_active", "allow_private"]
    search_fields = ["name", "url"]
    readonly_fields = ["created_by", "created_at", "updated_at"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    actions = ["send_test"]

    @admin.action(description=_("Send a test event to the selected webhooks"))
    def send_test(self, request: HttpRequest, queryset: QuerySet[WebhookSubscription]) -> None:
        for subscription in queryset:
            try:
                delivery = services.subscription_ping(subscription, by=request.user)
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                return
            services.delivery_deliver(delivery.pk)
            delivery.refresh_from_db()
            if delivery.status == WebhookDelivery.Status.DELIVERED:
                self.message_user(
                    request,
                    _("%(name)s: the test event was delivered (HTTP %(code)s).")
                    % {"name": subscription.name, "code": delivery.last_status_code},
                )
            else:
                self.message_user(
                    request,
                    _("%(name)s: the test event was not delivered: %(error)s")
                    % {"name": subscription.name, "error": delivery.last_error},
                    messages.ERROR,
                )

    def save_model(self, request: HttpRequest, obj: WebhookSubscription, form, change) -> None:  # type: ignore[no-untyped-def]
        if not change:
            obj.created_by = request.user
        obj.save()

    def get_form(self, request, obj=None, change=False, **kwargs):  # type: ignore[no-untyped-def]
        form = super().get_form(request, obj, change=change, **kwargs)
        original_clean = form.clean

        def clean(form_self):  # type: ignore[no-untyped-def]
            data = original_clean(form_self)
            candidate = WebhookSubscription(
                name=data.get("name") or "",
                url=data.get("url") or "",
                events=data.get("events") or [],
                allow_private=bool(data.get("allow_private")),
            )
            try:
                services.subscription_check(candidate)
            except DomainError as exc:
                for field, errors in exc.fields.items():
                    form_self.add_error(field if field in form_self.fields else None, errors)
            return data

        form.clean = clean
        return form


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "subscription",
        "event",
        "status",
        "attempts",
        "last_status_code",
        "delivered_at",
    ]
    list_filter = ["status", "event", "subscription"]
    search_fields = ["event_key", "delivery_id"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    actions = ["retry"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    @admin.action(description=_("Send the selected failed deliveries again"))
    def retry(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        count = 0
        for delivery in queryset:
            try:
                count += services.delivery_retry(delivery, by=None)
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
        self.message_user(
            request,
            ngettext(
                "%(count)d delivery will be sent again.",
                "%(count)d deliveries will be sent again.",
                count,
            )
            % {"count": count},
        )
