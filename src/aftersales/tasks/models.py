"""Internal tasks (SPEC §1 department staff, §2 steps 7–8): a piece of work for a team —
the warehouse ships the compensation products, marketing sends a gift, finance refunds, a
supervisor calls back a customer who gave a low score.

A task belongs to a team (the department that does it), may be given to one person there,
and usually to a service request; `source`/`source_id` say what opened it (a complaint's
remedy line, a follow-up's low score), so that the app that opened it can follow its
progress. It changes only through `tasks.services`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import BaseModel
from aftersales.core.text import validate_clean_text


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE = frozenset({Status.OPEN, Status.IN_PROGRESS})


class Task(BaseModel):
    Status = Status

    title = models.CharField(_("title"), max_length=200, validators=[validate_clean_text])
    description = models.TextField(
        _("description"), blank=True, max_length=4000, validators=[validate_clean_text]
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    service_request = models.ForeignKey(
        "service_requests.ServiceRequest",
        verbose_name=_("service request"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tasks",
    )
    source = models.CharField(
        _("opened by"),
        max_length=40,
        help_text=_("What opened the task, e.g. a complaint's remedy line."),
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.OPEN, db_default=Status.OPEN
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("finished by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    outcome = models.TextField(
        _("outcome"), blank=True, max_length=4000, validators=[validate_clean_text]
    )
    reference = models.CharField(
        _("reference"),
        max_length=100,
        blank=True,
        validators=[validate_clean_text],
        help_text=_("A tracking number, a refund's transaction number, …"),
    )
    version = models.PositiveIntegerField(default=1, db_default=1)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [
            models.Index(fields=["team", "status"], name="task_team_status"),
            models.Index(fields=["source", "source_id"], name="task_source"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in Status]), name="task_status_known"
            ),
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True) | Q(status__in=["done", "cancelled"]),
                name="task_finished_only_when_done_or_cancelled",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(outcome=""),
                name="task_cancelled_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE
