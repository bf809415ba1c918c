from django.contrib import admin

from aftersales.dispatch.models import RoutingRule, TechnicianProfile


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "order", "is_active", "team"]
    list_editable = ["order", "is_active"]
    list_filter = ["is_active", "team"]


@admin.register(TechnicianProfile)
class TechnicianProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "capacity", "available"]
    list_filter = ["available"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]
