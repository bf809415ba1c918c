"""API of follow-up visits: `follow-ups/` (the queues, with filters), one follow-up, and one
route per action (record a result, give up, send a survey link). Rules live in the services
(403, 409 when it ended already or is stale, 400 naming the field)."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales.api.exports import EXPORT_RESPONSES, FORMAT_PARAMETER, FileNegotiation
from aftersales.api.serializers import CleanCharField
from aftersales.api.steps import VersionInput, step_action, user_named
from aftersales.core.errors import DomainError, NotAllowed
from aftersales.core.exports import export_format, export_response
from aftersales.followups import access, exports, selectors, services
from aftersales.followups.models import FollowUp, Method, Status
from aftersales.surveys.models import Channel


class FollowUpOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    service_request = serializers.CharField(source="request.number")
    round = serializers.IntegerField(help_text=gettext_lazy("Which resolution it follows."))
    method = serializers.ChoiceField(choices=Method.choices)
    status = serializers.ChoiceField(choices=Status.choices)
    team = serializers.IntegerField(source="team_id", allow_null=True)
    assignee = serializers.CharField(source="assignee.username", allow_null=True)
    planned_at = serializers.DateTimeField(source="created_at")
    due_at = serializers.DateTimeField()
    attempts = serializers.IntegerField()
    last_attempt_at = serializers.DateTimeField(allow_null=True)
    reached = serializers.BooleanField(allow_null=True)
    solved = serializers.BooleanField(allow_null=True)
    score_solution = serializers.IntegerField(allow_null=True)
    score_attitude = serializers.IntegerField(allow_null=True)
    score_speed = serializers.IntegerField(allow_null=True)
    suggestions = serializers.CharField()
    answered_via = serializers.CharField(help_text=gettext_lazy("phone, survey or empty."))
    finished_at = serializers.DateTimeField(allow_null=True)
    finished_by = serializers.CharField(source="finished_by.username", allow_null=True)
    note = serializers.CharField()
    survey_invitation = serializers.IntegerField(source="invitation_id", allow_null=True)
    survey_skipped = serializers.CharField(help_text=gettext_lazy("Why no survey link was sent."))
    sms_text = serializers.SerializerMethodField(
        help_text=gettext_lazy("A text message for staff to send (there is no SMS gateway).")
    )
    version = serializers.IntegerField()

    def get_sms_text(self, obj: FollowUp) -> str:
        return obj.invitation.message_text if obj.invitation_id else ""


class FollowUpRecordInputSerializer(VersionInput):
    reached = serializers.BooleanField(help_text=gettext_lazy("Was the customer reached?"))
    solved = serializers.BooleanField(
        required=False, allow_null=True, help_text=gettext_lazy("Required when reached.")
    )
    score_solution = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=5
    )
    score_attitude = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=5
    )
    score_speed = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=5
    )
    suggestions = CleanCharField(
        required=False, allow_blank=True, max_length=services.TEXT_MAX, default=""
    )
    note = CleanCharField(
        required=False, allow_blank=True, max_length=services.TEXT_MAX, default=""
    )


class FollowUpAssignInputSerializer(VersionInput):
    assignee = CleanCharField(
        max_length=150,
        allow_null=True,
        help_text=gettext_lazy("A username who may run it; null gives it back to the team."),
    )


class FollowUpGiveUpInputSerializer(VersionInput):
    reason = CleanCharField(max_length=services.TEXT_MAX)


class FollowUpSendSurveyInputSerializer(VersionInput):
    channel = serializers.ChoiceField(
        choices=Channel.choices,
        required=False,
        help_text=gettext_lazy("Email (sent through the outbox) or sms (text for staff to send)."),
    )


def _listed(request: Request) -> QuerySet[FollowUp]:
    """The queue the query string asks for (the list and its export)."""
    if not access.can_see_any(request.user):
        raise NotAllowed(_("You have no follow-ups."))
    view = request.query_params.get("view") or "all"
    if view not in selectors.VIEWS:
        message = _("Choose one of: %(views)s.") % {"views": ", ".join(selectors.VIEWS)}
        raise DomainError(message, fields={"view": [message]})
    qs = selectors.followup_list(request.user, view=view).select_related("finished_by")
    number = (request.query_params.get("service_request") or "").strip()
    if number:
        qs = qs.filter(request__number=number[:40])
    status = request.query_params.get("status")
    if status:
        if status not in Status.values:
            message = _("Unknown status.")
            raise DomainError(message, fields={"status": [message]})
        qs = qs.filter(status=status)
    return qs


_LIST_PARAMETERS = [
    OpenApiParameter(
        "view",
        OpenApiTypes.STR,
        enum=list(selectors.VIEWS),
        description="today, overdue, upcoming, done or all (the default)",
    ),
    OpenApiParameter("status", OpenApiTypes.STR, enum=Status.values),
    OpenApiParameter("service_request", OpenApiTypes.STR),
]


class FollowUpViewSet(viewsets.GenericViewSet):
    parser_classes = [JSONParser]
    serializer_class = FollowUpOutputSerializer
    lookup_value_regex = r"[^/]+"
    queryset = FollowUp.objects.none()  # for the schema; get_queryset says what one sees

    def _readers(self) -> None:
        if not access.can_see_any(self.request.user):
            raise NotAllowed(_("You have no follow-ups."))

    def get_queryset(self) -> QuerySet[FollowUp]:
        if getattr(self, "swagger_fake_view", False):
            return FollowUp.objects.none()
        return _listed(self.request)

    def get_object(self) -> FollowUp:
        self._readers()
        try:
            pk = int(self.kwargs["pk"])
        except ValueError:
            raise Http404("No such follow-up.") from None
        return selectors.followup_get_for_user(self.request.user, pk)

    def _output(self, followup: FollowUp, status: int = 200) -> Response:
        fresh = selectors.followup_get_for_user(self.request.user, followup.pk)
        response = Response(FollowUpOutputSerializer(fresh).data, status=status)
        response["ETag"] = f'"{fresh.version}"'
        return response

    @extend_schema(operation_id="follow_ups_list", parameters=_LIST_PARAMETERS)
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(FollowUpOutputSerializer(page, many=True).data)

    @extend_schema(operation_id="follow_ups_retrieve")
    def retrieve(self, request: Request, pk: str) -> Response:
        return self._output(self.get_object())

    record = step_action(
        "record",
        FollowUpRecordInputSerializer,
        lambda followup, request, data: services.followup_record(
            followup, by=request.user, expected_version=data.pop("version", None), data=data
        ),
        operation_id="follow_ups_record",
        responses=FollowUpOutputSerializer,
    )
    assign = step_action(
        "assign",
        FollowUpAssignInputSerializer,
        lambda followup, request, data: services.followup_assign(
            followup,
            assignee=user_named(data["assignee"], field="assignee"),
            by=request.user,
            expected_version=data.get("version"),
        ),
        operation_id="follow_ups_assign",
        responses=FollowUpOutputSerializer,
    )
    give_up = step_action(
        "give_up",
        FollowUpGiveUpInputSerializer,
        lambda followup, request, data: services.followup_give_up(
            followup, by=request.user, reason=data["reason"], expected_version=data.get("version")
        ),
        operation_id="follow_ups_give_up",
        responses=FollowUpOutputSerializer,
        url_path="give-up",
    )
    send_survey = step_action(
        "send_survey",
        FollowUpSendSurveyInputSerializer,
        lambda followup, request, data: services.followup_send_survey(
            followup,
            by=request.user,
            channel=data.get("channel"),
            expected_version=data.get("version"),
        ),
        operation_id="follow_ups_send_survey",
        responses=FollowUpOutputSerializer,
        url_path="send-survey",
    )


class FollowUpExportApi(APIView):
    content_negotiation_class = FileNegotiation

    @extend_schema(
        operation_id="follow_ups_export",
        parameters=[*_LIST_PARAMETERS, FORMAT_PARAMETER],
        responses=EXPORT_RESPONSES,
        summary="The follow-up queue as CSV or XLSX (same filters as the list)",
    )
    def get(self, request: Request) -> Any:
        fmt = export_format(request.query_params)
        rows = _listed(request)
        return export_response(fmt, "follow-ups", exports.COLUMNS, exports.rows(rows))
