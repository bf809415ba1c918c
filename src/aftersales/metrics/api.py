"""API of the measures (SPEC §5, §6 `metrics/`): `metrics/` every measure for a period, per
group, with filters; `metrics/daily/` the period day by day (intake by channel, SLA
compliance, satisfaction). The numbers are `metrics.measures`', which the pages read too.

Analysts and administrators measure every request, supervisors their teams' requests; the
others are refused (`metrics/access.py`). Periods are days in the service time zone, both
ends included, at most three years.
"""

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales.api.serializers import CleanCharField
from aftersales.core.errors import NotAllowed
from aftersales.metrics import access, measures
from aftersales.service_requests.models import Category, Channel, Kind, Priority

MAX_DAYS = 1096  # three years, one of them a leap year
DEFAULT_DAYS = 30
EARLIEST = datetime.date(1970, 1, 1)
LATEST = datetime.date(2999, 12, 31)
MAX_ID = 2**63 - 1
# Query parameters DRF itself reads.
_IGNORED = {"format"}
# Filters by id (the others by value).
_ID_FILTERS = {"team", "person", "product_model", "customer"}


def _id(help_text: Any) -> serializers.IntegerField:
    return serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text=help_text
    )


def _choice(choices: Any, help_text: Any) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=choices, required=False, help_text=help_text)


class PeriodQuerySerializer(serializers.Serializer):
    """The period and the filters, from the query string (`from` and `to` are Python words,
    so the fields are renamed in `get_fields`)."""

    period_from = serializers.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        help_text=gettext_lazy("First day, YYYY-MM-DD, service time zone (default: 30 days ago)."),
    )
    period_to = serializers.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        help_text=gettext_lazy("Last day, included (default: today)."),
    )
    team = _id(gettext_lazy("Only this team's requests (id)."))
    person = _id(gettext_lazy("Only the requests assigned to this person (user id)."))
    category = _choice(Category.choices, gettext_lazy("Only this category."))
    kind = _choice(Kind.choices, gettext_lazy("Only this kind."))
    channel = _choice(Channel.choices, gettext_lazy("Only this channel."))
    priority = _choice(Priority.choices, gettext_lazy("Only this priority."))
    product_model = _id(gettext_lazy("Only this product model (product id)."))
    batch = CleanCharField(
        required=False, max_length=100, help_text=gettext_lazy("Only this batch number.")
    )
    region = CleanCharField(
        required=False, max_length=100, help_text=gettext_lazy("Only customers of this region.")
    )
    customer = _id(gettext_lazy("Only this customer's requests (id)."))

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        renamed = {"period_from": "from", "period_to": "to"}
        return {renamed.get(name, name): field for name, field in fields.items()}

    def to_internal_value(self, data: Any) -> Any:
        unknown = sorted(set(data) - set(self.fields) - _IGNORED)
        if unknown:
            raise serializers.ValidationError({name: [_("Unknown parameter.")] for name in unknown})
        # An empty parameter (`?team=`) is no filter.
        given = {name: value for name, value in data.items() if value != ""}
        return super().to_internal_value(given)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # The days given are checked first: a default counted back from 0001-01-01 would
        # leave the calendar.
        for name in ("from", "to"):
            day = attrs.get(name)
            if day is not None and not EARLIEST <= day <= LATEST:
                raise serializers.ValidationError(
                    {name: [_("Give a day between 1970-01-01 and 2999-12-31.")]}
                )
        today = timezone.now().astimezone(measures.service_zone()).date()
        last = attrs.get("to") or max(today, attrs.get("from") or today)
        first = attrs.get("from") or last - datetime.timedelta(days=DEFAULT_DAYS - 1)
        if first < EARLIEST:
            raise serializers.ValidationError(
                {"to": [_("Give a day between 1970-01-01 and 2999-12-31.")]}
            )
        if first > last:
            raise serializers.ValidationError({"to": [_("The last day is before the first.")]})
        if (last - first).days + 1 > MAX_DAYS:
            raise serializers.ValidationError(
                {"to": [_("A period is at most %(days)s days long.") % {"days": MAX_DAYS}]}
            )
        attrs["from"], attrs["to"] = first, last
        return attrs

    def filters(self) -> measures.Filters:
        values = self.validated_data
        return measures.Filters(
            **{
                name: values.get(name, None if name in _ID_FILTERS else "")
                for name in measures.DIMENSIONS
            }
        )


class MetricsQuerySerializer(PeriodQuerySerializer):
    group_by = serializers.ChoiceField(
        choices=measures.GROUPINGS,
        required=False,
        help_text=gettext_lazy("One row per team, person, category, … (default: one row)."),
    )


# --- Output --------------------------------------------------------------------------------


def _percent() -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=4, decimal_places=1, coerce_to_string=False, allow_null=True
    )


class RatioSerializer(serializers.Serializer):
    numerator = serializers.IntegerField()
    denominator = serializers.IntegerField()
    percent = _percent()


