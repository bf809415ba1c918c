from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from aftersales.service_requests.models import Category, Kind, Priority
from aftersales.sla import services
from aftersales.sla.models import (
    TARGETS,
    Calendar,
    CalendarException,
    CalendarPeriod,
    EscalationRule,
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


def _checkboxes(label: object, choices: object) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, choices=choices, required=False, widget=forms.CheckboxSelectMultiple
    )


class EscalationRuleForm(forms.ModelForm):
    # Tick boxes instead of raw JSON: only known values can be chosen; none ticked = any.
    targets = _checkboxes(EscalationRule._meta.get_field("targets").verbose_name, TARGETS)
    priorities = _checkboxes(
        EscalationRule._meta.get_field("priorities").verbose_name, Priority.choices
    )
    kinds = _checkboxes(EscalationRule._meta.get_field("kinds").verbose_name, Kind.choices)
    categories = _checkboxes(
        EscalationRule._meta.get_field("categories").verbose_name, Category.choices
    )

    class Meta:
        model = EscalationRule
        fields = [
            "name",
            "name_en",
            "order",
            "is_active",
            "targets",
            "priorities",
            "kinds",
            "categories",
            "teams",
            "raise_priority",
            "reassign",
            "reassign_team",
        ]


@admin.register(EscalationRule)
class EscalationRuleAdmin(admin.ModelAdmin):
    form = EscalationRuleForm
    list_display = [
        "name",
        "name_en",
        "order",
        "is_active",
        "raise_priority",
        "reassign",
        "reassign_team",
    ]
    list_editable = ["order", "is_active"]
    list_filter = ["is_active", "reassign"]
    filter_horizontal = ["teams"]
    fieldsets = [
        (None, {"fields": ["name", "name_en", "order", "is_active"]}),
        (
            _("Conditions (none chosen = any)"),
            {"fields": ["targets", "priorities", "kinds", "categories", "teams"]},
        ),
        (_("Actions"), {"fields": ["raise_priority", "reassign", "reassign_team"]}),
    ]
