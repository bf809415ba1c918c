"""List filters of the visits API."""

import datetime

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from aftersales.core.text import validate_clean_text
from aftersales.service_requests import access as request_access
from aftersales.service_requests import numbering
from aftersales.visits import selectors
from aftersales.visits.models import Leave, Visit, VisitTechnician

# A date filter far outside this range is a typing error, and would overflow at year 9999.
FIRST_DAY = datetime.date(2000, 1, 1)
LAST_DAY = datetime.date(2100, 12, 31)


def _in_range(day: datetime.date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


class VisitFilter(django_filters.FilterSet):
    technician = django_filters.CharFilter(
        method="filter_technician",
        label=_("Technician (username)"),
        max_length=150,
        validators=[validate_clean_text],
    )
    date = django_filters.DateFilter(
        method="filter_date", label=_("Day the window touches (your time zone), YYYY-MM-DD")
    )
    status = django_filters.MultipleChoiceFilter(choices=Visit.Status.choices, label=_("Status"))
    service_request = django_filters.CharFilter(
        method="filter_service_request",
        label=_("Service number"),
        max_length=40,
        validators=[validate_clean_text],
    )

    class Meta:
        model = Visit
        fields: list[str] = []

    def filter_technician(self, queryset: QuerySet[Visit], name: str, value: str) -> QuerySet:
        if not value.strip():
            return queryset
        booked = VisitTechnician.objects.filter(technician__username=value.strip())
        return queryset.filter(pk__in=booked.values("visit_id"))

    def filter_date(self, queryset: QuerySet[Visit], name: str, value: datetime.date) -> QuerySet:
        if value is None:
            return queryset
        if not _in_range(value):
            return queryset.none()
        start, end = selectors.local_day(value)
        return queryset.filter(window_start__lt=end, window_end__gt=start)

    def filter_service_request(self, queryset: QuerySet[Visit], name: str, value: str) -> QuerySet:
        if not value.strip():
            return queryset
        # Only requests the caller may see: a number they cannot see matches nothing.
        visible = request_access.visible_to(self.request.user).filter(
            number=numbering.normalise_number(value)
        )
        return queryset.filter(service_request__in=visible.values("pk"))


class LeaveFilter(django_filters.FilterSet):
    technician = django_filters.CharFilter(
        field_name="technician__username",
        label=_("Technician (username)"),
        max_length=150,
        validators=[validate_clean_text],
    )
    date = django_filters.DateFilter(method="filter_date", label=_("Day the leave touches"))

    class Meta:
        model = Leave
        fields: list[str] = []

    def filter_date(self, queryset: QuerySet[Leave], name: str, value: datetime.date) -> QuerySet:
        if value is None:
            return queryset
        if not _in_range(value):
            return queryset.none()
        start, end = selectors.local_day(value)
        return queryset.filter(start__lt=end, end__gt=start)
