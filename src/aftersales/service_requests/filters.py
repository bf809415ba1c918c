"""List filters of SPEC §6, shared by the API and the console."""

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Team
from aftersales.service_requests.models import Assignment, Priority, ServiceRequest
from aftersales.service_requests.selectors import overdue_filter, sla_state_filter


class ServiceRequestFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=ServiceRequest.Status.choices, label=_("Status")
    )
    priority = django_filters.MultipleChoiceFilter(choices=Priority.choices, label=_("Priority"))
    category = django_filters.MultipleChoiceFilter(
        choices=ServiceRequest.Category.choices, label=_("Category")
    )
    kind = django_filters.MultipleChoiceFilter(choices=ServiceRequest.Kind.choices, label=_("Kind"))
    channel = django_filters.MultipleChoiceFilter(
        choices=ServiceRequest.Channel.choices, label=_("Channel")
    )
    assignee = django_filters.CharFilter(
        field_name="assignee__username", label=_("Assignee (username)")
    )
    team = django_filters.ModelChoiceFilter(queryset=Team.objects.all(), label=_("Team"))
    # Bounded: an id beyond 64 bits is a 400, not an overflow in the database driver.
    customer = django_filters.NumberFilter(
        field_name="customer_id",
        label=_("Customer id"),
        min_value=1,
        max_value=2**63 - 1,
        decimal_places=0,
    )
    created_from = django_filters.IsoDateTimeFilter(
        field_name="received_at", lookup_expr="gte", label=_("Received from")
    )
    created_to = django_filters.IsoDateTimeFilter(
        field_name="received_at", lookup_expr="lt", label=_("Received before")
    )
    # The dashboards' drill-down: the requests resolved in a period, reopened ones, a product
    # model or a batch.
    resolved_from = django_filters.IsoDateTimeFilter(
        field_name="resolved_at", lookup_expr="gte", label=_("Resolved from")
    )
    resolved_to = django_filters.IsoDateTimeFilter(
        field_name="resolved_at", lookup_expr="lt", label=_("Resolved before")
    )
    reopened = django_filters.BooleanFilter(method="filter_reopened", label=_("Reopened"))
    product = django_filters.NumberFilter(
        field_name="product_id",
        label=_("Product model id"),
        min_value=1,
        max_value=2**63 - 1,
        decimal_places=0,
    )
    batch = django_filters.CharFilter(field_name="batch_number", label=_("Batch number"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    sla_state = django_filters.ChoiceFilter(
        choices=[
            ("ok", _("On track")),
            ("warning", _("At risk")),
            ("breached", _("Breached")),
            ("paused", _("Paused")),
        ],
        method="filter_sla_state",
        label=_("SLA state"),
    )

    class Meta:
        model = ServiceRequest
        fields: list[str] = []

    def filter_sla_state(
        self, queryset: QuerySet[ServiceRequest], name: str, value: str
    ) -> QuerySet[ServiceRequest]:
        return queryset.filter(sla_state_filter(value)) if value else queryset

    def filter_reopened(
        self, queryset: QuerySet[ServiceRequest], name: str, value: bool | None
    ) -> QuerySet[ServiceRequest]:
        if value is None:
            return queryset
        return queryset.filter(reopen_count__gt=0) if value else queryset.filter(reopen_count=0)

    def filter_overdue(
        self, queryset: QuerySet[ServiceRequest], name: str, value: bool | None
    ) -> QuerySet[ServiceRequest]:
        if value is None:
            return queryset
        return queryset.filter(overdue_filter()) if value else queryset.exclude(overdue_filter())


class RequestListFilter(ServiceRequestFilter):
    """The console's list: the API's filters, with `team` given once per team (`team=1&team=2`)
    so that a dashboard's drill-down for a supervisor of several teams stays within them."""

    team = django_filters.ModelMultipleChoiceFilter(
        queryset=Team.objects.all(), method="filter_teams", label=_("Team")
    )

    def filter_teams(
        self, queryset: QuerySet[ServiceRequest], name: str, value: list[Team]
    ) -> QuerySet[ServiceRequest]:
        return queryset.filter(team__in=value) if value else queryset


class AssignmentFilter(django_filters.FilterSet):
    """Filters of the assignment table (API, console page, export)."""

    assignee = django_filters.CharFilter(
        field_name="assignee__username", label=_("Assignee (username)")
    )
    team = django_filters.ModelChoiceFilter(queryset=Team.objects.all(), label=_("Team"))
    method = django_filters.ChoiceFilter(choices=Assignment.Method.choices, label=_("How"))
    number = django_filters.CharFilter(field_name="request__number", label=_("Service number"))
    assigned_from = django_filters.IsoDateTimeFilter(
        field_name="assigned_at", lookup_expr="gte", label=_("Assigned from")
    )
    assigned_to = django_filters.IsoDateTimeFilter(
        field_name="assigned_at", lookup_expr="lt", label=_("Assigned before")
    )
    current = django_filters.BooleanFilter(
        field_name="ended_at", lookup_expr="isnull", label=_("Current only")
    )

    class Meta:
        model = Assignment
        fields: list[str] = []
