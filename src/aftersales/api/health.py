from django.db import connection
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aftersales.core.models import Heartbeat
from aftersales.mailin.models import InboundMessage, Mailbox
from aftersales.notifications.models import OutboxMessage


def _mail_state() -> dict[str, object]:
    """Counts only (the endpoint is public): mailboxes whose last fetches failed, incoming
    mail set aside for an administrator, outgoing messages that failed for good or wait."""
    mailboxes = Mailbox.objects.filter(active=True)
    failing = mailboxes.filter(consecutive_failures__gt=0).count()
    return {
        "mailboxes": "none" if not mailboxes.exists() else ("failing" if failing else "ok"),
        "mailboxes_failing": failing,
        "mail_quarantined": InboundMessage.objects.filter(
            status=InboundMessage.Status.QUARANTINED
        ).count(),
        "outbox_failed": OutboxMessage.objects.filter(status=OutboxMessage.Status.FAILED).count(),
        "outbox_waiting": OutboxMessage.objects.filter(
            status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.SENDING]
        ).count(),
    }


class HealthApi(APIView):
    """Is the database reachable, when did a background worker last run, and how is the
    mail doing (mailboxes, quarantine, the outbox)?"""

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
                    "mailboxes": serializers.ChoiceField(["ok", "failing", "none"]),
                    "mailboxes_failing": serializers.IntegerField(),
                    "mail_quarantined": serializers.IntegerField(),
                    "outbox_failed": serializers.IntegerField(),
                    "outbox_waiting": serializers.IntegerField(),
                },
            )
        },
    )
    def get(self, request: Request) -> Response:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            beat = Heartbeat.objects.filter(name="worker").values_list("beat_at", flat=True).first()
            mail = _mail_state()
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
            {
                "status": "ok",
                "database": "ok",
                "worker_last_beat": beat,
                "worker": worker,
                **mail,
            }
        )
