"""routing-rules/, technician-profiles/ and a request's auto-assign (SPEC §2.3, §6)."""

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales.accounts.api import IsStaffReadOrAdmin
from aftersales.accounts.models import Team, User
from aftersales.api.serializers import CleanCharField, CleanSlugRelatedField, StrictSerializer
from aftersales.dispatch import services
from aftersales.dispatch.models import RoutingRule, TechnicianProfile
from aftersales.service_requests import selectors
from aftersales.service_requests.api import (
    ServiceRequestOutputSerializer,
    _expected_version,
    _output,
)
from aftersales.service_requests.models import Category, Channel, Kind


def _choice_list(choices: list[str]) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.ChoiceField(choices=choices), required=False, default=list, max_length=20
    )


def _text_list() -> serializers.ListField:
    return serializers.ListField(
        child=CleanCharField(max_length=100), required=False, default=list, max_length=50
    )


class RoutingRuleSerializer(StrictSerializer):
    id = serializers.IntegerField(read_only=True)
    name = CleanCharField(max_length=100)
    name_en = CleanCharField(max_length=100, required=False, allow_blank=True, default="")
    order = serializers.IntegerField(min_value=0, max_value=100000, default=100)
    is_active = serializers.BooleanField(default=True)
    kinds = _choice_list(Kind.values)
    categories = _choice_list(Category.values)
    channels = _choice_list(Channel.values)
    product_lines = _text_list()
    regions = _text_list()
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all())

    def validate_name(self, value: str) -> str:
        others = RoutingRule.objects.filter(name=value)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise serializers.ValidationError(_("A routing rule with this name exists."))
        return value

    def to_representation(self, instance: RoutingRule) -> dict[str, Any]:
        return {
            "id": instance.pk,
            "name": instance.name,
            "name_en": instance.name_en,
            "order": instance.order,
            "is_active": instance.is_active,
            "kinds": instance.kinds,
            "categories": instance.categories,
            "channels": instance.channels,
            "product_lines": instance.product_lines,
            "regions": instance.regions,
            "team": instance.team_id,
        }

    def create(self, validated_data: dict[str, Any]) -> RoutingRule:
        return RoutingRule.objects.create(**validated_data)

    def update(self, instance: RoutingRule, validated_data: dict[str, Any]) -> RoutingRule:
        for field, value in validated_data.items():
            setattr(instance, field, value)
        instance.save()
        return instance


class RoutingRuleViewSet(viewsets.ModelViewSet):
    """Ordered: the first active rule whose conditions match sends a new request to its team."""

    queryset = RoutingRule.objects.order_by("order", "id")
    serializer_class = RoutingRuleSerializer
    permission_classes = [IsStaffReadOrAdmin]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]


class TechnicianProfileSerializer(StrictSerializer):
    username = CleanSlugRelatedField(
        source="user",
        slug_field="username",
        queryset=User.objects.exclude(role=User.Role.CUSTOMER),
    )
    skills = _choice_list(Category.values)
    product_lines = _text_list()
    regions = _text_list()
    capacity = serializers.IntegerField(
        min_value=0, max_value=1000, required=False, allow_null=True
    )
    available = serializers.BooleanField(default=True)

    def validate_username(self, value: User) -> User:
        if self.instance is None and TechnicianProfile.objects.filter(user=value).exists():
            raise serializers.ValidationError(_("This person has a profile already."))
        if self.instance is not None and value.pk != self.instance.pk:
            raise serializers.ValidationError(_("A profile stays with its person."))
        return value

    def to_representation(self, instance: TechnicianProfile) -> dict[str, Any]:
        return {
            "username": instance.user.username,
            "skills": instance.skills,
            "product_lines": instance.product_lines,
            "regions": instance.regions,
            "capacity": instance.capacity,
            "available": instance.available,
        }

    def create(self, validated_data: dict[str, Any]) -> TechnicianProfile:
        return TechnicianProfile.objects.create(**validated_data)

    def update(
        self, instance: TechnicianProfile, validated_data: dict[str, Any]
    ) -> TechnicianProfile:
        validated_data.pop("user", None)
        for field, value in validated_data.items():
            setattr(instance, field, value)
        instance.save()
        return instance


class TechnicianProfileViewSet(viewsets.ModelViewSet):
    """What each person is good at (categories, product lines, regions) and how much they
    take on: what skill-match and capacity limits read."""

    queryset = TechnicianProfile.objects.select_related("user").order_by("user__username")
    serializer_class = TechnicianProfileSerializer
    permission_classes = [IsStaffReadOrAdmin]
    lookup_field = "user__username"
    lookup_url_kwarg = "username"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]


class AutoAssignInput(StrictSerializer):
    strategy = serializers.ChoiceField(
        choices=[s for s in Team.Strategy.values if s != Team.Strategy.MANUAL], required=False
    )
    version = serializers.IntegerField(required=False)


class AutoAssignApi(APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(
        operation_id="service_requests_auto_assign",
        request=AutoAssignInput,
        responses=ServiceRequestOutputSerializer,
        summary="Assign to a person of the team, chosen by the team's strategy (or the one given)",
    )
    def post(self, request: Request, number: str) -> Response:
        service_request = selectors.service_request_get_for_user(request.user, number)
        serializer = AutoAssignInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        updated = services.service_request_auto_assign(
            service_request,
            by=request.user,
            strategy=data.get("strategy"),
            expected_version=_expected_version(request, data),
        )
        return _output(request, updated)
