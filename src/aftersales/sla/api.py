"""calendars/, sla-policies/ and escalation-rules/ (SPEC §6): configuration, changed by admins,
read by staff."""

import datetime
import itertools
import zoneinfo
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from aftersales.accounts.api import IsStaffReadOrAdmin
from aftersales.accounts.models import Team
from aftersales.api.serializers import CleanCharField, StrictSerializer
from aftersales.customers.models import Customer
from aftersales.sla import services
from aftersales.sla.models import (
    Calendar,
    CalendarException,
    CalendarPeriod,
    EscalationRule,
    SlaPolicy,
    SlaTarget,
)


@extend_schema_field(
    {"type": "string", "pattern": "^([01][0-9]|2[0-4]):[0-5][0-9]$", "example": "09:00"}
)
class HourMinuteField(serializers.Field):
    """ "HH:MM"; "24:00" (or "00:00" as an end) is midnight at the end of the day."""

    default_error_messages = {"invalid": _("Give a time as HH:MM, e.g. 09:00.")}

    def to_internal_value(self, data: Any) -> datetime.time:
        if not isinstance(data, str) or len(data) != 5 or data[2] != ":":
            self.fail("invalid")
        if data == "24:00":
            return datetime.time(0, 0)
        try:
            return datetime.time.fromisoformat(data)
        except ValueError:
            self.fail("invalid")
        raise AssertionError("unreachable")

    def to_representation(self, value: datetime.time) -> str:
        return f"{value:%H:%M}"


def _check_periods(periods: list[tuple[datetime.time, datetime.time]], where: str) -> None:
    minutes = sorted((s.hour * 60 + s.minute, (e.hour * 60 + e.minute) or 1440) for s, e in periods)
    for start, end in minutes:
        if end <= start:
            raise serializers.ValidationError({where: [_("A period must end after it starts.")]})
    for (_s1, end1), (start2, _e2) in itertools.pairwise(minutes):
        if start2 < end1:
            raise serializers.ValidationError({where: [_("Periods of one day must not overlap.")]})


class PeriodSerializer(StrictSerializer):
    weekday = serializers.IntegerField(min_value=0, max_value=6)
    start = HourMinuteField()
    end = HourMinuteField()


