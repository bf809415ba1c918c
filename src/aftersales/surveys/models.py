"""Satisfaction surveys (SPEC §2.7, §5 CSAT): the questions, the invitations (a signed link
per resolved request, for one recipient, expiring, single use) and the answers.

Answers come from the customer's survey page or from an agent's follow-up call (recorded by
the follow-up with the same questions), so satisfaction is measured over both. Rows change
only through `surveys.services`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import BaseModel
from aftersales.core.text import validate_clean_text


class QuestionKind(models.TextChoices):
    SCORE = "score_1_5", _("Score from 1 to 5")
    YES_NO = "yes_no", _("Yes or no")
    TEXT = "text", _("Text")


class Question(BaseModel):
    """One question of the survey. The default ones (their codes are what the follow-up
    fills in: solved, solution, attitude, speed, suggestions) come from a data migration."""

    Kind = QuestionKind

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=QuestionKind)
    text_zh_hans = models.CharField(
        _("text (Simplified Chinese)"), max_length=300, validators=[validate_clean_text]
    )
    text_zh_hant = models.CharField(
        _("text (Traditional Chinese)"),
        max_length=300,
        blank=True,
        validators=[validate_clean_text],
    )
    text_en = models.CharField(
        _("text (English)"), max_length=300, blank=True, validators=[validate_clean_text]
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    required = models.BooleanField(_("required"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in QuestionKind]), name="question_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def text_for(self, language: str) -> str:
        """The text in `language`, else Simplified Chinese (every question has it)."""
        by_language = {
            "zh-hans": self.text_zh_hans,
            "zh-hant": self.text_zh_hant,
            "en": self.text_en,
        }
        return by_language.get(language) or self.text_zh_hans


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")


class Invitation(BaseModel):
    """A survey link for one recipient about one request: valid until `expires_at`, answered
    once (`used_at`). The token in the link only carries this row's id, signed."""

    Channel = Channel

    request = models.ForeignKey(
        "service_requests.ServiceRequest",
        verbose_name=_("service request"),
        on_delete=models.CASCADE,
        related_name="survey_invitations",
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="survey_invitations",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    recipient = models.CharField(_("recipient"), max_length=254)
    language = models.CharField(_("language"), max_length=10)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    # A text message is not sent by the product (no SMS gateway): staff copy this text.
    message_text = models.TextField(_("message to send"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        indexes = [models.Index(fields=["customer", "created_at"], name="invitation_customer")]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=[c.value for c in Channel]),
                name="invitation_channel_known",
            ),
            models.CheckConstraint(condition=~Q(recipient=""), name="invitation_has_recipient"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.channel}"


class Source(models.TextChoices):
    SURVEY = "survey", _("Survey link")
    PHONE = "phone", _("Follow-up call")


class Response(models.Model):
    """One set of answers: from an invitation (at most one per invitation, whatever the
    concurrency: the database refuses a second) or from a follow-up call."""

    Source = Source

    request = models.ForeignKey(
        "service_requests.ServiceRequest",
        verbose_name=_("service request"),
        on_delete=models.CASCADE,
        related_name="survey_responses",
    )
    invitation = models.OneToOneField(
        Invitation,
        verbose_name=_("invitation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="response",
    )
    source = models.CharField(_("source"), max_length=10, choices=Source)
    # The request's team when it was answered: satisfaction by team (SPEC §2.10).
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), db_index=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-answered_at", "-id"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        constraints = [
            models.CheckConstraint(
                condition=Q(source__in=[s.value for s in Source]), name="response_source_known"
            ),
            models.CheckConstraint(
                condition=Q(source="phone") | Q(invitation__isnull=False),
                name="response_survey_has_invitation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.answered_at:%Y-%m-%d}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    yes = models.BooleanField(null=True, blank=True)
    text = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["question__order", "id"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_once"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5),
                name="answer_score_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}"
