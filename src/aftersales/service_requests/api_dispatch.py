"""The assignment table and the task force in the API (SPEC §2.3–2.4, §6)."""

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales.accounts.models import User
from aftersales.api.exports import EXPORT_RESPONSES, FORMAT_PARAMETER, FileNegotiation
from aftersales.api.pagination import Pagination
from aftersales.api.serializers import CleanSlugRelatedField, StrictSerializer
from aftersales.core.errors import NotAllowed
from aftersales.core.exports import export_format, export_response
from aftersales.service_requests import access, assignments, exports, selectors
from aftersales.service_requests.filters import AssignmentFilter
from aftersales.service_requests.models import Assignment, Participant, ServiceRequest


def _username(user: User | None) -> str | None:
    return user.username if user is not None else None


class AssignmentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(source="request.number")
    assignee = serializers.SerializerMethodField()
    team = serializers.IntegerField(source="team_id", allow_null=True)
    assigned_by = serializers.SerializerMethodField()
    method = serializers.ChoiceField(choices=Assignment.Method.choices)
    reason = serializers.CharField()
    assigned_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(OpenApiTypes.STR)
    def get_assignee(self, obj: Assignment) -> str | None:
        return _username(obj.assignee)

    @extend_schema_field(OpenApiTypes.STR)
    def get_assigned_by(self, obj: Assignment) -> str | None:
        """Empty: the system (routing, an escalation rule)."""
        return _username(obj.assigned_by)


class ParticipantOutputSerializer(serializers.Serializer):
    username = serializers.CharField(source="user.username")
    name = serializers.CharField(source="user.display_name")
    added_by = serializers.SerializerMethodField()
    added_at = serializers.DateTimeField()

    @extend_schema_field(OpenApiTypes.STR)
    def get_added_by(self, obj: Participant) -> str | None:
        return _username(obj.added_by)


class ParticipantInputSerializer(StrictSerializer):
    username = CleanSlugRelatedField(
        slug_field="username", queryset=User.objects.filter(is_active=True)
    )


def _staff_request(request: Request, number: str) -> ServiceRequest:
    """The request, for staff who may see it: 404 when unseen, 403 for its customer."""
    target = selectors.service_request_get_for_user(request.user, number)
    if not access.is_staff(request.user):
        raise NotAllowed(_("Only staff see how a request is assigned."))
    return target


class RequestAssignmentsApi(APIView):
    @extend_schema(
        operation_id="service_requests_assignments",
        responses=AssignmentOutputSerializer(many=True),
        summary="The request's lines of the assignment table, oldest first",
    )
    def get(self, request: Request, number: str) -> Response:
        target = _staff_request(request, number)
        rows = target.assignments.select_related("request", "assignee", "assigned_by")
        return Response(AssignmentOutputSerializer(rows, many=True).data)


class ParticipantsApi(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="service_requests_participants_list",
        responses=ParticipantOutputSerializer(many=True),
    )
    def get(self, request: Request, number: str) -> Response:
        target = _staff_request(request, number)
        return Response(
            ParticipantOutputSerializer(selectors.participants_of(target), many=True).data
        )

    @extend_schema(
        operation_id="service_requests_participants_add",
        request=ParticipantInputSerializer,
        responses={201: ParticipantOutputSerializer},
        summary="Add someone to the task force (dispatchers and the request's owner)",
    )
    def post(self, request: Request, number: str) -> Response:
        target = _staff_request(request, number)
        data = ParticipantInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        participant = assignments.participant_add(
            target, user=data.validated_data["username"], by=request.user
        )
        return Response(ParticipantOutputSerializer(participant).data, status=201)


class ParticipantDetailApi(APIView):
    @extend_schema(operation_id="service_requests_participants_remove", responses={204: None})
    def delete(self, request: Request, number: str, username: str) -> Response:
        target = _staff_request(request, number)
        user = get_object_or_404(User, username=username)
        assignments.participant_remove(target, user=user, by=request.user)
        return Response(status=204)


def _assignment_rows(request: Request) -> Any:
    if not access.is_staff(request.user):
        raise NotAllowed(_("Only staff see the assignment table."))
    filterset = AssignmentFilter(
        request.query_params, queryset=selectors.assignments_for(request.user)
    )
    if not filterset.is_valid():
        raise serializers.ValidationError(filterset.errors)
    return filterset.qs.order_by("-assigned_at", "-id")


class AssignmentListApi(APIView):
    @extend_schema(
        operation_id="assignments_list",
        filters=True,
        responses=AssignmentOutputSerializer(many=True),
        summary="The assignment table (任务分配表), newest first",
    )
    def get(self, request: Request) -> Response:
        rows = _assignment_rows(request)
        paginator = Pagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(AssignmentOutputSerializer(page, many=True).data)

    filterset_class = AssignmentFilter


class AssignmentExportApi(APIView):
    content_negotiation_class = FileNegotiation

    @extend_schema(
        operation_id="assignments_export",
        filters=True,
        parameters=[FORMAT_PARAMETER],
        responses=EXPORT_RESPONSES,
        summary="The assignment table as CSV or XLSX (same filters as the list)",
    )
    def get(self, request: Request) -> Any:
        fmt = export_format(request.query_params)
        rows = _assignment_rows(request)
        return export_response(
            fmt, "assignments", exports.ASSIGNMENT_COLUMNS, exports.assignment_rows(rows)
        )

    filterset_class = AssignmentFilter
