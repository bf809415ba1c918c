"""The questions are configuration, kept by admins (a question with answers is made
inactive, not deleted). Invitations and answers are records: read-only."""

from django.contrib import admin

from aftersales.surveys.models import Invitation, Question, Response


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["code", "kind", "order", "required", "is_active", "text_zh_hans"]
    list_editable = ["order", "is_active"]
    list_filter = ["kind", "is_active"]


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Invitation)
class InvitationAdmin(_ReadOnly):
    list_display = ["request", "channel", "created_at", "expires_at", "used_at"]
    list_filter = ["channel"]
    list_select_related = ["request"]
    search_fields = ["request__number"]
    exclude = ["recipient"]


@admin.register(Response)
class ResponseAdmin(_ReadOnly):
    list_display = ["request", "source", "team", "answered_at"]
    list_filter = ["source", "team"]
    list_select_related = ["request", "team"]
    search_fields = ["request__number"]
