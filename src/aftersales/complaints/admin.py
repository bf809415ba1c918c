"""Complaints in the admin: read-only. Every change goes through the services (the pages and
the API); an agreement is kept as signed."""

from typing import Any

from django.contrib import admin

from aftersales.complaints.models import Agreement, Complaint, Contact, Proposal, RemedyLine


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    can_delete = False
    readonly_fields = ["method", "contacted_at", "contacted_by", "facts"]

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class RemedyLineInline(admin.TabularInline):
    model = RemedyLine
    extra = 0
    can_delete = False
    readonly_fields = [
        "kind",
        "description",
        "part",
        "product",
        "quantity",
        "unit_value",
        "amount",
        "task",
    ]

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Complaint)
class ComplaintAdmin(_ReadOnly):
    list_display = [
        "request",
        "stage",
        "founded",
        "fault",
        "recorded_by",
        "recorded_at",
        "agreed_at",
    ]
    list_filter = ["stage", "founded", "fault", "severity"]
    search_fields = ["request__number", "complainant", "subject"]
    inlines = [ContactInline]


@admin.register(Proposal)
class ProposalAdmin(_ReadOnly):
    list_display = ["__str__", "status", "proposed_by", "decided_by", "offered_at", "answered_at"]
    list_filter = ["status"]
    inlines = [RemedyLineInline]


@admin.register(Agreement)
class AgreementAdmin(_ReadOnly):
    list_display = ["proposal", "method", "signer_name", "signed_at", "ip_address"]
    exclude = ["signature_png"]
