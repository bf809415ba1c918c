"""Token login, staff accounts and teams (admin)."""

from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from aftersales.accounts import lockout, services
from aftersales.accounts.models import STAFF_ROLE_CHOICES, Team, User
from aftersales.api.serializers import CleanCharField, CleanSlugRelatedField, StrictSerializer


class IsAdmin(BasePermission):
    message = gettext_lazy("Only administrators may do this.")

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(
            user and user.is_authenticated and (user.role == User.Role.ADMIN or user.is_superuser)
        )


class IsStaffReadOrAdmin(BasePermission):
    """Staff read; admins change."""

    message = gettext_lazy("Only administrators may change this.")

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return user.role != User.Role.CUSTOMER
        return user.role == User.Role.ADMIN or user.is_superuser


class TokenInputSerializer(StrictSerializer):
    username = CleanCharField(max_length=150)
    password = serializers.CharField(max_length=200, trim_whitespace=False)


class TokenApi(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(
        operation_id="auth_token_create",
        request=TokenInputSerializer,
        responses={200: inline_serializer("Token", {"token": serializers.CharField()})},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = TokenInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        username = serializer.validated_data["username"]
        user = None
        if not lockout.login_locked(username):
            user = authenticate(
                request, username=username, password=serializer.validated_data["password"]
            )
        if user is None or not user.is_active:
            lockout.login_failed(username)
            # One answer for an unknown user and a wrong password.
            return Response(
                {"message": _("Wrong username or password."), "code": "authentication_failed"},
                status=400,
            )
        lockout.login_succeeded(username)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class TeamSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name", "name_en", "kind", "supervisor", "assignment_strategy"]

    supervisor = CleanSlugRelatedField(
        slug_field="username",
        queryset=User.objects.filter(role__in=["supervisor", "admin"]),
        required=False,
        allow_null=True,
    )


class TeamViewSet(viewsets.ModelViewSet):
    queryset = Team.objects.select_related("supervisor").order_by("id")
    serializer_class = TeamSerializer
    permission_classes = [IsStaffReadOrAdmin]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]


class UserOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()
    role = serializers.ChoiceField(choices=User.Role.choices)
    teams = serializers.SerializerMethodField()
    is_active = serializers.BooleanField()
    language = serializers.CharField()

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_teams(self, obj: User) -> list[int]:
        return [team.pk for team in obj.teams.all()]


class UserInputSerializer(StrictSerializer):
    username = CleanCharField(max_length=150)
    password = serializers.CharField(max_length=200, write_only=True, trim_whitespace=False)
    role = serializers.ChoiceField(choices=STAFF_ROLE_CHOICES)
    teams = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Team.objects.all(), required=False, default=list
    )
    first_name = CleanCharField(max_length=150, required=False, allow_blank=True, default="")
    last_name = CleanCharField(max_length=150, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    phone = CleanCharField(max_length=40, required=False, allow_blank=True, default="")
    language = serializers.ChoiceField(
        choices=["", "zh-hans", "zh-hant", "en"], required=False, default=""
    )

    def validate_username(self, value: str) -> str:
        if User.objects.filter(username=value).exists():
            raise serializers.ValidationError(_("This username is taken."))
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            validate_password(attrs["password"], User(username=attrs["username"]))
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"password": exc.messages}) from exc
        return attrs


class UserUpdateSerializer(StrictSerializer):
    role = serializers.ChoiceField(choices=STAFF_ROLE_CHOICES, required=False)
    teams = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Team.objects.all(), required=False
    )
    first_name = CleanCharField(max_length=150, required=False, allow_blank=True)
    last_name = CleanCharField(max_length=150, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = CleanCharField(max_length=40, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)
    language = serializers.ChoiceField(choices=["", "zh-hans", "zh-hant", "en"], required=False)


class UserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = (
        User.objects.exclude(role=User.Role.CUSTOMER).prefetch_related("teams").order_by("id")
    )
    serializer_class = UserOutputSerializer
    permission_classes = [IsAdmin]
    lookup_field = "username"
    lookup_value_regex = r"[\w.@+-]+"
    filterset_fields = ["role", "is_active"]

    @extend_schema(request=UserInputSerializer, responses={201: UserOutputSerializer})
    def create(self, request: Request) -> Response:
        serializer = UserInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.staff_user_create(by=request.user, **serializer.validated_data)
        return Response(UserOutputSerializer(user).data, status=201)

    @extend_schema(request=UserUpdateSerializer, responses=UserOutputSerializer)
    def partial_update(self, request: Request, username: str) -> Response:
        user = self.get_object()
        serializer = UserUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.staff_user_update(user, by=request.user, **serializer.validated_data)
        return Response(UserOutputSerializer(user).data)
