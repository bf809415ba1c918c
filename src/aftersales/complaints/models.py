"""Complaints (客户投诉处理, SPEC §2 step 8, seed 004): a service request of kind complaint
with its own record — who complained and about what, signed by whoever recorded it; the
investigation (contacts with the customer, severity, fault, whether it is founded); the
proposals, in versions, with remedy lines and a supervisor's decision; the agreement the
customer signs; the internal tasks that carry it out; the customer's satisfaction.

Everything changes only through `complaints.services`. The database keeps what must hold
whatever the code does: one record per request, one open proposal per complaint, one
agreement per proposal (never changed), amounts and quantities positive, a fault percentage
between 0 and 100, reasons where a rule needs one.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import BaseModel
from aftersales.core.text import validate_clean_text

MONEY = {"max_digits": 12, "decimal_places": 2}
TEXT = 4000


class Stage(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    INVESTIGATING = "investigating", _("Under investigation")
    PROPOSING = "proposing", _("Proposal in preparation")
    OFFERED = "offered", _("Offered to the customer")
    IMPLEMENTING = "implementing", _("Being carried out")
    AWAITING_SATISFACTION = "awaiting_satisfaction", _("Awaiting the customer's satisfaction")
    SATISFIED = "satisfied", _("Customer satisfied")
    CLOSED_BY_DECISION = "closed_by_decision", _("Closed by a supervisor's decision")


OPEN_STAGES = frozenset(
    {
        Stage.REGISTERED,
        Stage.INVESTIGATING,
        Stage.PROPOSING,
        Stage.OFFERED,
        Stage.IMPLEMENTING,
        Stage.AWAITING_SATISFACTION,
    }
)


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    MAJOR = "major", _("Major")
    CRITICAL = "critical", _("Critical")


class Fault(models.TextChoices):
    NONE = "none", _("Not our fault")
    PARTIAL = "partial", _("Partly our fault")
    FULL = "full", _("Entirely our fault")


class ContactMethod(models.TextChoices):
    PHONE = "phone", _("Phone")
    VISIT = "visit", _("Visit")
    FAX = "fax", _("Fax")
    EMAIL = "email", _("Email")
    OTHER = "other", _("Other")


class Complaint(BaseModel):
    Stage = Stage

    request = models.OneToOneField(
        "service_requests.ServiceRequest",
        verbose_name=_("service request"),
        on_delete=models.CASCADE,
        related_name="complaint",
    )
    stage = models.CharField(
        _("stage"), max_length=30, choices=Stage, default=Stage.REGISTERED, editable=False
    )
    # The registration (投诉登记表), signed by whoever recorded it: never changed.
    complainant = models.CharField(
        _("who complained"), max_length=200, validators=[validate_clean_text]
    )
    complainant_role = models.CharField(
        _("as"),
        max_length=100,
        blank=True,
        validators=[validate_clean_text],
        help_text=_("The customer, a dealer, a user of the product, …"),
    )
    subject = models.TextField(
        _("what the complaint is about"), max_length=TEXT, validators=[validate_clean_text]
    )
    wanted = models.TextField(
        _("what the customer wants"), max_length=TEXT, blank=True, validators=[validate_clean_text]
    )
    product = models.ForeignKey(
        "catalog.Product",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        "catalog.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    batch_number = models.CharField(
        _("batch number"), max_length=100, blank=True, validators=[validate_clean_text]
    )
    related_requests = models.ManyToManyField(
        "service_requests.ServiceRequest",
        verbose_name=_("earlier requests"),
        blank=True,
        related_name="complaints_citing",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    recorded_at = models.DateTimeField(_("recorded at"), editable=False)

    # The investigation (analysis), rewritten as it goes; the contacts are kept apart.
    severity = models.CharField(_("severity"), max_length=20, choices=Severity, blank=True)
    fault = models.CharField(_("our fault"), max_length=20, choices=Fault, blank=True)
    fault_percent = models.PositiveSmallIntegerField(
        _("share of our fault (%)"), null=True, blank=True
    )
    founded = models.BooleanField(_("founded"), null=True, blank=True)
    findings = models.TextField(
        _("findings"), max_length=TEXT, blank=True, validators=[validate_clean_text]
    )
    other_demands = models.TextField(
        _("what else the customer asks for"),
        max_length=TEXT,
        blank=True,
        validators=[validate_clean_text],
    )
    investigated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    investigated_at = models.DateTimeField(_("investigated at"), null=True, blank=True)

    # Outcome, for the reports.
    agreed_at = models.DateTimeField(_("agreement signed at"), null=True, blank=True)
    satisfied_at = models.DateTimeField(_("customer satisfied at"), null=True, blank=True)
    decision_reason = models.TextField(
        _("supervisor's decision"), max_length=TEXT, blank=True, validators=[validate_clean_text]
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        constraints = [
            models.CheckConstraint(
                condition=Q(stage__in=Stage.values), name="complaint_stage_valid"
            ),
            models.CheckConstraint(
                condition=Q(fault_percent__isnull=True) | Q(fault_percent__lte=100),
                name="complaint_fault_percent_at_most_100",
            ),
            models.CheckConstraint(
                condition=~Q(fault="none") | Q(fault_percent__isnull=True) | Q(fault_percent=0),
                name="complaint_no_fault_no_share",
            ),
            models.CheckConstraint(
                condition=~Q(stage="closed_by_decision")
                | (Q(decided_by__isnull=False) & ~Q(decision_reason="")),
                name="complaint_decision_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(stage="satisfied") | Q(satisfied_at__isnull=False),
                name="complaint_satisfied_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request.number} {self.subject[:40]}"

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES


class Contact(BaseModel):
    """A conversation with the customer (phone, visit, …) and the facts it brought: appended,
    never changed."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="contacts")
    method = models.CharField(_("how"), max_length=20, choices=ContactMethod)
    contacted_at = models.DateTimeField(_("when"))
    contacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    facts = models.TextField(_("facts"), max_length=TEXT, validators=[validate_clean_text])

    class Meta:
        ordering = ["contacted_at", "id"]
        verbose_name = _("contact with the customer")
        verbose_name_plural = _("contacts with the customer")

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None and not self._state.adding:
            raise ValueError("Contacts are append-only.")
        super().save(*args, **kwargs)


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Waiting for approval")
    SENT_BACK = "sent_back", _("Sent back")
    APPROVED = "approved", _("Approved")
    OFFERED = "offered", _("Offered to the customer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined by the customer")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# A complaint has at most one proposal being worked on or decided.
