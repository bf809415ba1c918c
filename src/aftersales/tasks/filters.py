import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Team
from aftersales.core.text import validate_clean_text
from aftersales.tasks.models import ACTIVE, Status, Task


class TaskFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, label=_("Status"))
    # A model choice, as on the request list: an unknown or out-of-range id is a 400 naming
    # `team`, not a database error.
    team = django_filters.ModelChoiceFilter(queryset=Team.objects.all(), label=_("Team"))
    assignee = django_filters.CharFilter(
        field_name="assignee__username",
        label=_("Assignee (username)"),
        max_length=150,
        validators=[validate_clean_text],
    )
    service_request = django_filters.CharFilter(
        field_name="service_request__number",
        label=_("Service number"),
        max_length=40,
        validators=[validate_clean_text],
    )
    source = django_filters.CharFilter(
        label=_("What opened it"), max_length=40, validators=[validate_clean_text]
    )
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))

    class Meta:
        model = Task
        fields: list[str] = []

    def filter_overdue(self, queryset: QuerySet[Task], name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        late = queryset.filter(status__in=ACTIVE, due_at__lt=timezone.now())
        return late if value else queryset.exclude(pk__in=late.values("pk"))