class ExceptionSerializer(StrictSerializer):
    date = serializers.DateField()
    working = serializers.BooleanField()
    name = CleanCharField(max_length=100, required=False, allow_blank=True, default="")
    periods = serializers.ListField(
        child=serializers.ListField(child=HourMinuteField(), min_length=2, max_length=2),
        required=False,
        default=list,
        max_length=10,
    )
    source = serializers.CharField(read_only=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["periods"] and not attrs["working"]:
            raise serializers.ValidationError(
                {"periods": [_("A closed day has no working periods.")]}
            )
        _check_periods([tuple(p) for p in attrs["periods"]], "periods")
        return attrs

    def to_representation(self, instance: CalendarException) -> dict[str, Any]:
        return {
            "date": instance.date.isoformat(),
            "working": instance.working,
            "name": instance.name,
            "periods": instance.periods,
            "source": instance.source,
        }


class HolidayYearSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    source = serializers.CharField()
    complete = serializers.BooleanField()


class CalendarSerializer(StrictSerializer):
    id = serializers.IntegerField(read_only=True)
    name = CleanCharField(max_length=100)
    name_en = CleanCharField(max_length=100, required=False, allow_blank=True, default="")
    time_zone = serializers.CharField(max_length=64, default="Asia/Shanghai")
    always_open = serializers.BooleanField(default=False)
    holiday_region = serializers.ChoiceField(choices=["", "CN"], required=False, default="")
    periods = PeriodSerializer(many=True, required=False)
    exceptions = ExceptionSerializer(many=True, required=False)
    holiday_years = HolidayYearSerializer(many=True, read_only=True)
    revision = serializers.IntegerField(read_only=True)

    def validate_time_zone(self, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise serializers.ValidationError(_("Unknown time zone.")) from None
        return value

    def validate_name(self, value: str) -> str:
        others = Calendar.objects.filter(name=value)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise serializers.ValidationError(_("A calendar with this name exists."))
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        by_day: dict[int, list[tuple[datetime.time, datetime.time]]] = {}
        for period in attrs.get("periods", []):
            by_day.setdefault(period["weekday"], []).append((period["start"], period["end"]))
        for periods in by_day.values():
            _check_periods(periods, "periods")
        dates = [e["date"] for e in attrs.get("exceptions", [])]
        if len(dates) != len(set(dates)):
            raise serializers.ValidationError({"exceptions": [_("Each date may appear once.")]})
        return attrs

    def to_representation(self, instance: Calendar) -> dict[str, Any]:
        return {
            "id": instance.pk,
            "name": instance.name,
            "name_en": instance.name_en,
            "time_zone": instance.time_zone,
            "always_open": instance.always_open,
            "holiday_region": instance.holiday_region,
            "periods": [
                {
                    "weekday": p.weekday,
                    "start": f"{p.start:%H:%M}",
                    "end": f"{p.end:%H:%M}" if p.end.hour or p.end.minute else "24:00",
                }
                for p in instance.periods.all()
            ],
            "exceptions": [
                ExceptionSerializer().to_representation(e) for e in instance.exceptions.all()
            ],
            "holiday_years": HolidayYearSerializer(instance.holiday_years.all(), many=True).data,
            "revision": instance.revision,
        }

    @transaction.atomic
    def create(self, validated_data: dict[str, Any]) -> Calendar:
        periods = validated_data.pop("periods", [])
        exceptions = validated_data.pop("exceptions", [])
        calendar = Calendar.objects.create(**validated_data)
        self._replace_children(calendar, periods, exceptions)
        return calendar

    @transaction.atomic
    def update(self, instance: Calendar, validated_data: dict[str, Any]) -> Calendar:
        periods = validated_data.pop("periods", None)
        exceptions = validated_data.pop("exceptions", None)
        for field, value in validated_data.items():
            setattr(instance, field, value)
        instance.save()
        self._replace_children(instance, periods, exceptions)
        instance.refresh_from_db()
        return instance

    @staticmethod
    def _replace_children(
        calendar: Calendar, periods: list | None, exceptions: list | None
    ) -> None:
        if periods is not None:
            calendar.periods.all().delete()
            CalendarPeriod.objects.bulk_create(
                CalendarPeriod(calendar=calendar, **p) for p in periods
            )
        if exceptions is not None:
            calendar.exceptions.all().delete()
            CalendarException.objects.bulk_create(
                CalendarException(
                    calendar=calendar,
                    date=e["date"],
                    working=e["working"],
                    name=e["name"],
                    periods=[
                        [f"{s:%H:%M}", f"{t:%H:%M}" if t.hour or t.minute else "24:00"]
                        for s, t in e["periods"]
                    ],
                    source="admin",
                )
                for e in exceptions
            )
        services.calendar_touch(calendar)


class HolidayNoticeSerializer(StrictSerializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    holidays = serializers.ListField(child=serializers.DateField(), max_length=60)
    working_days = serializers.ListField(
        child=serializers.DateField(), required=False, default=list, max_length=30
    )
    source = CleanCharField(max_length=200, required=False, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        for field in ("holidays", "working_days"):
            wrong = [d.isoformat() for d in attrs[field] if d.year != attrs["year"]]
            if wrong:
                raise serializers.ValidationError(
                    {
                        field: [
                            _("Not in %(year)d: %(dates)s")
                            % {"year": attrs["year"], "dates": ", ".join(wrong)}
                        ]
                    }
                )
        both = set(attrs["holidays"]) & set(attrs["working_days"])
        if both:
            raise serializers.ValidationError(
                {"working_days": [_("A date cannot be both a holiday and a working day.")]}
            )
        return attrs


class CalendarViewSet(viewsets.ModelViewSet):
    queryset = Calendar.objects.prefetch_related("periods", "exceptions", "holiday_years").order_by(
        "id"
    )
    serializer_class = CalendarSerializer
    permission_classes = [IsStaffReadOrAdmin]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def perform_destroy(self, instance: Calendar) -> None:
        services.calendar_delete(instance)

    @extend_schema(request=HolidayNoticeSerializer, responses=CalendarSerializer)
    @action(detail=True, methods=["post"], url_path="holiday-year")
    def holiday_year(self, request: Request, pk: str) -> Response:
        """Enter one year's statutory holidays and make-up working days (the State Council's
        notice), replacing what the calendar held for that year."""
        calendar = self.get_object()
        notice = HolidayNoticeSerializer(data=request.data)
        notice.is_valid(raise_exception=True)
        services.holiday_year_replace(calendar, by=request.user, **notice.validated_data)
        return Response(CalendarSerializer(self.get_queryset().get(pk=calendar.pk)).data)


class TargetSerializer(StrictSerializer):
    priority = serializers.ChoiceField(choices=SlaTarget.PRIORITIES)
    first_response_minutes = serializers.IntegerField(min_value=1, max_value=525600)
    first_response_calendar = serializers.PrimaryKeyRelatedField(queryset=Calendar.objects.all())
    resolution_minutes = serializers.IntegerField(min_value=1, max_value=525600)
    resolution_calendar = serializers.PrimaryKeyRelatedField(queryset=Calendar.objects.all())


def _choice_list(choices: list[str]) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.ChoiceField(choices=choices), required=False, default=list
    )


class SlaPolicySerializer(StrictSerializer):
    id = serializers.IntegerField(read_only=True)
    name = CleanCharField(max_length=100)
    name_en = CleanCharField(max_length=100, required=False, allow_blank=True, default="")
    order = serializers.IntegerField(min_value=0, max_value=100000, default=100)
    is_active = serializers.BooleanField(default=True)
    kinds = _choice_list(
        [
            "repair",
            "installation",
            "maintenance",
            "consultation",
            "return",
            "replacement",
            "complaint",
        ]
    )
    categories = _choice_list(
        [
            "product_quality",
            "usage",
            "software",
            "service_quality",
            "technical",
            "consultation",
            "other",
        ]
    )
    channels = _choice_list(["phone", "web", "email", "chat", "social", "walk_in", "api", "import"])
    priorities = _choice_list(["urgent", "high", "medium", "low"])
    customers = serializers.PrimaryKeyRelatedField(
        queryset=Customer.objects.all(), many=True, required=False, default=list
    )
    warning_percent = serializers.IntegerField(min_value=1, max_value=99, default=75)
    targets = TargetSerializer(many=True)

    def validate_name(self, value: str) -> str:
        others = SlaPolicy.objects.filter(name=value)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise serializers.ValidationError(_("A policy with this name exists."))
        return value

    def validate_targets(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        priorities = [t["priority"] for t in value]
        if len(priorities) != len(set(priorities)):
            raise serializers.ValidationError(_("One target per priority."))
        return value

    def to_representation(self, instance: SlaPolicy) -> dict[str, Any]:
        return {
            "id": instance.pk,
            "name": instance.name,
            "name_en": instance.name_en,
            "order": instance.order,
            "is_active": instance.is_active,
            "kinds": instance.kinds,
            "categories": instance.categories,
            "channels": instance.channels,
            "priorities": instance.priorities,
            "customers": [c.pk for c in instance.customers.all()],
            "warning_percent": instance.warning_percent,
            "targets": [
                {
                    "priority": t.priority,
                    "first_response_minutes": t.first_response_minutes,
                    "first_response_calendar": t.first_response_calendar_id,
                    "resolution_minutes": t.resolution_minutes,
                    "resolution_calendar": t.resolution_calendar_id,
                }
                for t in instance.targets.all()
            ],
        }

    @transaction.atomic
    def create(self, validated_data: dict[str, Any]) -> SlaPolicy:
        targets = validated_data.pop("targets")
        customers = validated_data.pop("customers", [])
        policy = SlaPolicy.objects.create(**validated_data)
        policy.customers.set(customers)
        SlaTarget.objects.bulk_create(SlaTarget(policy=policy, **t) for t in targets)
        services.policies_touch()
        return policy

    @transaction.atomic
    def update(self, instance: SlaPolicy, validated_data: dict[str, Any]) -> SlaPolicy:
        targets = validated_data.pop("targets", None)
        customers = validated_data.pop("customers", None)
        for field, value in validated_data.items():
            setattr(instance, field, value)
        instance.save()
        if customers is not None:
            instance.customers.set(customers)
        if targets is not None:
            instance.targets.all().delete()
            SlaTarget.objects.bulk_create(SlaTarget(policy=instance, **t) for t in targets)
        services.policies_touch()
        return instance


class SlaPolicyViewSet(viewsets.ModelViewSet):
    queryset = SlaPolicy.objects.prefetch_related("customers", "targets").order_by("order", "id")
    serializer_class = SlaPolicySerializer
    permission_classes = [IsStaffReadOrAdmin]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def perform_destroy(self, instance: SlaPolicy) -> None:
        instance.delete()
        services.policies_touch()


class EscalationRuleSerializer(StrictSerializer):
    id = serializers.IntegerField(read_only=True)
    name = CleanCharField(max_length=100)
    name_en = CleanCharField(max_length=100, required=False, allow_blank=True, default="")
    order = serializers.IntegerField(min_value=0, max_value=100000, default=100)
    is_active = serializers.BooleanField(default=True)
    targets = _choice_list(EscalationRule.CONDITION_CHOICES["targets"])
    priorities = _choice_list(EscalationRule.CONDITION_CHOICES["priorities"])
    kinds = _choice_list(EscalationRule.CONDITION_CHOICES["kinds"])
    categories = _choice_list(EscalationRule.CONDITION_CHOICES["categories"])
    teams = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), many=True, required=False, default=list
    )
    raise_priority = serializers.BooleanField(default=False)
    reassign = serializers.ChoiceField(
        choices=EscalationRule.Reassign.choices, default=EscalationRule.Reassign.NONE
    )
    reassign_team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), allow_null=True, required=False, default=None
    )

    def validate_name(self, value: str) -> str:
        others = EscalationRule.objects.filter(name=value)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise serializers.ValidationError(_("A rule with this name exists."))
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # The model's clean() holds the cross-field rules (an action, a team when moving to
        # one), for the admin and the API alike; a PATCH is checked as the row would become.
        candidate = EscalationRule()
        for field in ("raise_priority", "reassign", "reassign_team"):
            current = getattr(self.instance, field) if self.instance is not None else None
            setattr(candidate, field, attrs.get(field, current))
        for field in EscalationRule.CONDITION_CHOICES:
            current = getattr(self.instance, field) if self.instance is not None else []
            setattr(candidate, field, attrs.get(field, current))
        try:
            candidate.clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        return attrs

    def to_representation(self, instance: EscalationRule) -> dict[str, Any]:
        return {
            "id": instance.pk,
            "name": instance.name,
            "name_en": instance.name_en,
            "order": instance.order,
            "is_active": instance.is_active,
            "targets": instance.targets,
            "priorities": instance.priorities,
            "kinds": instance.kinds,
            "categories": instance.categories,
            "teams": [team.pk for team in instance.teams.all()],
            "raise_priority": instance.raise_priority,
            "reassign": instance.reassign,
            "reassign_team": instance.reassign_team_id,
        }

    @transaction.atomic
    def create(self, validated_data: dict[str, Any]) -> EscalationRule:
        teams = validated_data.pop("teams", [])
        rule = EscalationRule.objects.create(**validated_data)
        rule.teams.set(teams)
        return rule

    @transaction.atomic
    def update(self, instance: EscalationRule, validated_data: dict[str, Any]) -> EscalationRule:
        teams = validated_data.pop("teams", None)
        for field, value in validated_data.items():
            setattr(instance, field, value)
        instance.save()
        if teams is not None:
            instance.teams.set(teams)
        return instance


class EscalationRuleViewSet(viewsets.ModelViewSet):
    """What the SLA sweep does to a request when one of its targets is missed: the first
    active rule (by order, then id) whose conditions match raises the priority one step and/or
    reassigns it."""

    queryset = EscalationRule.objects.prefetch_related("teams").order_by("order", "id")
    serializer_class = EscalationRuleSerializer
    permission_classes = [IsStaffReadOrAdmin]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
