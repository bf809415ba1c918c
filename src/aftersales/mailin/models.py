"""Email intake (issue 6): the mailboxes we poll and every message that came in.

A message is stored before anything reads it (`InboundMessage.raw`, the exact bytes), in its
own committed transaction; only then is it marked seen on the server, and only then parsed,
by a separate step that may run again without doing anything twice. The raw bytes live in
the database (a BinaryField), not in a file: they commit or roll back with their row, so
there is never a row without its bytes or bytes without their row, and backups hold both.
Their size is bounded by `MAILIN_MAX_BYTES`; a larger message keeps its headers only and is
quarantined as oversized.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import BaseModel


class Mailbox(BaseModel):
    """An IMAP folder an administrator set up. The password is never stored here:
    `password_env` names the environment variable that holds it."""

    class Security(models.TextChoices):
        SSL = "ssl", _("TLS from the start (IMAPS, port 993)")
        STARTTLS = "starttls", _("STARTTLS (port 143)")
        NONE = "none", _("None (loopback and tests only)")

    name = models.CharField(_("name"), max_length=100, unique=True)
    host = models.CharField(_("IMAP host"), max_length=255)
    port = models.PositiveIntegerField(_("port"), default=993)
    security = models.CharField(
        _("security"), max_length=10, choices=Security, default=Security.SSL
    )
    username = models.CharField(_("user name"), max_length=255)
    password_env = models.CharField(
        _("password variable"),
        max_length=100,
        help_text=_(
            "The name of the environment variable that holds the password, e.g. "
            "AFTERSALES_MAILBOX_SERVICE_PASSWORD. The password itself is never stored."
        ),
    )
    folder = models.CharField(_("folder"), max_length=255, default="INBOX")
    active = models.BooleanField(_("active"), default=True)
    last_uidvalidity = models.BigIntegerField(_("UIDVALIDITY"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last successful fetch"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    consecutive_failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    next_poll_at = models.DateTimeField(_("next fetch not before"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        constraints = [
            models.CheckConstraint(
                condition=Q(security__in=["ssl", "starttls", "none"]),
                name="mailbox_security_valid",
            ),
            models.CheckConstraint(
                condition=Q(port__gte=1, port__lte=65535), name="mailbox_port_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class InboundMessage(models.Model):
    """One message as received, and what became of it."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received, not yet read")
        PROCESSED = "processed", _("Processed")
        QUARANTINED = "quarantined", _("Quarantined")
        HELD = "held", _("Held for review")
        IGNORED = "ignored", _("Ignored")

    class Source(models.TextChoices):
        IMAP = "imap", _("IMAP")
        PIPE = "pipe", _("Mail server pipe")

    mailbox = models.ForeignKey(
        Mailbox,
        verbose_name=_("mailbox"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="messages",
    )
    source = models.CharField(_("source"), max_length=10, choices=Source, default=Source.IMAP)
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    uid = models.BigIntegerField(null=True, blank=True)
    raw = models.BinaryField(_("raw message"))
    size = models.PositiveBigIntegerField(_("size"))
    # The size the server announced, when only the headers were kept (oversized).
    announced_size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, db_index=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True, db_index=True)
    # Hash of what the sender wrote (From, Date, Subject, body), without the headers each
    # delivery adds: the same mail delivered to two mailboxes has the same one.
    content_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    from_address = models.CharField(_("from"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status, default=Status.RECEIVED, db_index=True
    )
    reason = models.TextField(_("reason"), blank=True)
    # Parser defects, charset doubts, refused attachments, the Message-ID reused, …
    flags = models.JSONField(_("flags"), default=list, blank=True)
    text_body = models.TextField(_("text"), blank=True)
    html_sanitised = models.TextField(_("HTML (sanitised)"), blank=True)
    request = models.ForeignKey(
        "service_requests.ServiceRequest",
        verbose_name=_("service request"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    comment = models.ForeignKey(
        "service_requests.Comment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    bounced_message = models.ForeignKey(
        "notifications.OutboxMessage",
        verbose_name=_("bounced message"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    acknowledged = models.BooleanField(_("acknowledged"), default=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True, db_index=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("incoming message")
        verbose_name_plural = _("incoming messages")
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "uidvalidity", "uid"],
                condition=Q(uid__isnull=False),
                name="inbound_once_per_imap_uid",
            ),
            models.UniqueConstraint(
                fields=["mailbox", "sha256"],
                condition=Q(mailbox__isnull=False),
                name="inbound_bytes_once_per_mailbox",
            ),
            models.UniqueConstraint(
                fields=["sha256"],
                condition=Q(mailbox__isnull=True),
                name="inbound_bytes_once_from_pipe",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["received", "processed", "quarantined", "held", "ignored"]),
                name="inbound_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["quarantined", "held", "ignored"]) | ~Q(reason=""),
                name="inbound_set_aside_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(source="pipe") | Q(mailbox__isnull=False),
                name="inbound_imap_has_mailbox",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_address}: {self.subject}"[:100]
