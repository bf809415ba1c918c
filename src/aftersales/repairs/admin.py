"""Approval rules are configuration, kept here by admins. Diagnoses and plans change only
through the services (history, stock and the request's lifecycle go with them), so they
are read-only here."""

from django.contrib import admin

from aftersales.repairs.models import ApprovalRule, Diagnosis, SolutionPlan


@admin.register(ApprovalRule)
class ApprovalRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "condition", "threshold", "is_active"]
    list_filter = ["condition", "is_active"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Diagnosis)
class DiagnosisAdmin(ReadOnlyAdmin):
    list_display = ["request", "version", "severity", "handling", "expected_minutes", "created_at"]
    list_select_related = ["request"]
    search_fields = ["request__number"]


@admin.register(SolutionPlan)
class SolutionPlanAdmin(ReadOnlyAdmin):
    list_display = ["request", "number", "status", "warranty", "total", "currency", "submitted_at"]
    list_filter = ["status", "warranty"]
    list_select_related = ["request"]
    search_fields = ["request__number"]
