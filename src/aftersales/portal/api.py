from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from aftersales.portal import selectors
from aftersales.service_requests.selectors import sla_block


class PublicReplySerializer(serializers.Serializer):
    body = serializers.CharField()
    from_staff = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_from_staff(self, obj) -> bool:  # type: ignore[no-untyped-def]
        return obj.author_id is None or obj.author.role != "customer" if obj.author else True


class TrackedRequestSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField(source="get_status_display")
    kind = serializers.CharField()
    title = serializers.CharField()
    received_at = serializers.DateTimeField()
    first_response_due_at = serializers.DateTimeField(allow_null=True)
    first_responded_at = serializers.DateTimeField(allow_null=True)
    resolution_due_at = serializers.DateTimeField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    scheduled_for = serializers.DateTimeField(allow_null=True)
    resolution = serializers.CharField()
    replies = serializers.SerializerMethodField()
    sla_state = serializers.SerializerMethodField()

    def get_replies(self, obj) -> list[dict]:  # type: ignore[no-untyped-def]
        return PublicReplySerializer(
            selectors.public_replies(obj).select_related("author"), many=True
        ).data

    def get_sla_state(self, obj) -> str:  # type: ignore[no-untyped-def]
        return sla_block(obj)["first_response"]["state"]


class TrackApi(APIView):
    """Status of a request for someone without an account (SPEC §6)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "track"

    @extend_schema(
        operation_id="track_retrieve",
        parameters=[
            OpenApiParameter("contact", str, required=True, description="Phone number or email")
        ],
        responses=TrackedRequestSerializer,
        auth=[],
    )
    def get(self, request: Request, number: str) -> Response:
        contact = request.query_params.get("contact", "")[:254]
        tracked = selectors.tracked_request(number[:64], contact)
        if tracked is None:
            # The same answer for an unknown number and a wrong contact: no enumeration.
            return Response(
                {"message": _("No request matches this number and contact."), "code": "not_found"},
                status=404,
            )
        response = Response(TrackedRequestSerializer(tracked).data)
        response["Cache-Control"] = "no-store"
        return response
