"""Returns and replacements (RMA, SPEC §2 step 5): the return terms of a product, and one
return authorisation per request with its shipping both ways, receipt, inspection and outcome.

An authorisation changes only through `returns.services`, one step at a time (`rules.py`
says which step is possible when). The database keeps the invariants that must hold
whatever the code does: one current authorisation per request, a unit returned once, a
replacement unit given once, amounts positive, reasons present where a rule needs one.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aftersales.core.models import BaseModel
from aftersales.core.text import validate_clean_text
from aftersales.returns import eligibility
from aftersales.returns.eligibility import Outcome

MONEY = {"max_digits": 12, "decimal_places": 2}
MAX_WINDOW_DAYS = 3650


class ReturnPolicy(BaseModel):
    """A product's return terms. Products without one get the defaults: 7 days to return
    for a refund without a reason (China's 7-day no-reason return) and 15 to replace."""

    product = models.OneToOneField(
        "catalog.Product",
        verbose_name=_("product"),
        on_delete=models.CASCADE,
        related_name="return_policy",
    )
    return_days = models.PositiveSmallIntegerField(
        _("return window (days)"),
        default=eligibility.DEFAULT_RETURN_DAYS,
        help_text=_(
            "Days after the purchase within which the customer may return it for a refund."
        ),
    )
    replacement_days = models.PositiveSmallIntegerField(
        _("replacement window (days)"),
        default=eligibility.DEFAULT_REPLACEMENT_DAYS,
        help_text=_("Days after the purchase within which the customer may have it replaced."),
    )

    class Meta:
        ordering = ["product__model"]
        verbose_name = _("return policy")
        verbose_name_plural = _("return policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(replacement_days__gte=F("return_days")),
                name="return_policy_replacement_not_shorter",
                violation_error_message=_(
                    "The replacement window cannot be shorter than the return window."
                ),
            ),
            models.CheckConstraint(
                condition=Q(replacement_days__lte=MAX_WINDOW_DAYS),
                name="return_policy_window_bounded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product}: {self.return_days}/{self.replacement_days}"


class RmaNumberCounter(models.Model):
    """The last RMA number given out per local day; bumped atomically, like service numbers."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("RMA number counter")
        verbose_name_plural = _("RMA number counters")

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class Status(models.TextChoices):
    # In their own context: "Received" of a request is the time it came in, not a parcel.
    AUTHORISED = "authorised", pgettext_lazy("RMA status", "Authorised")
    # The customer has sent the unit (carrier and tracking number known); it is on its way.
    AWAITING_SHIPMENT = (
        "awaiting_shipment",
        pgettext_lazy("RMA status", "Awaiting the customer's shipment"),
    )
    RECEIVED = "received", pgettext_lazy("RMA status", "Received")
    INSPECTED = "inspected", pgettext_lazy("RMA status", "Inspected")
    REFUNDED = "refunded", pgettext_lazy("RMA status", "Refunded")
    REPLACED = "replaced", pgettext_lazy("RMA status", "Replacement ready")
    CLOSED = "closed", pgettext_lazy("RMA status", "Closed")
    CANCELLED = "cancelled", pgettext_lazy("RMA status", "Cancelled")


class Decision(models.TextChoices):
    REFUND = "refund", _("Refund")
    REPLACEMENT = "replacement", _("Replacement")
    REPAIR = "repair", _("Repair")
    REFUSED = "refused", _("Refused")


class InspectionResult(models.TextChoices):
    FAULT_CONFIRMED = "fault_confirmed", _("Fault confirmed")
    NO_FAULT_FOUND = "no_fault_found", _("No fault found")
    CUSTOMER_DAMAGE = "customer_damage", _("Damage by the customer")


class RefundMethod(models.TextChoices):
    ORIGINAL_PAYMENT = "original_payment", _("Back to the original payment")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    ALIPAY = "alipay", _("Alipay")
    WECHAT_PAY = "wechat_pay", _("WeChat Pay")
    CASH = "cash", _("Cash")
    OTHER = "other", _("Other")


OPEN_STATUSES = (
    Status.AUTHORISED,
    Status.AWAITING_SHIPMENT,
    Status.RECEIVED,
    Status.INSPECTED,
    Status.REPLACED,
)
STATUS_CSS = {
    "authorised": "info",
    "awaiting_shipment": "primary",
    "received": "primary",
    "inspected": "warning",
    "refunded": "success",
    "replaced": "primary",
    "closed": "neutral",
    "cancelled": "neutral",
}


def _text(label: str, *, max_length: int = 2000, **kwargs) -> models.TextField:  # type: ignore[no-untyped-def]
    return models.TextField(
        label, max_length=max_length, blank=True, validators=[validate_clean_text], **kwargs
    )


def _short(label: str) -> models.CharField:
    return models.CharField(label, max_length=100, blank=True, validators=[validate_clean_text])


def _user(label: str) -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=label,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


class ReturnAuthorisation(BaseModel):
    """退换货授权 (RMA): the decision on a request's unit and everything that follows it."""

    Status = Status
    Decision = Decision
    InspectionResult = InspectionResult
    RefundMethod = RefundMethod

    number = models.CharField(_("RMA number"), max_length=32, unique=True, editable=False)
    request = models.ForeignKey(
        "service_requests.ServiceRequest",
        verbose_name=_("service request"),
        on_delete=models.CASCADE,
        related_name="return_authorisations",
    )
    unit = models.ForeignKey(
        "catalog.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="return_authorisations",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.AUTHORISED, editable=False
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    # The decision, and what it was based on: the eligibility's inputs as they were then, so
    # it can be shown again (in any language) even after the unit or the policy change.
    decision = models.CharField(_("decision"), max_length=20, choices=Decision)
    decision_reason = _text(_("reason"))
    is_exception = models.BooleanField(
        _("granted as an exception"),
        default=False,
        help_text=_("Beyond what the return terms give; granted by a supervisor."),
    )
    # The entitlement rests on a product fault (a replacement in warranty after the window):
    # an inspection that finds none, or finds damage by the customer, refuses it.
    needs_fault = models.BooleanField(default=False, editable=False)
    eligibility_outcome = models.CharField(
        _("eligibility"), max_length=20, choices=Outcome, editable=False
    )
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True, editable=False)
    stated_purchase_date = models.DateField(null=True, blank=True, editable=False)
    received_on = models.DateField(_("request received on"), editable=False)
    warranty_end = models.DateField(_("warranty end"), null=True, blank=True, editable=False)
    quality_fault = models.BooleanField(default=False, editable=False)
    return_days = models.PositiveSmallIntegerField(editable=False)
    replacement_days = models.PositiveSmallIntegerField(editable=False)
    purchase_price = models.DecimalField(
        _("purchase price"), null=True, blank=True, **MONEY, editable=False
    )
    currency = models.CharField(_("currency"), max_length=3, editable=False)
    authorised_by = _user(_("decided by"))
    authorised_at = models.DateTimeField(_("decided at"), editable=False)

    # The customer's shipment to us.
    inbound_carrier = _short(_("carrier (to us)"))
    inbound_tracking = _short(_("tracking number (to us)"))
    inbound_shipped_on = models.DateField(_("sent by the customer on"), null=True, blank=True)

    # Receipt: where and in what state it arrived (photos are the request's attachments).
    received_at_date = models.DateField(_("received on"), null=True, blank=True, editable=False)
    received_by = _user(_("received by"))
    warehouse = models.ForeignKey(
        "parts.Warehouse",
        verbose_name=_("received into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    condition_notes = _text(_("condition on arrival"))
    receipt_photos = models.ManyToManyField(
        "service_requests.Attachment", verbose_name=_("photos"), blank=True, related_name="+"
    )

    inspection_result = models.CharField(
        _("inspection result"), max_length=20, choices=InspectionResult, blank=True
    )
    inspection_notes = _text(_("inspection notes"), max_length=5000)
    inspected_by = _user(_("inspected by"))
    inspected_at = models.DateTimeField(_("inspected at"), null=True, blank=True)

    refund_amount = models.DecimalField(_("refund amount"), null=True, blank=True, **MONEY)
    refund_method = models.CharField(
        _("refund method"), max_length=20, choices=RefundMethod, blank=True
    )
    refund_reference = _short(_("payment reference"))
    refund_reason = _text(_("why this amount"))
    refunded_on = models.DateField(_("refunded on"), null=True, blank=True)
    refunded_by = _user(_("refunded by"))

    replacement_unit = models.ForeignKey(
        "catalog.Unit",
        verbose_name=_("replacement unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by_rmas",
    )
    replaced_by = _user(_("replacement recorded by"))
    replaced_at = models.DateTimeField(_("replacement recorded at"), null=True, blank=True)
    # The returned unit stays in the catalogue (its history is the customer's); it is marked
    # returned here rather than on the unit, which belongs to the catalogue.
    unit_returned_at = models.DateTimeField(
        _("unit returned at"), null=True, blank=True, editable=False
    )

    # Our shipment to the customer: the replacement, or their own unit back.
    outbound_carrier = _short(_("carrier (to the customer)"))
    outbound_tracking = _short(_("tracking number (to the customer)"))
    outbound_shipped_on = models.DateField(_("sent to the customer on"), null=True, blank=True)
    outbound_delivered_on = models.DateField(
        _("delivered to the customer on"), null=True, blank=True
    )
    shipped_out_by = _user(_("sent by"))

    cancel_reason = _text(_("why it was cancelled"))
    cancelled_by = _user(_("cancelled by"))
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-authorised_at", "-id"]
        verbose_name = _("return authorisation (RMA)")
        verbose_name_plural = _("return authorisations (RMA)")
        indexes = [models.Index(fields=["status", "-authorised_at"], name="rma_status_authorised")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=Status.values), name="rma_status_valid"),
            models.CheckConstraint(
                condition=Q(decision__in=Decision.values), name="rma_decision_valid"
            ),
            models.CheckConstraint(
                condition=Q(inspection_result__in=["", *InspectionResult.values]),
                name="rma_inspection_result_valid",
            ),
            # One current authorisation per request; a cancelled or refused one may be
            # followed by a new decision (a found receipt, a customer who changed their mind).
            models.UniqueConstraint(
                fields=["request"],
                condition=~Q(status="cancelled") & ~Q(decision="refused"),
                name="rma_one_current_per_request",
            ),
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(unit_returned_at__isnull=False),
                name="rma_unit_returned_once",
            ),
            models.UniqueConstraint(
                fields=["replacement_unit"],
                condition=Q(replacement_unit__isnull=False),
                name="rma_replacement_unit_given_once",
            ),
            models.CheckConstraint(
                condition=~Q(replacement_unit=F("unit")), name="rma_replacement_is_another_unit"
            ),
            models.CheckConstraint(
                condition=Q(refund_amount__isnull=True) | Q(refund_amount__gt=0),
                name="rma_refund_positive",
            ),
            models.CheckConstraint(
                condition=Q(purchase_price__isnull=True) | Q(purchase_price__gte=0),
                name="rma_price_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(status="refunded") | Q(refund_amount__isnull=False),
                name="rma_refunded_has_amount",
            ),
            models.CheckConstraint(
                condition=~Q(status="replaced") | Q(replacement_unit__isnull=False),
                name="rma_replaced_has_unit",
            ),
            models.CheckConstraint(
                condition=~Q(decision="refused") | ~Q(decision_reason=""),
                name="rma_refusal_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                name="rma_cancel_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def status_css(self) -> str:
        return STATUS_CSS.get(self.status, "neutral")

    @property
    def claim_upheld(self) -> bool | None:
        """After inspection: does the unit's state support the refund or replacement?"""
        result = self.inspection_result
        if not result:
            return None
        if result == InspectionResult.CUSTOMER_DAMAGE:
            return False
        return result == InspectionResult.FAULT_CONFIRMED or not self.needs_fault

    @property
    def returns_customer_unit(self) -> bool:
        """The customer's own unit goes back to them: repaired, or not taken back."""
        if self.decision == Decision.REPAIR:
            return True
        return self.claim_upheld is False

    def eligibility(self) -> eligibility.Eligibility:
        """The eligibility as it was at the decision, in the reader's language."""
        return eligibility.assess(
            purchase_date=self.purchase_date,
            received_on=self.received_on,
            warranty_end=self.warranty_end,
            quality_fault=self.quality_fault,
            return_days=self.return_days,
            replacement_days=self.replacement_days,
            stated_purchase_date=self.stated_purchase_date,
        )

    @property
    def tracking_in(self) -> bool:
        return bool(self.inbound_carrier or self.inbound_tracking or self.inbound_shipped_on)

    @property
    def tracking_out(self) -> bool:
        return bool(self.outbound_carrier or self.outbound_tracking or self.outbound_shipped_on)