OPEN_PROPOSAL = (
    ProposalStatus.DRAFT,
    ProposalStatus.SUBMITTED,
    ProposalStatus.SENT_BACK,
    ProposalStatus.APPROVED,
    ProposalStatus.OFFERED,
)


class Proposal(BaseModel):
    """A version of what we offer the customer (处理方案), with its reasoning; decided by a
    supervisor, then offered. A founded "no" is a proposal with one "none" line."""

    Status = ProposalStatus

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="proposals")
    number = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ProposalStatus,
        default=ProposalStatus.DRAFT,
        editable=False,
    )
    reasoning = models.TextField(
        _("reasoning"),
        max_length=TEXT,
        blank=True,
        validators=[validate_clean_text],
        help_text=_(
            "Why this remedy: the long-term relationship, how far we are at fault, reputation."
        ),
    )
    currency = models.CharField(_("currency"), max_length=3, editable=False)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    decision_comment = models.TextField(
        _("supervisor's comment"), max_length=TEXT, blank=True, editable=False
    )
    offered_at = models.DateTimeField(null=True, blank=True, editable=False)
    answered_at = models.DateTimeField(null=True, blank=True, editable=False)
    decline_reason = models.TextField(
        _("why the customer declined"), max_length=TEXT, blank=True, editable=False
    )
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)

    class Meta:
        ordering = ["complaint", "number"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        constraints = [
            models.UniqueConstraint(
                fields=["complaint", "number"], name="complaint_proposal_number_unique"
            ),
            models.UniqueConstraint(
                fields=["complaint"],
                condition=Q(status__in=[s.value for s in OPEN_PROPOSAL]),
                name="complaint_one_open_proposal",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ProposalStatus.values), name="complaint_proposal_status"
            ),
            models.CheckConstraint(
                condition=~Q(status="sent_back") | ~Q(decision_comment=""),
                name="complaint_proposal_sent_back_with_comment",
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""),
                name="complaint_proposal_declined_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.complaint.request.number} v{self.number}"


class RemedyKind(models.TextChoices):
    REPAIR = "repair", _("Repair")
    REPLACEMENT = "replacement", _("Replacement")
    REFUND = "refund", _("Refund")
    COMPENSATION_PRODUCT = "compensation_product", _("Products as compensation")
    GIFT = "gift", _("Gift")
    SERVICE_CREDIT = "service_credit", _("Service credit")
    NONE = "none", _("No remedy (the complaint is not founded)")


class RemedyLine(BaseModel):
    Kind = RemedyKind

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(_("remedy"), max_length=30, choices=RemedyKind)
    description = models.CharField(
        _("description"), max_length=300, blank=True, validators=[validate_clean_text]
    )
    part = models.ForeignKey(
        "parts.Part",
        verbose_name=_("spare part"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    product = models.ForeignKey(
        "catalog.Product",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    unit_value = models.DecimalField(_("unit value"), default=0, **MONEY)
    amount = models.DecimalField(_("amount"), editable=False, **MONEY)
    task = models.OneToOneField(
        "tasks.Task",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaint_remedy",
        editable=False,
    )

    class Meta:
        ordering = ["proposal", "id"]
        verbose_name = _("remedy line")
        verbose_name_plural = _("remedy lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=RemedyKind.values), name="complaint_remedy_kind"
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="complaint_remedy_qty"),
            models.CheckConstraint(
                condition=Q(unit_value__gte=0) & Q(amount__gte=0), name="complaint_remedy_value"
            ),
            models.CheckConstraint(
                condition=~Q(kind="none") | (Q(unit_value=0) & Q(quantity=1)),
                name="complaint_remedy_none_is_nothing",
            ),
            models.CheckConstraint(
                condition=~Q(kind="compensation_product")
                | Q(part__isnull=False)
                | Q(product__isnull=False),
                name="complaint_remedy_product_named",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} × {self.quantity}"


class AgreementMethod(models.TextChoices):
    PORTAL = "portal", _("Signed on the portal")
    PAPER = "paper", _("Signed on paper")


class Agreement(models.Model):
    """The customer's signature under a proposal (处理协议): kept as signed, never changed.

    `content_sha256` is the hash of the proposal's content (lines, totals, currency) as the
    customer saw it, so a later question "what did they agree to?" has one answer.
    """

    Method = AgreementMethod

    proposal = models.OneToOneField(
        Proposal, on_delete=models.PROTECT, related_name="agreement", editable=False
    )
    method = models.CharField(_("how"), max_length=10, choices=AgreementMethod, editable=False)
    signer_name = models.CharField(_("signed by"), max_length=200, editable=False)
    signature_png = models.BinaryField(null=True, blank=True, editable=False)
    signed_at = models.DateTimeField(_("signed at"), editable=False)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True, editable=False)
    content_sha256 = models.CharField(max_length=64, editable=False)
    paper = models.ForeignKey(
        "service_requests.Attachment",
        verbose_name=_("signed paper"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(method="portal", signature_png__isnull=False, paper__isnull=True)
                    | Q(method="paper", paper__isnull=False, recorded_by__isnull=False)
                ),
                name="complaint_agreement_evidence",
            ),
            models.CheckConstraint(condition=~Q(signer_name=""), name="complaint_agreement_signer"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal} — {self.signer_name}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not self._state.adding:
            raise ValueError("An agreement is kept as signed; it is never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise ValueError("An agreement is kept as signed; it is never deleted.")


class SatisfactionMethod(models.TextChoices):
    PORTAL = "portal", _("On the portal")
    PHONE = "phone", _("By phone")


class SatisfactionAnswer(models.Model):
    """The customer's word after the remedy: satisfied or not (then why). Appended."""

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="satisfaction_answers"
    )
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="+")
    satisfied = models.BooleanField(_("satisfied"))
    comment = models.TextField(
        _("comment"), max_length=TEXT, blank=True, validators=[validate_clean_text]
    )
    method = models.CharField(_("how"), max_length=10, choices=SatisfactionMethod)
    answered_at = models.DateTimeField(_("answered at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["answered_at", "id"]
        verbose_name = _("satisfaction answer")
        verbose_name_plural = _("satisfaction answers")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal"], name="complaint_one_satisfaction_answer_per_proposal"
            ),
            models.CheckConstraint(
                condition=Q(satisfied=True) | ~Q(comment=""),
                name="complaint_unsatisfied_says_why",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.complaint} — {'+' if self.satisfied else '-'}"
