"""Filters of the repair records export (API)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from aftersales.repair_records.models import RepairRecord


class RepairRecordFilter(django_filters.FilterSet):
    number = django_filters.CharFilter(
        field_name="request__number", max_length=40, label=_("Service number")
    )
    started_from = django_filters.IsoDateTimeFilter(
        field_name="started_at", lookup_expr="gte", label=_("Started from")
    )
    started_to = django_filters.IsoDateTimeFilter(
        field_name="started_at", lookup_expr="lt", label=_("Started before")
    )
    test_outcome = django_filters.ChoiceFilter(
        choices=RepairRecord.TestOutcome.choices, label=_("Test outcome")
    )
    repeat = django_filters.BooleanFilter(field_name="is_repeat", label=_("Repeat repairs"))

    class Meta:
        model = RepairRecord
        fields: list[str] = []
