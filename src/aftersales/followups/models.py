"""Follow-up visits (客户回访, SPEC §2.7): after a resolution, someone asks the customer
whether the problem is solved and how satisfied they are.

One follow-up per resolution; at most one open per request (the database says so). It is
planned when the request is resolved, worked from the agents' queue (a call, or a survey
link by email or text message), and ends done (the answer), given up (not reachable),
expired (no answer within the configured days) or cancelled (the request moved on: it was
reopened or resolved again). It changes only through `followups.services`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import BaseModel
from aftersales.core.text import validate_clean_text


class Method(models.TextChoices):
    PHONE = "phone", _("Phone call")
    EMAIL = "email", _("Survey link by email")
    SMS = "sms", _("Survey link by text message")
    SURVEY = "survey", _("Survey link (email, else text message)")


class Status(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    GIVEN_UP = "given_up", _("Given up")
    EXPIRED = "expired", _("No answer")
    CANCELLED = "cancelled", _("Cancelled")


# A request may close once its follow-up ended in one of these.
FINISHED = frozenset({Status.DONE, Status.GIVEN_UP, Status.EXPIRED})
SCORE_FIELDS = ("score_solution", "score_attitude", "score_speed")


def _score_ok(name: str) -> Q:
    return Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gte": 1, f"{name}__lte": 5})


class FollowUp(BaseModel):
    Method = Method
    Status = Status

    request = models.ForeignKey(
        "service_requests.ServiceRequest",
        verbose_name=_("service request"),
        on_delete=models.CASCADE,
        related_name="followups",
    )
    # Which resolution it follows (the request's reopen count when it was resolved).
    round = models.PositiveIntegerField(_("round"), default=0)
    method = models.CharField(_("method"), max_length=10, choices=Method, default=Method.PHONE)
    status = models.CharField(
        _("status"), max_length=12, choices=Status, default=Status.PLANNED, db_default="planned"
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followups",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followups",
    )
    due_at = models.DateTimeField(_("due"), db_index=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    reached = models.BooleanField(_("customer reached"), null=True, blank=True)
    solved = models.BooleanField(_("problem solved"), null=True, blank=True)
    score_solution = models.PositiveSmallIntegerField(
        _("satisfaction with the solution"), null=True, blank=True
    )
    score_attitude = models.PositiveSmallIntegerField(
        _("satisfaction with the staff's attitude"), null=True, blank=True
    )
    score_speed = models.PositiveSmallIntegerField(
        _("satisfaction with the speed"), null=True, blank=True
    )
    suggestions = models.TextField(
        _("suggestions"), blank=True, max_length=2000, validators=[validate_clean_text]
    )
    answered_via = models.CharField(_("answered by"), max_length=10, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("finished by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True, max_length=2000)
    # The survey link sent for it, or why none was (sampling, cool-down, no address).
    invitation = models.ForeignKey(
        "surveys.Invitation",
        verbose_name=_("survey invitation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followups",
    )
    survey_skipped = models.CharField(_("why no survey"), max_length=200, blank=True)
    response = models.OneToOneField(
        "surveys.Response",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followup",
    )
    version = models.PositiveIntegerField(default=1, db_default=1)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        indexes = [models.Index(fields=["status", "due_at"], name="followup_status_due")]
        constraints = [
            models.UniqueConstraint(
                fields=["request"],
                condition=Q(status="planned"),
                name="followup_one_open_per_request",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in Status]), name="followup_status_known"
            ),
            models.CheckConstraint(
                condition=Q(method__in=[m.value for m in Method]), name="followup_method_known"
            ),
            models.CheckConstraint(
                condition=_score_ok("score_solution")
                & _score_ok("score_attitude")
                & _score_ok("score_speed"),
                name="followup_scores_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(status="planned", finished_at__isnull=True)
                | (~Q(status="planned") & Q(finished_at__isnull=False)),
                name="followup_finished_when_not_planned",
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(reached=True),
                name="followup_done_has_answer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} #{self.round}"

    @property
    def is_open(self) -> bool:
        return self.status == Status.PLANNED

    @property
    def lowest_score(self) -> int | None:
        scores = [getattr(self, name) for name in SCORE_FIELDS if getattr(self, name) is not None]
        return min(scores) if scores else None


class CallScript(BaseModel):
    """What the agent says on a follow-up call, per language, kept by admins. Placeholders:
    {customer}, {number}, {product}, {title}, {resolution}, {resolved_on}, {agent}."""

    language = models.CharField(
        _("language"), max_length=10, unique=True, choices=settings.LANGUAGES
    )
    text = models.TextField(_("text"), max_length=4000, validators=[validate_clean_text])

    class Meta:
        verbose_name = _("call script")
        verbose_name_plural = _("call scripts")

    def __str__(self) -> str:
        return self.language
