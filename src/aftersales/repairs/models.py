"""Technical assessment and solution plans of a service request (SPEC §2 steps 2 and 4).

A `Diagnosis` is written in versions (append-only; the newest is current). A
`SolutionPlan` has its steps, its catalogue parts and its fee lines; a request has several
plans over time and at most one that is still being decided (draft, waiting for approval or
for the customer) — the database refuses a second. Plans change only through
`repairs.services`.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import BaseModel
from aftersales.core.text import validate_clean_text

MAX_MINUTES = 100_000
MAX_LINE_QUANTITY = Decimal("10000")
MONEY = {"max_digits": 12, "decimal_places": 2}
TOTAL = {"max_digits": 16, "decimal_places": 2}


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    MAJOR = "major", _("Major")
    CRITICAL = "critical", _("Critical")


class Handling(models.TextChoices):
    REMOTE = "remote", _("Remotely")
    ON_SITE = "on_site", _("On site")


class Warranty(models.TextChoices):
    IN = "in", _("In warranty")
    OUT = "out", _("Out of warranty")
    UNKNOWN = "unknown", _("Warranty unknown")


class Diagnosis(models.Model):
    """技术评估: cause, severity, remote or on site, parts needed, expected duration.
    Each save is a new version; none is changed afterwards."""

    Severity = Severity
    Handling = Handling

    request = models.ForeignKey(
        "service_requests.ServiceRequest", on_delete=models.CASCADE, related_name="diagnoses"
    )
    version = models.PositiveIntegerField(_("version"))
    cause = models.TextField(_("cause"), max_length=5000, validators=[validate_clean_text])
    severity = models.CharField(_("severity"), max_length=10, choices=Severity)
    handling = models.CharField(_("where"), max_length=10, choices=Handling)
    parts_needed = models.TextField(
        _("parts needed"), max_length=2000, blank=True, validators=[validate_clean_text]
    )
    parts = models.ManyToManyField(
        "parts.Part", verbose_name=_("catalogue parts"), blank=True, related_name="+"
    )
    expected_minutes = models.PositiveIntegerField(_("expected duration (minutes)"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        ordering = ["request", "-version"]
        verbose_name = _("diagnosis")
        verbose_name_plural = _("diagnoses")
        constraints = [
            models.UniqueConstraint(fields=["request", "version"], name="diagnosis_version_once"),
            models.CheckConstraint(
                condition=Q(severity__in=Severity.values), name="diagnosis_severity_valid"
            ),
            models.CheckConstraint(
                condition=Q(handling__in=Handling.values), name="diagnosis_handling_valid"
            ),
            models.CheckConstraint(
                condition=Q(expected_minutes__gt=0, expected_minutes__lte=MAX_MINUTES),
                name="diagnosis_minutes_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} v{self.version}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None:
            raise ValueError("A diagnosis is kept as written; record a new version instead.")
        super().save(*args, **kwargs)


class ApprovalRule(BaseModel):
    """When a plan needs a supervisor's approval (SPEC §2.4): any active rule that matches.
    Admins keep them; a data migration loads the defaults."""

    class Condition(models.TextChoices):
        TOTAL_ABOVE = "total_above", _("Total fee above a threshold")
        REPLACEMENT = "replacement", _("Includes a replacement")
        REFUND = "refund", _("Includes a refund")
        COMPENSATION = "compensation", _("Includes compensation")
        VISIT = "visit", _("Needs a visit")
        COMPLAINT = "complaint", _("The request is a complaint")

    name = models.CharField(_("name"), max_length=100, validators=[validate_clean_text])
    condition = models.CharField(_("condition"), max_length=20, choices=Condition)
    threshold = models.DecimalField(
        _("threshold"),
        null=True,
        blank=True,
        help_text=_("For “total fee above”: the amount in the configured currency."),
        **MONEY,
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["condition", "threshold", "id"]
        verbose_name = _("approval rule")
        verbose_name_plural = _("approval rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    condition__in=[
                        "total_above",
                        "replacement",
                        "refund",
                        "compensation",
                        "visit",
                        "complaint",
                    ]
                ),
                name="approval_rule_condition_valid",
            ),
            # A threshold belongs to the fee rule and to no other.
            models.CheckConstraint(
                condition=Q(condition="total_above", threshold__gte=0)
                | (~Q(condition="total_above") & Q(threshold__isnull=True)),
                name="approval_rule_threshold_iff_total",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SolutionPlan(BaseModel):
    """处理方案: what will be done, by whom, with what, and what it costs the customer."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING_APPROVAL = "pending_approval", _("Waiting for approval")
        REJECTED = "rejected", _("Rejected")
        PENDING_CONSENT = "pending_consent", _("Waiting for the customer")
        DECLINED = "declined", _("Declined by the customer")
        APPROVED = "approved", _("Approved")
        SUPERSEDED = "superseded", _("Replaced by a newer plan")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class ConsentChannel(models.TextChoices):
        PORTAL = "portal", _("On the portal")
        PHONE = "phone", _("By phone")

    # Statuses in which a plan is still being decided; a request has at most one such plan.
    OPEN = (Status.DRAFT, Status.PENDING_APPROVAL, Status.PENDING_CONSENT)
    # What a customer may see of: plans a supervisor (or the rules) let through.
    SHOWN_TO_CUSTOMER = (Status.PENDING_CONSENT, Status.APPROVED, Status.DECLINED)

    request = models.ForeignKey(
        "service_requests.ServiceRequest", on_delete=models.CASCADE, related_name="solution_plans"
    )
    number = models.PositiveIntegerField(_("plan number"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.DRAFT, editable=False
    )
    diagnosis = models.ForeignKey(
        Diagnosis,
        verbose_name=_("diagnosis"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    summary = models.TextField(_("summary"), max_length=5000, validators=[validate_clean_text])
    tools = models.TextField(
        _("tools"), max_length=2000, blank=True, validators=[validate_clean_text]
    )
    people = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("people"), blank=True, related_name="+"
    )
    estimated_minutes = models.PositiveIntegerField(_("estimated time (minutes)"))
    includes_replacement = models.BooleanField(_("includes a replacement"), default=False)
    includes_refund = models.BooleanField(_("includes a refund"), default=False)
    includes_compensation = models.BooleanField(_("includes compensation"), default=False)
    needs_visit = models.BooleanField(_("needs a visit"), default=False)

    # What the unit says (computed), the decision the fees follow, and why when staff decided.
    warranty_basis = models.CharField(
        _("warranty by the unit"), max_length=10, choices=Warranty, default=Warranty.UNKNOWN
    )
    warranty = models.CharField(
        _("warranty"), max_length=10, choices=Warranty, default=Warranty.UNKNOWN
    )
    warranty_end = models.DateField(_("warranty end"), null=True, blank=True)
    warranty_reason = models.TextField(
        _("why (warranty decided by staff)"),
        max_length=1000,
        blank=True,
        validators=[validate_clean_text],
    )
    currency = models.CharField(_("currency"), max_length=3)
    list_total = models.DecimalField(_("total at list prices"), default=0, **TOTAL)
    total = models.DecimalField(_("total to pay"), default=0, **TOTAL)

    needs_approval = models.BooleanField(_("needs approval"), default=False)
    approval_reasons = models.JSONField(default=list, blank=True)
    needs_consent = models.BooleanField(_("needs the customer's consent"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # The supervisor's decision; null `decided_by` with a time: approved at once by the rules.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.TextField(_("comment"), blank=True)
    consent_requested_at = models.DateTimeField(_("consent asked at"), null=True, blank=True)
    consent_mailed_to = models.CharField(max_length=254, blank=True)
    consent_agreed = models.BooleanField(_("customer agreed"), null=True, blank=True)
    consent_channel = models.CharField(
        _("answered"), max_length=10, choices=ConsentChannel, blank=True
    )
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    consent_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    consent_statement = models.TextField(_("what the customer said"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        ordering = ["request", "-number"]
        verbose_name = _("solution plan")
        verbose_name_plural = _("solution plans")
        indexes = [models.Index(fields=["status", "request"], name="plan_status_request")]
        constraints = [
            models.UniqueConstraint(fields=["request", "number"], name="plan_number_once"),
            models.UniqueConstraint(
                fields=["request"],
                condition=Q(status__in=["draft", "pending_approval", "pending_consent"]),
                name="plan_one_open_per_request",
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "draft",
                        "pending_approval",
                        "rejected",
                        "pending_consent",
                        "declined",
                        "approved",
                        "superseded",
                        "withdrawn",
                    ]
                ),
                name="plan_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(warranty__in=Warranty.values, warranty_basis__in=Warranty.values),
                name="plan_warranty_valid",
            ),
            models.CheckConstraint(
                condition=Q(estimated_minutes__gt=0, estimated_minutes__lte=MAX_MINUTES),
                name="plan_minutes_range",
            ),
            models.CheckConstraint(
                condition=Q(total__gte=0, list_total__gte=models.F("total")),
                name="plan_totals_consistent",
            ),
            # Past the draft a plan's warranty is decided, so its fees are.
            models.CheckConstraint(
                condition=Q(status="draft") | ~Q(warranty="unknown"),
                name="plan_warranty_decided_when_submitted",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "superseded", "withdrawn"])
                | Q(submitted_at__isnull=False),
                name="plan_submitted_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} #{self.number}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def approved_at_once(self) -> bool:
        return self.decided_at is not None and self.decided_by_id is None

    @property
    def status_css(self) -> str:
        return {
            "draft": "info",
            "pending_approval": "warning",
            "pending_consent": "warning",
            "approved": "success",
            "rejected": "danger",
            "declined": "danger",
        }.get(self.status, "neutral")


class PlanStep(models.Model):
    plan = models.ForeignKey(SolutionPlan, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("order"))
    text = models.TextField(_("step"), max_length=2000, validators=[validate_clean_text])

    class Meta:
        ordering = ["plan", "order"]
        verbose_name = _("plan step")
        verbose_name_plural = _("plan steps")
        constraints = [
            models.UniqueConstraint(fields=["plan", "order"], name="plan_step_order_once")
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.text[:40]}"


class PlanPart(models.Model):
    """A catalogue part the plan uses, and the warehouse to reserve it from on approval."""

    plan = models.ForeignKey(SolutionPlan, on_delete=models.CASCADE, related_name="parts")
    part = models.ForeignKey(
        "parts.Part", verbose_name=_("part"), on_delete=models.PROTECT, related_name="+"
    )
    warehouse = models.ForeignKey(
        "parts.Warehouse", verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    reservation = models.OneToOneField(
        "parts.StockReservation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plan_part",
    )

    class Meta:
        ordering = ["plan", "part_id", "warehouse_id"]
        verbose_name = _("plan part")
        verbose_name_plural = _("plan parts")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "part", "warehouse"], name="plan_part_once_per_warehouse"
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="plan_part_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.part_id} × {self.quantity}"


class FeeLine(models.Model):
    """One line of the plan's fees. `amount` is what is charged: `list_amount` (quantity ×
    unit price, rounded to cents) or 0 when the warranty covers the line."""

    class Kind(models.TextChoices):
        PARTS = "parts", _("Parts")
        LABOUR = "labour", _("Labour")
        CALL_OUT = "call_out", _("Call-out")
        OTHER = "other", _("Other")

    plan = models.ForeignKey(SolutionPlan, on_delete=models.CASCADE, related_name="fee_lines")
    order = models.PositiveSmallIntegerField(_("order"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    description = models.CharField(
        _("description"), max_length=200, validators=[validate_clean_text]
    )
    quantity = models.DecimalField(_("quantity"), max_digits=9, decimal_places=2)
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    list_amount = models.DecimalField(_("amount at list price"), **TOTAL)
    covered_by_warranty = models.BooleanField(_("covered by the warranty"), default=False)
    amount = models.DecimalField(_("amount charged"), **TOTAL)

    class Meta:
        ordering = ["plan", "order"]
        verbose_name = _("fee line")
        verbose_name_plural = _("fee lines")
        constraints = [
            models.UniqueConstraint(fields=["plan", "order"], name="fee_line_order_once"),
            models.CheckConstraint(
                condition=Q(kind__in=["parts", "labour", "call_out", "other"]),
                name="fee_line_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0, unit_price__gte=0), name="fee_line_positive"
            ),
            models.CheckConstraint(
                condition=Q(covered_by_warranty=True, amount=0)
                | Q(covered_by_warranty=False, amount=models.F("list_amount")),
                name="fee_line_amount_follows_warranty",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"
