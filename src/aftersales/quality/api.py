"""API of quality feedback: `problem-records/` (list with filters, create, read, change) and
one route per step: `transition`, `actions`, `actions/{id}/done`, `links`, `unlink`; and
`problem-records/spikes/`, the batches failing above their rate now.

Thin: input is checked by explicit serializers, rules by the services (403 not allowed, 409
out of order or stale, 400 with the fields named), reads by the selectors.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from aftersales.accounts.models import Team, User
from aftersales.api.serializers import CleanCharField, StrictSerializer
from aftersales.api.steps import step_action, user_named, valid
from aftersales.catalog.models import Product
from aftersales.core.errors import DomainError, NotAllowed
from aftersales.quality import access, filters, selectors, services, spikes
from aftersales.quality.models import ProblemAction, ProblemRecord, Source, Status
from aftersales.service_requests import access as request_access
from aftersales.service_requests.models import ServiceRequest
from aftersales.service_requests.numbering import normalise_number

# --- Output --------------------------------------------------------------------------------


class ProblemProductSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    model = serializers.CharField()


class ProblemActionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ProblemAction.Kind.choices)
    description = serializers.CharField()
    owner = serializers.CharField(source="owner.username")
    due_on = serializers.DateField()
    done_at = serializers.DateTimeField(allow_null=True)
    done_by = serializers.CharField(source="done_by.username", allow_null=True)
    result = serializers.CharField()


class ProblemLinkOutputSerializer(serializers.Serializer):
    service_request = serializers.CharField(source="request.number")
    title = serializers.SerializerMethodField(
        help_text=gettext_lazy("Null for a reader who may not see the request.")
    )
    product = serializers.CharField(source="request.product.model", allow_null=True)
    batch_number = serializers.CharField(source="request.batch_number")
    received_at = serializers.DateTimeField(source="request.received_at")
    linked_by = serializers.CharField(source="linked_by.username", allow_null=True)
    linked_at = serializers.DateTimeField()

    @extend_schema_field(OpenApiTypes.STR)
    def get_title(self, obj: Any) -> str | None:
        visible = self.context.get("visible_requests", set())
        return obj.request.title if obj.request_id in visible else None


class ProblemOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    symptom = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    source = serializers.ChoiceField(choices=Source.choices)
    team = serializers.IntegerField(source="team_id")
    team_name = serializers.CharField(source="team.name")
    products = ProblemProductSerializer(many=True, source="products.all")
    batches = serializers.SerializerMethodField()
    root_cause = serializers.CharField()
    opened_by = serializers.CharField(source="opened_by.username", allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    verified_at = serializers.DateTimeField(allow_null=True)
    verified_by = serializers.CharField(source="verified_by.username", allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    cancel_reason = serializers.CharField()
    actions = ProblemActionOutputSerializer(many=True, source="actions.all")
    requests = ProblemLinkOutputSerializer(many=True, source="links.all")
    version = serializers.IntegerField()
    next_steps = serializers.SerializerMethodField(
        help_text=gettext_lazy("The lifecycle steps the reader may take now.")
    )

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_batches(self, obj: ProblemRecord) -> list[str]:
        return [batch.batch_number for batch in obj.batches.all()]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_next_steps(self, obj: ProblemRecord) -> list[str]:
        user = self.context["request"].user
        return [t.name for t in services.available(obj, user)]


class SpikeOutputSerializer(serializers.Serializer):
    product = serializers.IntegerField(source="product_id")
    product_model = serializers.CharField()
    batch_number = serializers.CharField()
    count = serializers.IntegerField(help_text=gettext_lazy("Fault requests in the window."))
    baseline_count = serializers.IntegerField(
        help_text=gettext_lazy("Fault requests in the baseline weeks before the window.")
    )
    baseline_weeks = serializers.IntegerField()
    expected = serializers.FloatField(help_text=gettext_lazy("Expected count in the window."))
    ratio = serializers.FloatField()
    p_value = serializers.FloatField(help_text=gettext_lazy("Poisson upper-tail probability."))
    units = serializers.IntegerField(help_text=gettext_lazy("Units of the batch known as sold."))
    per_100_units = serializers.FloatField(allow_null=True)
    window_start = serializers.DateTimeField()
    window_end = serializers.DateTimeField()
    requests = serializers.SerializerMethodField(help_text=gettext_lazy("Their service numbers."))
    problem_record = serializers.SerializerMethodField(
        help_text=gettext_lazy("An active problem record that covers the batch already.")
    )

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_requests(self, obj: spikes.BatchRate) -> list[str]:
        numbers = self.context.get("numbers", {})
        return [numbers[pk] for pk in obj.request_ids if pk in numbers]

    @extend_schema_field(OpenApiTypes.STR)
    def get_problem_record(self, obj: spikes.BatchRate) -> str | None:
        found = self.context.get("existing", {}).get((obj.product_id, obj.batch_number))
        return found.number if found else None


# --- Input ---------------------------------------------------------------------------------


def _text(limit: int, **kwargs: Any) -> CleanCharField:
    return CleanCharField(max_length=limit, required=False, allow_blank=True, **kwargs)


class _Versioned(StrictSerializer):
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text=gettext_lazy("The version read; a stale one is refused with 409."),
    )


class ProblemCreateInputSerializer(StrictSerializer):
    title = CleanCharField(max_length=services.TITLE_MAX)
    symptom = CleanCharField(max_length=services.TEXT_MAX)
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(),
        help_text=gettext_lazy("The owner department (production/QC, R&D or training)."),
    )
    products = serializers.ListField(
        child=serializers.PrimaryKeyRelatedField(queryset=Product.objects.all()),
        required=False,
        max_length=50,
    )
    batches = serializers.ListField(
        child=CleanCharField(max_length=services.BATCH_MAX),
        required=False,
        max_length=services.MAX_BATCHES,
    )
    root_cause = _text(services.TEXT_MAX)
    requests = serializers.ListField(
        child=CleanCharField(max_length=40),
        required=False,
        max_length=500,
        help_text=gettext_lazy("Service numbers to link at once."),
    )


class ProblemUpdateInputSerializer(_Versioned):
    title = CleanCharField(max_length=services.TITLE_MAX, required=False)
    symptom = CleanCharField(max_length=services.TEXT_MAX, required=False)
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False)
    products = serializers.ListField(
        child=serializers.PrimaryKeyRelatedField(queryset=Product.objects.all()),
        required=False,
        max_length=50,
    )
    batches = serializers.ListField(
        child=CleanCharField(max_length=services.BATCH_MAX),
        required=False,
        max_length=services.MAX_BATCHES,
    )
    root_cause = _text(services.TEXT_MAX)


class ProblemTransitionInputSerializer(_Versioned):
    action = serializers.ChoiceField(choices=sorted(services.TRANSITIONS))
    reason = _text(services.TEXT_MAX, default="")


class ProblemActionInputSerializer(_Versioned):
    kind = serializers.ChoiceField(choices=ProblemAction.Kind.choices)
    description = CleanCharField(max_length=services.ACTION_MAX)
    owner = CleanCharField(max_length=150, help_text=gettext_lazy("The owner's username."))
    due_on = serializers.DateField()


class ProblemActionDoneInputSerializer(StrictSerializer):
    result = CleanCharField(max_length=services.ACTION_MAX)


class ProblemLinkInputSerializer(StrictSerializer):
    service_request = CleanCharField(max_length=40, help_text=gettext_lazy("A service number."))


def _request(user: User, number: str) -> ServiceRequest:
    found = request_access.visible_to(user).filter(number=normalise_number(number)).first()
    if found is None:
        message = _("No such service request: %(number)s.") % {"number": number}
        raise DomainError(message, fields={"service_request": [message]})
    return found


def _add_action(problem: ProblemRecord, request: Request, data: dict[str, Any]) -> ProblemRecord:
    data["owner"] = user_named(data["owner"], field="owner")
    version = data.pop("version", None)
    services.problem_action_add(problem, by=request.user, data=data, expected_version=version)
    return problem


def _linkable(
    request: Request, problem: ProblemRecord, data: dict[str, Any], refusal: str
) -> ServiceRequest:
    """The request named in `data`, once the reader may change the record's links (on a
    record no longer active the service answers instead, with a 409)."""
    if not access.can_link(request.user, problem) and problem.is_active:
        raise NotAllowed(refusal)
    return _request(request.user, data["service_request"])


class ProblemRecordViewSet(viewsets.GenericViewSet):
    parser_classes = [JSONParser]
    serializer_class = ProblemOutputSerializer
    filterset_class = filters.ProblemFilter
    lookup_field = "number"
    lookup_value_regex = "[^/]+"

    def _reader(self) -> None:
        if not access.is_reader(self.request.user):
            raise NotAllowed(_("Only staff see problem records."))

    def get_queryset(self) -> QuerySet[ProblemRecord]:
        if getattr(self, "swagger_fake_view", False):
            return ProblemRecord.objects.none()  # the schema generator asks without a user
        self._reader()
        return selectors.problem_list(self.request.user).prefetch_related(
            "actions__owner", "actions__done_by", "links__request__product", "links__linked_by"
        )

    def get_object(self) -> ProblemRecord:
        self._reader()
        return selectors.problem_get_for_user(self.request.user, self.kwargs["number"])

    def _context(self, rows: list[ProblemRecord]) -> dict[str, Any]:
        ids = {link.request_id for row in rows for link in row.links.all()}
        visible = set(
            request_access.visible_to(self.request.user)
            .filter(pk__in=ids)
            .values_list("pk", flat=True)
        )
        return {"request": self.request, "visible_requests": visible}

    def _output(self, problem: ProblemRecord, status: int = 200) -> Response:
        fresh = selectors.problem_get_for_user(self.request.user, problem.number)
        data = ProblemOutputSerializer(fresh, context=self._context([fresh])).data
        response = Response(data, status=status)
        response["ETag"] = f'"{fresh.version}"'
        return response

    @extend_schema(operation_id="problem_records_list")
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        data = ProblemOutputSerializer(page, many=True, context=self._context(page)).data
        return self.get_paginated_response(data)

    @extend_schema(
        operation_id="problem_records_create",
        request=ProblemCreateInputSerializer,
        responses={201: ProblemOutputSerializer},
    )
    def create(self, request: Request) -> Response:
        self._reader()
        if not access.can_create(request.user):
            raise NotAllowed(_("Only supervisors and administrators open problem records."))
        data = valid(ProblemCreateInputSerializer, request.data)
        linked = [_request(request.user, number) for number in data.pop("requests", [])]
        problem = services.problem_create(by=request.user, data=data, requests=linked)
        return self._output(problem, status=201)

    @extend_schema(operation_id="problem_records_retrieve")
    def retrieve(self, request: Request, number: str) -> Response:
        return self._output(self.get_object())

    @extend_schema(
        operation_id="problem_records_partial_update",
        request=ProblemUpdateInputSerializer,
        responses=ProblemOutputSerializer,
    )
    def partial_update(self, request: Request, number: str) -> Response:
        problem = self.get_object()
        data = valid(ProblemUpdateInputSerializer, request.data)
        version = data.pop("version", None)
        problem = services.problem_update(
            problem, by=request.user, data=data, expected_version=version
        )
        return self._output(problem)

    transition = step_action(
        "transition",
        ProblemTransitionInputSerializer,
        lambda problem, request, data: services.problem_transition(
            problem,
            data["action"],
            by=request.user,
            reason=data["reason"],
            expected_version=data.get("version"),
        ),
        operation_id="problem_records_transition",
        responses=ProblemOutputSerializer,
    )
    actions = step_action(
        "actions",
        ProblemActionInputSerializer,
        _add_action,
        operation_id="problem_records_actions_create",
        responses={201: ProblemOutputSerializer},
        status=201,
    )

    @extend_schema(
        operation_id="problem_records_action_done",
        request=ProblemActionDoneInputSerializer,
        responses=ProblemOutputSerializer,
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"actions/(?P<action_id>[0-9]{1,18})/done",
        url_name="action-done",
    )
    def action_done(self, request: Request, number: str, action_id: str) -> Response:
        problem = self.get_object()
        found = next((a for a in problem.actions.all() if a.pk == int(action_id)), None)
        if found is None:
            raise Http404("No such action.")
        data = valid(ProblemActionDoneInputSerializer, request.data)
        services.problem_action_done(found, by=request.user, result=data["result"])
        return self._output(problem)

    links = step_action(
        "links",
        ProblemLinkInputSerializer,
        lambda problem, request, data: services.problem_link(
            problem,
            _linkable(
                request, problem, data, _("You may not link requests to this problem record.")
            ),
            by=request.user,
        ),
        operation_id="problem_records_link",
        responses=ProblemOutputSerializer,
    )
    unlink = step_action(
        "unlink",
        ProblemLinkInputSerializer,
        lambda problem, request, data: services.problem_unlink(
            problem,
            _linkable(
                request, problem, data, _("You may not unlink requests from this problem record.")
            ),
            by=request.user,
        ),
        operation_id="problem_records_unlink",
        responses=ProblemOutputSerializer,
    )

    @extend_schema(
        operation_id="problem_records_spikes", responses=SpikeOutputSerializer(many=True)
    )
    @action(detail=False, methods=["get"], pagination_class=None, filterset_class=None)
    def spikes(self, request: Request) -> Response:
        self._reader()
        if not access.sees_reports(request.user):
            raise NotAllowed(_("You may not see the quality reports."))
        found = spikes.spikes_detect()
        ids = [pk for batch in found for pk in batch.request_ids]
        numbers = dict(ServiceRequest.objects.filter(pk__in=ids).values_list("pk", "number"))
        existing = selectors.open_problems_for_batches(
            [(b.product_id, b.batch_number) for b in found]
        )
        context = {"numbers": numbers, "existing": existing}
        return Response(SpikeOutputSerializer(found, many=True, context=context).data)
