from django.contrib import admin

from aftersales.sla import services
from aftersales.sla.models import (
    Calendar,
    CalendarException,
    CalendarPeriod,
    HolidayYear,
    SlaPolicy,
    SlaTarget,
)


class PeriodInline(admin.TabularInline):
    model = CalendarPeriod
    extra = 0


class ExceptionInline(admin.TabularInline):
    model = CalendarException
    extra = 0
    fields = ["date", "working", "name", "periods", "source"]
    readonly_fields = ["source"]


class HolidayYearInline(admin.TabularInline):
    model = HolidayYear
    extra = 0


@admin.register(Calendar)
class CalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "time_zone", "always_open", "holiday_region", "revision"]
    inlines = [PeriodInline, ExceptionInline, HolidayYearInline]

    def save_related(self, request, form, formsets, change):  # type: ignore[no-untyped-def]
        super().save_related(request, form, formsets, change)
        services.calendar_touch(form.instance)


class TargetInline(admin.TabularInline):
    model = SlaTarget
    extra = 0


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "order", "is_active", "warning_percent"]
    list_editable = ["order", "is_active"]
    inlines = [TargetInline]
    filter_horizontal = ["customers"]

    def save_related(self, request, form, formsets, change):  # type: ignore[no-untyped-def]
        super().save_related(request, form, formsets, change)
        services.policies_touch()
