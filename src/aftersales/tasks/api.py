"""API of internal tasks: `tasks/` (what the reader may see, with filters) and one route per
action. Rules live in the services (403, 409 when out of order or stale, 400 naming the field).
"""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from aftersales.api.serializers import CleanCharField
from aftersales.api.steps import VersionInput, step_action, user_named
from aftersales.core.errors import NotAllowed
from aftersales.service_requests import access as request_access
from aftersales.tasks import filters, selectors, services
from aftersales.tasks.models import Status, Task


class TaskOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    team = serializers.IntegerField(source="team_id")
    team_name = serializers.CharField(source="team.name")
    assignee = serializers.CharField(source="assignee.username", allow_null=True)
    service_request = serializers.SerializerMethodField(
        help_text=gettext_lazy("Its service number; null for a reader who may not see it.")
    )
    source = serializers.CharField(help_text=gettext_lazy("What opened it."))
    source_id = serializers.IntegerField(allow_null=True)
    status = serializers.ChoiceField(choices=Status.choices)
    due_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    created_by = serializers.CharField(source="created_by.username", allow_null=True)
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    finished_by = serializers.CharField(source="finished_by.username", allow_null=True)
    outcome = serializers.CharField()
    reference = serializers.CharField()
    version = serializers.IntegerField()

    @extend_schema_field(OpenApiTypes.STR)
    def get_service_request(self, obj: Task) -> str | None:
        if obj.service_request_id is None:
            return None
        visible = self.context.get("visible_requests", set())
        return obj.service_request.number if obj.service_request_id in visible else None


class _Step(VersionInput):
    pass  # the input of start and take; its name is the schema's `_StepRequest`


class TaskFinishInputSerializer(_Step):
    outcome = CleanCharField(max_length=services.TEXT_MAX)
    reference = CleanCharField(
        max_length=services.REFERENCE_MAX, required=False, allow_blank=True, default=""
    )


class TaskCancelInputSerializer(_Step):
    reason = CleanCharField(max_length=services.TEXT_MAX)


class TaskAssignInputSerializer(_Step):
    assignee = CleanCharField(
        max_length=150,
        allow_null=True,
        help_text=gettext_lazy("A username in the task's team; null gives it back to the team."),
    )


class TaskViewSet(viewsets.GenericViewSet):
    parser_classes = [JSONParser]
    serializer_class = TaskOutputSerializer
    filterset_class = filters.TaskFilter

    def get_queryset(self) -> QuerySet[Task]:
        if getattr(self, "swagger_fake_view", False):
            return Task.objects.none()  # the schema generator asks without a user
        if not request_access.is_staff(self.request.user):
            raise NotAllowed(_("Only staff have tasks."))
        return selectors.task_list(self.request.user, view="all").select_related(
            "created_by", "finished_by"
        )

    def get_object(self) -> Task:
        if not request_access.is_staff(self.request.user):
            raise NotAllowed(_("Only staff have tasks."))
        try:
            pk = int(self.kwargs["pk"])
        except ValueError:
            raise Http404("No such task.") from None
        return selectors.task_get_for_user(self.request.user, pk)

    def _context(self, rows: list[Task]) -> dict[str, Any]:
        ids = {task.service_request_id for task in rows if task.service_request_id}
        visible = set(
            request_access.visible_to(self.request.user)
            .filter(pk__in=ids)
            .values_list("pk", flat=True)
        )
        return {"request": self.request, "visible_requests": visible}

    def _output(self, task: Task, status: int = 200) -> Response:
        fresh = selectors.task_get_for_user(self.request.user, task.pk)
        data = TaskOutputSerializer(fresh, context=self._context([fresh])).data
        response = Response(data, status=status)
        response["ETag"] = f'"{fresh.version}"'
        return response

    @extend_schema(operation_id="tasks_list")
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        data = TaskOutputSerializer(page, many=True, context=self._context(page)).data
        return self.get_paginated_response(data)

    @extend_schema(operation_id="tasks_retrieve")
    def retrieve(self, request: Request, pk: str) -> Response:
        return self._output(self.get_object())

    start = step_action(
        "start",
        _Step,
        lambda task, request, data: services.task_start(
            task, by=request.user, expected_version=data.get("version")
        ),
        operation_id="tasks_start",
        responses=TaskOutputSerializer,
    )
    take = step_action(
        "take",
        _Step,
        lambda task, request, data: services.task_assign(
            task, assignee=request.user, by=request.user, expected_version=data.get("version")
        ),
        operation_id="tasks_take",
        responses=TaskOutputSerializer,
    )
    assign = step_action(
        "assign",
        TaskAssignInputSerializer,
        lambda task, request, data: services.task_assign(
            task,
            assignee=user_named(data["assignee"], field="assignee"),
            by=request.user,
            expected_version=data.get("version"),
        ),
        operation_id="tasks_assign",
        responses=TaskOutputSerializer,
    )
    finish = step_action(
        "finish",
        TaskFinishInputSerializer,
        lambda task, request, data: services.task_finish(
            task, by=request.user, expected_version=data.pop("version", None), data=data
        ),
        operation_id="tasks_finish",
        responses=TaskOutputSerializer,
    )
    cancel = step_action(
        "cancel",
        TaskCancelInputSerializer,
        lambda task, request, data: services.task_cancel(
            task, by=request.user, reason=data["reason"], expected_version=data.get("version")
        ),
        operation_id="tasks_cancel",
        responses=TaskOutputSerializer,
    )