class DurationSerializer(serializers.Serializer):
    requests = serializers.IntegerField()
    average_seconds = serializers.IntegerField(
        allow_null=True, help_text=gettext_lazy("Business seconds on each request's calendar.")
    )


class CsatSerializer(serializers.Serializer):
    answers = serializers.IntegerField()
    satisfied = serializers.IntegerField(help_text=gettext_lazy("Answers of 4 or 5."))
    percent = _percent()
    mean_score = serializers.DecimalField(
        max_digits=3, decimal_places=2, coerce_to_string=False, allow_null=True
    )


class BacklogSerializer(serializers.Serializer):
    open = serializers.IntegerField(help_text=gettext_lazy("Open now, whatever the period."))
    days_0_1 = serializers.IntegerField(help_text=gettext_lazy("Received less than a day ago."))
    days_1_3 = serializers.IntegerField()
    days_3_7 = serializers.IntegerField()
    days_7_30 = serializers.IntegerField()
    days_30_plus = serializers.IntegerField()


class GroupSerializer(serializers.Serializer):
    key = serializers.JSONField(
        help_text=gettext_lazy(
            "The id (team, person, product model, customer) or the value (category, kind, "
            "channel, priority, batch, region); null: requests without one."
        )
    )
    label = serializers.CharField()


class RowSerializer(serializers.Serializer):
    group = GroupSerializer(allow_null=True)
    received = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    resolved = serializers.IntegerField()
    first_response_time = DurationSerializer()
    resolution_time = DurationSerializer()
    sla_first_response = RatioSerializer()
    sla_resolution = RatioSerializer()
    resolution_rate = RatioSerializer()
    first_time_fix_rate = RatioSerializer()
    reopen_rate = RatioSerializer()
    csat = CsatSerializer()
    complaint_rate = RatioSerializer()
    backlog = BacklogSerializer()


class MetricsSerializer(serializers.Serializer):
    period_from = serializers.DateField()
    period_to = serializers.DateField()
    time_zone = serializers.CharField()
    group_by = serializers.CharField(allow_null=True)
    as_of = serializers.DateTimeField(help_text=gettext_lazy("When the backlog was counted."))
    rows = RowSerializer(many=True)
    total = RowSerializer()

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = fields.pop("period_from")
        fields["to"] = fields.pop("period_to")
        return fields


class DaySerializer(serializers.Serializer):
    day = serializers.DateField()
    received = serializers.IntegerField()
    by_channel = serializers.DictField(child=serializers.IntegerField())
    resolved = serializers.IntegerField()
    sla_first_response = RatioSerializer()
    sla_resolution = RatioSerializer()
    csat = CsatSerializer()


class DailySerializer(serializers.Serializer):
    period_from = serializers.DateField()
    period_to = serializers.DateField()
    time_zone = serializers.CharField()
    days = DaySerializer(many=True)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = fields.pop("period_from")
        fields["to"] = fields.pop("period_to")
        return fields


# --- Views ---------------------------------------------------------------------------------


def _read(request: Request, serializer_class: type[PeriodQuerySerializer]) -> Any:
    if not access.can_read(request.user):
        raise NotAllowed(_("Supervisors, analysts and administrators read the measures."))
    query = serializer_class(data=request.query_params.dict())
    query.is_valid(raise_exception=True)
    return query


class MetricsApi(APIView):
    @extend_schema(
        operation_id="metrics_retrieve",
        parameters=[MetricsQuerySerializer],
        responses=MetricsSerializer,
        description=(
            "Every measure of SPEC §5 for the period, one row per group (or one row), and "
            "their total. Definitions: docs/measures.md."
        ),
    )
    def get(self, request: Request) -> Response:
        query = _read(request, MetricsQuerySerializer)
        values = query.validated_data
        group_by = values.get("group_by") or None
        as_of = timezone.now()
        groups = measures.tallies(
            values["from"],
            values["to"],
            group_by=group_by,
            filters=query.filters(),
            teams=access.team_scope(request.user),
            now=as_of,
        )
        total = measures.total_of(groups)
        data = {
            "from": values["from"],
            "to": values["to"],
            "time_zone": measures.service_zone().key,
            "group_by": group_by,
            "as_of": as_of,
            "rows": measures.rows_of(groups) if group_by else [total],
            "total": total,
        }
        return Response(MetricsSerializer(data).data)


class MetricsDailyApi(APIView):
    @extend_schema(
        operation_id="metrics_daily",
        parameters=[PeriodQuerySerializer],
        responses=DailySerializer,
        description=(
            "Each day of the period: requests received (all, and by channel), SLA compliance "
            "of the requests resolved that day, satisfaction of the answers given that day."
        ),
    )
    def get(self, request: Request) -> Response:
        query = _read(request, PeriodQuerySerializer)
        values = query.validated_data
        days = measures.daily_series(
            values["from"],
            values["to"],
            filters=query.filters(),
            teams=access.team_scope(request.user),
        )
        data = {
            "from": values["from"],
            "to": values["to"],
            "time_zone": measures.service_zone().key,
            "days": days,
        }
        return Response(DailySerializer(data).data)
