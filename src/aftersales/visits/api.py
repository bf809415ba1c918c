"""On-site visits: visits/ (list with filters; dispatchers book), visits/{id}/ and its steps
(reschedule and cancel by dispatchers; start, no-one-home and finish by the visit's
technicians), technicians/{username}/free-slots/, leaves/ (supervisors of the technician's
team and administrators write, staff read).

Thin: input is checked by explicit serializers, rules by the services, reads by selectors.
Customers see the visits of their own requests: window, status and address only.
"""

import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales.accounts.models import User
from aftersales.api.serializers import CleanCharField, CleanSlugRelatedField, StrictSerializer
from aftersales.core.errors import DomainError, NotAllowed
from aftersales.service_requests import selectors as request_selectors
from aftersales.visits import access, availability, filters, selectors, services
from aftersales.visits.models import Leave, Visit

READ = ("GET", "HEAD", "OPTIONS")


class IsStaff(BasePermission):
    message = gettext_lazy("Only staff may see technicians' calendars.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return access.is_staff(request.user)


class LeavePermission(BasePermission):
    """Staff read; administrators and supervisors write (the technician decides which)."""

    message = gettext_lazy("Only administrators and supervisors may enter leave.")

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in READ:
            return access.is_staff(request.user)
        return access.may_manage_leave(request.user)


# --- Output --------------------------------------------------------------------------------


class TechnicianBriefSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField(source="display_name")


STAFF_FIELDS = (
    "technicians",
    "notes",
    "outside_hours",
    "reason",
    "summary",
    "booked_by",
    "created_at",
    "en_route_at",
    "arrived_at",
    "ended_at",
    "rescheduled_to",
    "rescheduled_from",
    "actions",
)


class _StaffOnly(serializers.Field):
    """A value computed from the visit (and its reader). Not read-only, so that the schema
    shows it as optional: customers do not get it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", required=False, **kwargs)

    def to_internal_value(self, data: Any) -> Any:
        # Only the output serializer has these fields; no input reaches them.
        raise serializers.ValidationError(_("This field cannot be set here."))


@extend_schema_field(TechnicianBriefSerializer(many=True))
class _TechniciansField(_StaffOnly):
    def to_representation(self, value: Visit) -> list[dict[str, Any]]:
        return [
            {"username": b.technician.username, "name": b.technician.display_name}
            for b in value.bookings.all()
        ]


@extend_schema_field(serializers.IntegerField(allow_null=True))
class _RescheduledFromField(_StaffOnly):
    def to_representation(self, value: Visit) -> int | None:
        try:
            return value.rescheduled_from.pk
        except Visit.DoesNotExist:
            return None


@extend_schema_field(serializers.ListField(child=serializers.CharField()))
class _ActionsField(_StaffOnly):
    def to_representation(self, value: Visit) -> list[str]:
        return services.available_actions(value, self.context["request"].user)


class VisitOutputSerializer(serializers.Serializer):
    """A visit. Customers get id, service_request, status, window and address only."""

    id = serializers.IntegerField()
    service_request = serializers.CharField(source="service_request.number")
    status = serializers.ChoiceField(choices=Visit.Status.choices)
    window_start = serializers.DateTimeField()
    window_end = serializers.DateTimeField()
    address = serializers.CharField()
    technicians = _TechniciansField()
    notes = serializers.CharField(required=False)
    outside_hours = serializers.BooleanField(required=False)
    reason = serializers.CharField(
        required=False,
        help_text=gettext_lazy("Why it was moved or cancelled; no one home: what was tried."),
    )
    summary = serializers.CharField(required=False, help_text=gettext_lazy("What was done."))
    booked_by = serializers.CharField(source="booked_by.username", allow_null=True, required=False)
    created_at = serializers.DateTimeField(required=False)
    en_route_at = serializers.DateTimeField(allow_null=True, required=False)
    arrived_at = serializers.DateTimeField(allow_null=True, required=False)
    ended_at = serializers.DateTimeField(allow_null=True, required=False)
    rescheduled_to = serializers.IntegerField(
        source="rescheduled_to_id", allow_null=True, required=False
    )
    rescheduled_from = _RescheduledFromField()
    actions = _ActionsField(help_text=gettext_lazy("The steps you may take on this visit now."))

    def to_representation(self, instance: Visit) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not access.is_staff(self.context["request"].user):
            for name in STAFF_FIELDS:
                data.pop(name, None)
        return data


class IntervalSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class FreeSlotsOutputSerializer(serializers.Serializer):
    technician = serializers.CharField()
    date = serializers.DateField()
    time_zone = serializers.CharField()
    working = IntervalSerializer(many=True, help_text=gettext_lazy("Working hours that day."))
    free = IntervalSerializer(
        many=True, help_text=gettext_lazy("Working time without visits or leave (from now on).")
    )
    suggested = IntervalSerializer(
        many=True,
        help_text=gettext_lazy("Windows of the asked length, on the half hour, inside free time."),
    )


class LeaveOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    technician = serializers.CharField(source="technician.username")
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    reason = serializers.CharField()
    created_by = serializers.CharField(source="created_by.username", allow_null=True)
    created_at = serializers.DateTimeField()
    clashing_visits = serializers.SerializerMethodField(
        help_text=gettext_lazy("Active visits during the leave, to be moved.")
    )

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_clashing_visits(self, obj: Leave) -> list[int]:
        return services.leave_clashes(obj)


# --- Input ---------------------------------------------------------------------------------


def _usernames(**kwargs: Any) -> serializers.ListField:
    return serializers.ListField(
        child=CleanCharField(max_length=150),
        min_length=1,
        max_length=services.MAX_TECHNICIANS,
        help_text=gettext_lazy("Usernames of the technicians who go."),
        **kwargs,
    )


def _text(max_length: int, **kwargs: Any) -> CleanCharField:
    return CleanCharField(max_length=max_length, **kwargs)


class VisitBookInputSerializer(StrictSerializer):
    service_request = CleanCharField(
        max_length=40, help_text=gettext_lazy("Service number, e.g. SR-20261122-0001")
    )
    technicians = _usernames()
    window_start = serializers.DateTimeField()
    window_end = serializers.DateTimeField()
    address = _text(
        300,
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy("Where to go; the request's address when left out."),
    )
    notes = _text(services.TEXT_MAX, required=False, allow_blank=True, default="")
    outside_hours = serializers.BooleanField(
        required=False,
        default=False,
        help_text=gettext_lazy("Book outside working hours or during leave on purpose."),
    )


class VisitRescheduleInputSerializer(StrictSerializer):
    window_start = serializers.DateTimeField()
    window_end = serializers.DateTimeField()
    reason = _text(services.TEXT_MAX)
    technicians = _usernames(required=False)
    address = _text(300, required=False, allow_blank=True)
    notes = _text(services.TEXT_MAX, required=False, allow_blank=True)
    outside_hours = serializers.BooleanField(required=False, default=False)


class VisitCancelInputSerializer(StrictSerializer):
    reason = _text(services.TEXT_MAX)


class VisitStartInputSerializer(StrictSerializer):
    on_site = serializers.BooleanField(
        required=False,
        default=False,
        help_text=gettext_lazy("False: setting off (en route); true: arrived on site."),
    )


class VisitNoOneHomeInputSerializer(StrictSerializer):
    note = _text(services.TEXT_MAX, help_text=gettext_lazy("What was tried: rang, called, waited."))


class VisitFinishInputSerializer(StrictSerializer):
    summary = _text(services.TEXT_MAX, required=False, allow_blank=True, default="")


class FreeSlotsQuerySerializer(StrictSerializer):
    date = serializers.DateField(help_text=gettext_lazy("YYYY-MM-DD"))
    duration = serializers.IntegerField(
        min_value=30,
        max_value=int(services.MAX_WINDOW.total_seconds() // 60),
        required=False,
        default=120,
        help_text=gettext_lazy("Length of the suggested windows, in minutes."),
    )

    def validate_date(self, value: datetime.date) -> datetime.date:
        if not filters.FIRST_DAY <= value <= filters.LAST_DAY:
            raise serializers.ValidationError(_("Choose a date between 2000 and 2100."))
        return value


class LeaveInputSerializer(StrictSerializer):
    technician = CleanSlugRelatedField(
        slug_field="username", queryset=User.objects.filter(is_active=True)
    )
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    reason = _text(200, required=False, allow_blank=True, default="")


def _valid(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _technicians(usernames: list[str]) -> list[User]:
    """The users named, in order; an unknown name is a 400 naming the field."""
    found = {u.username: u for u in User.objects.filter(username__in=usernames, is_active=True)}
    missing = [name for name in usernames if name not in found]
    if missing:
        message = _("No such technician: %(names)s.") % {"names": ", ".join(missing)}
        raise DomainError(message, fields={"technicians": [message]})
    return [found[name] for name in usernames]


def _request_for_booking(user: User, number: str) -> Any:
    """A request the booker may see; otherwise a 400 naming the field (the number might not
    exist at all: the answer is the same)."""
    try:
        return request_selectors.service_request_get_for_user(user, number)
    except Http404:
        message = _("No service request with this number.")
        raise DomainError(message, fields={"service_request": [message]}) from None


# --- Views ---------------------------------------------------------------------------------

_VISIT_LIST_PARAMETERS = [
    OpenApiParameter("technician", str, description=gettext_lazy("Technician (username)")),
    OpenApiParameter(
        "date", datetime.date, description=gettext_lazy("Day the window touches, YYYY-MM-DD")
    ),
    OpenApiParameter("status", str, many=True, enum=Visit.Status.values),
    OpenApiParameter("service_request", str, description=gettext_lazy("Service number")),
]


class VisitViewSet(viewsets.GenericViewSet):
    parser_classes = [JSONParser]
    serializer_class = VisitOutputSerializer
    filterset_class = filters.VisitFilter

    def get_queryset(self) -> QuerySet[Visit]:
        return selectors.visit_list_for_user(self.request.user).select_related("rescheduled_from")

    def get_object(self) -> Visit:
        try:
            pk = int(self.kwargs["pk"])
        except ValueError:
            raise Http404("No such visit.") from None
        return selectors.visit_get_for_user(self.request.user, pk)

    def _output(self, visit: Visit, *, status: int = 200) -> Response:
        fresh = selectors.visit_get_for_user(self.request.user, visit.pk)
        return Response(
            VisitOutputSerializer(fresh, context={"request": self.request}).data, status=status
        )

    def _as_dispatcher(self, visit: Visit) -> None:
        if not access.can_book(self.request.user, visit.service_request):
            raise NotAllowed(_("You may not change the visits of this request."))

    def _as_technician(self, visit: Visit) -> None:
        if not access.is_on_visit(self.request.user, visit):
            raise NotAllowed(_("Only the technicians on this visit may do this."))

    @extend_schema(operation_id="visits_list", parameters=_VISIT_LIST_PARAMETERS, filters=False)
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        data = VisitOutputSerializer(page, many=True, context={"request": request}).data
        return self.get_paginated_response(data)

    @extend_schema(operation_id="visits_retrieve")
    def retrieve(self, request: Request, pk: str) -> Response:
        return self._output(self.get_object())

    @extend_schema(
        operation_id="visits_book",
        request=VisitBookInputSerializer,
        responses={201: VisitOutputSerializer},
    )
    def create(self, request: Request) -> Response:
        if not access.may_book(request.user):
            raise NotAllowed(_("Only dispatchers book visits."))
        data = _valid(VisitBookInputSerializer, request.data)
        visit = services.visit_book(
            service_request=_request_for_booking(request.user, data.pop("service_request")),
            technicians=_technicians(data.pop("technicians")),
            by=request.user,
            **data,
        )
        return self._output(visit, status=201)

    @extend_schema(
        operation_id="visits_reschedule",
        request=VisitRescheduleInputSerializer,
        responses={201: VisitOutputSerializer},
    )
    @action(detail=True, methods=["post"])
    def reschedule(self, request: Request, pk: str) -> Response:
        visit = self.get_object()
        self._as_dispatcher(visit)
        data = _valid(VisitRescheduleInputSerializer, request.data)
        if "technicians" in data:
            data["technicians"] = _technicians(data["technicians"])
        new = services.visit_reschedule(visit, by=request.user, **data)
        return self._output(new, status=201)

    @extend_schema(
        operation_id="visits_cancel",
        request=VisitCancelInputSerializer,
        responses=VisitOutputSerializer,
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        visit = self.get_object()
        self._as_dispatcher(visit)
        data = _valid(VisitCancelInputSerializer, request.data)
        return self._output(services.visit_cancel(visit, by=request.user, **data))

    @extend_schema(
        operation_id="visits_start",
        request=VisitStartInputSerializer,
        responses=VisitOutputSerializer,
    )
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str) -> Response:
        visit = self.get_object()
        self._as_technician(visit)
        data = _valid(VisitStartInputSerializer, request.data)
        return self._output(services.visit_start(visit, by=request.user, **data))

    @extend_schema(
        operation_id="visits_no_one_home",
        request=VisitNoOneHomeInputSerializer,
        responses=VisitOutputSerializer,
    )
    @action(detail=True, methods=["post"], url_path="no-one-home")
    def no_one_home(self, request: Request, pk: str) -> Response:
        visit = self.get_object()
        self._as_technician(visit)
        data = _valid(VisitNoOneHomeInputSerializer, request.data)
        return self._output(services.visit_no_one_home(visit, by=request.user, **data))

    @extend_schema(
        operation_id="visits_finish",
        request=VisitFinishInputSerializer,
        responses=VisitOutputSerializer,
    )
    @action(detail=True, methods=["post"])
    def finish(self, request: Request, pk: str) -> Response:
        visit = self.get_object()
        self._as_technician(visit)
        data = _valid(VisitFinishInputSerializer, request.data)
        return self._output(services.visit_finish(visit, by=request.user, **data))


class TechnicianFreeSlotsApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        operation_id="technicians_free_slots",
        parameters=[FreeSlotsQuerySerializer],
        responses=FreeSlotsOutputSerializer,
    )
    def get(self, request: Request, username: str) -> Response:
        technician = selectors.technician_get(username[:150])
        query = _valid(FreeSlotsQuerySerializer, request.query_params.dict())
        free = availability.free_time(
            [technician],
            query["date"],
            length=datetime.timedelta(minutes=query["duration"]),
            now=timezone.now(),
        )

        def intervals(items: list[availability.Interval]) -> list[dict[str, Any]]:
            return [{"start": start, "end": end} for start, end in items]

        return Response(
            FreeSlotsOutputSerializer(
                {
                    "technician": technician.username,
                    "date": free.day,
                    "time_zone": free.time_zone,
                    "working": intervals(free.working),
                    "free": intervals(free.free),
                    "suggested": intervals(free.suggested),
                }
            ).data
        )


class LeaveViewSet(viewsets.GenericViewSet):
    parser_classes = [JSONParser]
    serializer_class = LeaveOutputSerializer
    permission_classes = [LeavePermission]
    filterset_class = filters.LeaveFilter
    http_method_names = ["get", "post", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Leave]:
        return selectors.leave_list()

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(LeaveOutputSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(LeaveOutputSerializer(self.get_object()).data)

    @extend_schema(request=LeaveInputSerializer, responses={201: LeaveOutputSerializer})
    def create(self, request: Request) -> Response:
        data = _valid(LeaveInputSerializer, request.data)
        leave = services.leave_add(by=request.user, **data)
        return Response(LeaveOutputSerializer(leave).data, status=201)

    def destroy(self, request: Request, pk: str) -> Response:
        services.leave_delete(self.get_object(), by=request.user)
        return Response(status=204)
