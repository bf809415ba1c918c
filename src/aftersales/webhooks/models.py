"""Integrations with other systems: outgoing webhooks and their delivery log, and the
remembered answers of API requests sent with an Idempotency-Key."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Event(models.TextChoices):
    CREATED = "service_request.created", _("Service request created")
    STATUS_CHANGED = "service_request.status_changed", _("Status changed")
    COMMENTED = "service_request.commented", _("Reply added")
    SLA_BREACHED = "sla.breached", _("SLA target missed")
    SURVEY_ANSWERED = "survey.answered", _("Survey answered")
    # Sent by an administrator ("send a test") only; no subscription asks for it.
    PING = "ping", _("Test")


SUBSCRIBABLE_EVENTS = [e for e in Event if e != Event.PING]


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class WebhookSubscription(models.Model):
    """An integrator's endpoint and the events it receives. The secret signs every payload;
    only administrators see it (they manage subscriptions and hand it to the integrator)."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(_("secret"), max_length=100, default=new_secret)
    is_active = models.BooleanField(_("active"), default=True)
    # Deliveries to private, loopback or link-local addresses are refused unless an
    # administrator allows them for this subscription (an endpoint inside our network).
    allow_private = models.BooleanField(_("allow private addresses"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return self.name


class WebhookDelivery(models.Model):
    """One event for one subscription: written in the transaction of the fact it reports,
    sent after commit by a worker, retried with growing waits, then given up (failed)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Sending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    subscription = models.ForeignKey(
        WebhookSubscription,
        verbose_name=_("webhook"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    event = models.CharField(_("event"), max_length=40, choices=Event)
    # What makes this fact unique (e.g. "service_request.commented:42"): it is delivered
    # once to each subscription however often it is noticed.
    event_key = models.CharField(max_length=200)
    # The receiver's deduplication key (header X-Aftersales-Delivery), fixed at writing.
    delivery_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.PENDING, editable=False
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0, editable=False)
    next_attempt_at = models.DateTimeField(_("next attempt"), editable=False)
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_status_code = models.PositiveSmallIntegerField(
        _("last HTTP status"), null=True, blank=True, editable=False
    )
    last_error = models.TextField(_("last error"), blank=True, editable=False)
    response_excerpt = models.TextField(_("response"), blank=True, editable=False)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_due")]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event_key"], name="webhook_delivery_once_per_event"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sending", "delivered", "failed"]),
                name="webhook_delivery_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="delivered") | Q(delivered_at__isnull=False),
                name="webhook_delivered_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscription}"


class IdempotencyRecord(models.Model):
    """The first answer to a creation sent with an Idempotency-Key, kept for a day so a
    client that retries gets it again instead of a second request. Written in the same
    transaction as what it created: it exists if and only if that was committed."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # SHA-256 of the canonical JSON of the payload: the same key with another payload is
    # refused.
    request_hash = models.CharField(max_length=64)
    # Empty only inside the creating transaction, between the claim and the answer.
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once_per_user")
        ]

    def __str__(self) -> str:
        return self.key
