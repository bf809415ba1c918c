"""Return policies are configuration, kept here by admins. Authorisations change only through
the services (history, mail and the request's lifecycle go with them), so they are read-only."""

from django.contrib import admin

from aftersales.returns.models import ReturnAuthorisation, ReturnPolicy


@admin.register(ReturnPolicy)
class ReturnPolicyAdmin(admin.ModelAdmin):
    list_display = ["product", "return_days", "replacement_days"]
    list_select_related = ["product"]
    search_fields = ["product__model", "product__name"]
    autocomplete_fields = ["product"]


@admin.register(ReturnAuthorisation)
class ReturnAuthorisationAdmin(admin.ModelAdmin):
    list_display = ["number", "request", "unit", "decision", "status", "authorised_at"]
    list_filter = ["status", "decision"]
    list_select_related = ["request", "unit"]
    search_fields = ["number", "request__number", "unit__serial_number"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
