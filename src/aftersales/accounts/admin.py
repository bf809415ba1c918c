from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Team, User


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "kind", "supervisor", "assignment_strategy"]
    list_filter = ["kind", "assignment_strategy"]
    search_fields = ["name", "name_en"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "is_active"]
    list_filter = ["role", "is_active", "teams"]
    filter_horizontal = ["teams", "groups", "user_permissions"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (
            _("Service desk"),
            {"fields": ("role", "teams", "customer", "phone", "language", "time_zone")},
        ),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Service desk"), {"fields": ("role", "teams", "customer")}),
    )
    autocomplete_fields = ["customer"]
