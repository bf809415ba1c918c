"""API of satisfaction surveys: `surveys/` (the invitations sent, read-only for staff who see
their request), `surveys/summary/` (CSAT and mean scores over a period, by team; the
comments, searchable) and `survey-questions/` (read by staff, changed by admins)."""

from typing import Any

from django.db.models import ProtectedError, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from aftersales.api.serializers import CleanCharField
from aftersales.core.errors import Conflict, DomainError, NotAllowed
from aftersales.surveys import access, selectors
from aftersales.surveys.models import Channel, Invitation, Question, QuestionKind, Source
from aftersales.surveys.views import period


class InvitationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    service_request = serializers.CharField(source="request.number")
    channel = serializers.ChoiceField(choices=Channel.choices)
    recipient = serializers.CharField()
    language = serializers.CharField()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    used_at = serializers.DateTimeField(allow_null=True)
    message_text = serializers.CharField(
        help_text=gettext_lazy("For a text message: what staff send (there is no SMS gateway).")
    )


class QuestionSerializer(serializers.ModelSerializer):
    code = serializers.SlugField(max_length=40)
    text_zh_hans = CleanCharField(max_length=300)
    text_zh_hant = CleanCharField(max_length=300, required=False, allow_blank=True)
    text_en = CleanCharField(max_length=300, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=QuestionKind.choices)

    class Meta:
        model = Question
        fields = [
            "id",
            "code",
            "kind",
            "text_zh_hans",
            "text_zh_hant",
            "text_en",
            "order",
            "required",
            "is_active",
        ]

    def validate_code(self, value: str) -> str:
        clash = Question.objects.filter(code=value)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError(_("Another question has this code."))
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        changes_kind = self.instance is not None and attrs.get("kind", self.instance.kind) != (
            self.instance.kind
        )
        if changes_kind and self.instance.answers.exists():
            raise serializers.ValidationError(
                {"kind": [_("The question has answers: add a new question instead.")]}
            )
        return attrs


class InvitationViewSet(viewsets.GenericViewSet):
    serializer_class = InvitationOutputSerializer
    queryset = Invitation.objects.none()  # for the schema; get_queryset says what one sees

    def get_queryset(self) -> QuerySet[Invitation]:
        if getattr(self, "swagger_fake_view", False):
            return Invitation.objects.none()
        if not access.can_read_questions(self.request.user):
            raise NotAllowed(_("Only staff see survey invitations."))
        qs = access.invitations_visible_to(self.request.user).select_related("request")
        number = (self.request.query_params.get("service_request") or "").strip()
        return qs.filter(request__number=number[:40]) if number else qs

    @extend_schema(
        operation_id="surveys_list",
        parameters=[OpenApiParameter("service_request", OpenApiTypes.STR)],
    )
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(InvitationOutputSerializer(page, many=True).data)

    @extend_schema(operation_id="surveys_retrieve")
    def retrieve(self, request: Request, pk: str) -> Response:
        try:
            key = int(pk)
        except ValueError:
            raise Http404("No such invitation.") from None
        invitation = self.get_queryset().filter(pk=key).first()
        if invitation is None:
            raise Http404("No such invitation.")
        return Response(InvitationOutputSerializer(invitation).data)

    @extend_schema(
        operation_id="surveys_summary",
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description="first day (inclusive)"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="last day (inclusive)"),
            OpenApiParameter("team", OpenApiTypes.INT),
            OpenApiParameter("source", OpenApiTypes.STR, enum=Source.values),
            OpenApiParameter("search", OpenApiTypes.STR, description="comments containing"),
        ],
        responses=inline_serializer(
            "SurveySummary",
            {
                "from": serializers.DateField(),
                "to": serializers.DateField(),
                "responses": serializers.IntegerField(),
                "score_answers": serializers.IntegerField(),
                "csat": serializers.FloatField(allow_null=True),
                "mean": serializers.FloatField(allow_null=True),
                "questions": serializers.ListField(child=serializers.DictField()),
                "by_team": serializers.ListField(child=serializers.DictField()),
                "comments": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    @action(detail=False, methods=["get"])
    def summary(self, request: Request) -> Response:
        if not access.can_see_measures(request.user):
            raise NotAllowed(_("Supervisors, analysts and administrators see satisfaction."))
        params = request.query_params
        first, last, start, end, error = period(params.get("from"), params.get("to"))
        if error:
            raise DomainError(error, fields={"from": [error]})
        team_raw = params.get("team") or ""
        if team_raw and not team_raw.isdigit():
            message = _("Give the team's id.")
            raise DomainError(message, fields={"team": [message]})
        source = params.get("source") or ""
        if source and source not in Source.values:
            message = _("Unknown source.")
            raise DomainError(message, fields={"source": [message]})
        team_id = int(team_raw) if team_raw else None
        result = selectors.summary(start=start, end=end, team_id=team_id, source=source)
        comments = selectors.comments(
            search=(params.get("search") or "")[:200], start=start, end=end, team_id=team_id
        )[:100]
        return Response(
            {
                "from": first,
                "to": last,
                "responses": result.responses,
                "score_answers": result.score_answers,
                "csat": result.csat,
                "mean": result.mean,
                "questions": [
                    {
                        "code": q.question.code,
                        "mean": q.mean,
                        "csat": q.csat,
                        "answers": q.answers,
                    }
                    for q in result.questions
                ],
                "by_team": result.by_team,
                "comments": [
                    {
                        "service_request": a.response.request.number,
                        "question": a.question.code,
                        "text": a.text,
                        "source": a.response.source,
                        "answered_at": a.response.answered_at,
                    }
                    for a in comments
                ],
            }
        )


class QuestionViewSet(viewsets.ModelViewSet):
    parser_classes = [JSONParser]
    serializer_class = QuestionSerializer
    queryset = Question.objects.order_by("order", "id")

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if not access.can_read_questions(request.user):
            raise NotAllowed(_("Only staff see the survey questions."))
        if request.method not in ("GET", "HEAD", "OPTIONS") and not access.can_manage_questions(
            request.user
        ):
            raise NotAllowed(_("Only administrators change the survey questions."))

    def perform_destroy(self, instance: Question) -> None:
        try:
            instance.delete()
        except ProtectedError:
            raise Conflict(
                _("The question has answers: make it inactive instead of deleting it.")
            ) from None
