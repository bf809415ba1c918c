from django.db import connection
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales.core.models import Heartbeat


class HealthApi(APIView):
    """Is the database reachable, and when did a background worker last run?"""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="health_retrieve",
        auth=[],
        responses={
            200: inline_serializer(
                "Health",
                {
                    "status": serializers.CharField(),
                    "database": serializers.CharField(),
                    "worker_last_beat": serializers.DateTimeField(allow_null=True),
                    "worker": serializers.CharField(),
                },
            )
        },
    )
    def get(self, request: Request) -> Response:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            beat = Heartbeat.objects.filter(name="worker").values_list("beat_at", flat=True).first()
        except Exception:  # noqa: BLE001 - any database failure is "down", never a 500
            return Response(
                {
                    "status": "down",
                    "database": "down",
                    "worker_last_beat": None,
                    "worker": "unknown",
                },
                status=503,
            )
        worker = "ok" if beat and (timezone.now() - beat).total_seconds() < 180 else "late"
        return Response(
            {"status": "ok", "database": "ok", "worker_last_beat": beat, "worker": worker}
        )
