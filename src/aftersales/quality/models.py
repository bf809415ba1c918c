"""Quality feedback (质量反馈, SPEC §2.9, seeds 000 §五 and 002 §六): a problem record groups
the service requests that share a product model, batch and symptom, and hands them to an
owner department (production/QC, R&D, training) that finds the root cause and carries out
corrective and preventive actions.

A record changes only through `quality.services`; every change writes a `ProblemEvent`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import BaseModel
from aftersales.core.text import validate_clean_text


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    INVESTIGATING = "investigating", _("Investigating")
    ACTIONS = "actions", _("Actions under way")
    VERIFIED = "verified", _("Verified")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE = frozenset({Status.OPEN, Status.INVESTIGATING, Status.ACTIONS, Status.VERIFIED})


class Source(models.TextChoices):
    MANUAL = "manual", _("Opened by hand")
    SPIKE = "spike", _("Opened from a spike")


class ProblemNumberCounter(models.Model):
    """The last problem number given out per local day; bumped atomically, like service
    numbers."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("problem number counter")
        verbose_name_plural = _("problem number counters")

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class ProblemRecord(BaseModel):
    Status = Status
    Source = Source

    number = models.CharField(_("problem number"), max_length=32, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200, validators=[validate_clean_text])
    symptom = models.TextField(_("symptom"), max_length=4000, validators=[validate_clean_text])
    products = models.ManyToManyField(
        "catalog.Product",
        verbose_name=_("product models"),
        blank=True,
        related_name="problem_records",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("owner department"),
        on_delete=models.PROTECT,
        related_name="problem_records",
    )
    root_cause = models.TextField(
        _("root cause"), blank=True, max_length=4000, validators=[validate_clean_text]
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.OPEN, db_default=Status.OPEN
    )
    source = models.CharField(
        _("opened from"), max_length=20, choices=Source, default=Source.MANUAL
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    cancel_reason = models.TextField(
        _("reason for cancelling"), blank=True, max_length=4000, validators=[validate_clean_text]
    )
    requests = models.ManyToManyField(
        "service_requests.ServiceRequest",
        through="ProblemLink",
        related_name="problem_records",
        verbose_name=_("linked service requests"),
    )
    version = models.PositiveIntegerField(default=1, db_default=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("problem record")
        verbose_name_plural = _("problem records")
        indexes = [models.Index(fields=["team", "status"], name="problem_team_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in Status]), name="problem_status_known"
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                name="problem_cancelled_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE


class ProblemBatch(models.Model):
    """A production batch the problem concerns, optionally of one of its product models."""

    problem = models.ForeignKey(ProblemRecord, on_delete=models.CASCADE, related_name="batches")
    product = models.ForeignKey(
        "catalog.Product",
        verbose_name=_("product model"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    batch_number = models.CharField(
        _("batch number"), max_length=100, validators=[validate_clean_text]
    )

    class Meta:
        ordering = ["batch_number", "id"]
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        indexes = [models.Index(fields=["batch_number"], name="problem_batch_number")]
        constraints = [
            models.UniqueConstraint(fields=["problem", "batch_number"], name="problem_batch_once"),
            models.CheckConstraint(condition=~Q(batch_number=""), name="problem_batch_not_empty"),
        ]

    def __str__(self) -> str:
        return self.batch_number


class ProblemAction(BaseModel):
    """A corrective action (remove the cause of this problem) or a preventive one (keep it
    from happening again elsewhere), with its owner and due date."""

    class Kind(models.TextChoices):
        CORRECTIVE = "corrective", _("Corrective")
        PREVENTIVE = "preventive", _("Preventive")

    problem = models.ForeignKey(ProblemRecord, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    description = models.TextField(
        _("description"), max_length=2000, validators=[validate_clean_text]
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="problem_actions",
    )
    due_on = models.DateField(_("due on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    result = models.TextField(
        _("result"), blank=True, max_length=2000, validators=[validate_clean_text]
    )

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["corrective", "preventive"]), name="problem_action_kind"
            ),
            models.CheckConstraint(
                condition=Q(done_at__isnull=True) | ~Q(result=""),
                name="problem_action_done_with_result",
            ),
        ]

    def __str__(self) -> str:
        return self.description[:80]

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    def is_overdue(self, today) -> bool:  # type: ignore[no-untyped-def]
        return self.done_at is None and self.due_on < today


class ProblemLink(models.Model):
    """A service request grouped under a problem record: who linked it, and when."""

    problem = models.ForeignKey(ProblemRecord, on_delete=models.CASCADE, related_name="links")
    request = models.ForeignKey(
        "service_requests.ServiceRequest", on_delete=models.CASCADE, related_name="problem_links"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["linked_at", "id"]
        verbose_name = _("linked request")
        verbose_name_plural = _("linked requests")
        constraints = [
            models.UniqueConstraint(fields=["problem", "request"], name="problem_link_once")
        ]

    def __str__(self) -> str:
        return f"{self.problem_id} ↔ {self.request_id}"


class ProblemEvent(models.Model):
    """An append-only line of a problem record's history."""

    problem = models.ForeignKey(ProblemRecord, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("problem record event")
        verbose_name_plural = _("problem record events")

    def __str__(self) -> str:
        return f"{self.problem_id} {self.action} {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None:
            raise ValueError("Problem record events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise ValueError("Problem record events are append-only.")
