"""List filters of problem records (the API's and the list page's)."""

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Team
from aftersales.catalog.models import Product
from aftersales.core.text import validate_clean_text
from aftersales.quality.models import ACTIVE, ProblemRecord, Source, Status
from aftersales.service_requests.numbering import normalise_number


class ProblemFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, label=_("Status"))
    active = django_filters.BooleanFilter(method="filter_active", label=_("Active"))
    # Model choices: an unknown or out-of-range id is a 400 naming the field.
    team = django_filters.ModelChoiceFilter(
        queryset=Team.objects.all(), label=_("Owner department")
    )
    product = django_filters.ModelChoiceFilter(
        queryset=Product.objects.all(), field_name="products", label=_("Product model")
    )
    batch = django_filters.CharFilter(
        field_name="batches__batch_number",
        label=_("Batch number"),
        max_length=100,
        validators=[validate_clean_text],
    )
    service_request = django_filters.CharFilter(
        method="filter_request",
        label=_("Service number"),
        max_length=40,
        validators=[validate_clean_text],
    )
    source = django_filters.ChoiceFilter(choices=Source.choices, label=_("Opened from"))
    search = django_filters.CharFilter(
        method="filter_search",
        label=_("Search"),
        max_length=200,
        validators=[validate_clean_text],
    )

    class Meta:
        model = ProblemRecord
        fields: list[str] = []

    def filter_active(
        self, queryset: QuerySet[ProblemRecord], name: str, value: bool | None
    ) -> QuerySet[ProblemRecord]:
        if value is None:
            return queryset
        return queryset.filter(status__in=ACTIVE) if value else queryset.exclude(status__in=ACTIVE)

    def filter_request(
        self, queryset: QuerySet[ProblemRecord], name: str, value: str
    ) -> QuerySet[ProblemRecord]:
        if not value.strip():
            return queryset
        return queryset.filter(links__request__number=normalise_number(value)).distinct()

    def filter_search(
        self, queryset: QuerySet[ProblemRecord], name: str, value: str
    ) -> QuerySet[ProblemRecord]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__iexact=normalise_number(value))
            | Q(title__icontains=value)
            | Q(symptom__icontains=value)
            | Q(root_cause__icontains=value)
        )
