from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.notices.events import EVENTS
from aftersales.notifications.models import OutboxMessage


class MessageTemplate(models.Model):
    """An administrator's text for one customer message, channel and language; without
    one the product's own text is used (templates/notices/defaults/)."""

    event = models.CharField(
        _("message"), max_length=40, choices=[(name, e.label) for name, e in EVENTS.items()]
    )
    channel = models.CharField(_("channel"), max_length=10, choices=OutboxMessage.Channel)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        ordering = ["event", "channel", "language"]
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "channel", "language"], name="message_template_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} · {self.channel} · {self.language}"
