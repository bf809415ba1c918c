from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """An in-app message for a member of staff. `key` makes each fact notify a person once,
    however often the code that notices it runs."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    key = models.CharField(max_length=200)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], name="notification_once_per_recipient_and_key"
            )
        ]

    def __str__(self) -> str:
        return self.title


class OutboxMessage(models.Model):
    """A message to be sent (SPEC §4: "the supervisor is told"), written in the same
    transaction as the fact it reports and sent after commit by a worker, with retries.

    `key` makes each fact produce one message per recipient however often it is noticed;
    `message_id` is fixed at writing, so a message sent again after a crash carries the
    same Message-ID and mail clients show it once.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("Text message")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    key = models.CharField(max_length=200, unique=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel, default=Channel.EMAIL)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # An email address, or a phone number for a text message.
    to_address = models.CharField(_("to"), max_length=254)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    message_id = models.CharField(max_length=255, unique=True)
    # The customer's Message-ID this mail answers (sent as In-Reply-To), if any.
    in_reply_to = models.CharField(max_length=255, blank=True, default="")
    # What the message is about (e.g. a service number), to show its delivery there.
    reference = models.CharField(_("about"), max_length=50, blank=True, db_index=True)
    # The customer notice this is (notices app), e.g. "receipt"; empty for staff mail.
    event = models.CharField(_("notice"), max_length=40, blank=True, default="")
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.PENDING, editable=False
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0, editable=False)
    next_attempt_at = models.DateTimeField(_("next attempt"), editable=False)
    # A worker that claimed the message holds it until then; after that (it crashed) the
    # message is due again.
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "sending", "sent", "failed"]),
                name="outbox_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(channel__in=["email", "sms"]), name="outbox_channel_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                name="outbox_sent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.to_address}: {self.subject}"


class OutboxAttachment(models.Model):
    """A file sent with an outgoing mail. Stored by its content's SHA-256 under `outbox/` in
    private storage (the same files are written once however many mails carry them), so
    the mail sent again after a failure carries what was written, even if the document it
    came from was made again since."""

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(max_length=200)
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename
