"""List filters of RMAs (the API's and the list page's)."""

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from aftersales.core.text import validate_clean_text
from aftersales.returns.models import Decision, ReturnAuthorisation, Status
from aftersales.service_requests import access as request_access
from aftersales.service_requests.numbering import normalise_number


class RmaFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Status.choices, label=_("Status"))
    decision = django_filters.ChoiceFilter(choices=Decision.choices, label=_("Decision"))
    number = django_filters.CharFilter(
        method="filter_number",
        label=_("RMA, service or serial number"),
        max_length=100,
        validators=[validate_clean_text],
    )

    class Meta:
        model = ReturnAuthorisation
        fields: list[str] = []

    def filter_number(
        self, queryset: QuerySet[ReturnAuthorisation], name: str, value: str
    ) -> QuerySet[ReturnAuthorisation]:
        """An RMA number or a service number (typed loosely), or a unit's serial number."""
        if not value.strip():
            return queryset
        number = normalise_number(value)
        # A service number matches only requests the caller may see: warehouse staff, who
        # see every RMA, cannot learn from the filter which request has one.
        requests = request_access.visible_to(self.request.user).filter(number=number)
        return queryset.filter(
            Q(number=number)
            | Q(request__in=requests.values("pk"))
            | Q(unit__serial_number=value.strip())
            | Q(replacement_unit__serial_number=value.strip())
        )
