"""The repair record (维修记录单, SPEC §2.5), the parts it used, and the customer's answer to
"was it fixed?" (结果验证, SPEC §2.6).

A request gets a record per piece of work (a visit, a remote session, the work after a
reopen). Parts are recorded with where they came from; a part taken from stock is written
in the same transaction as the stock service's use of it, so a line exists exactly when the
stock was taken.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import BaseModel
from aftersales.core.text import validate_clean_text

# A record covers at most a few days of one person's work; anything larger is a typo.
MAX_LABOUR_MINUTES = 100_000
MAX_PART_QUANTITY = 1_000


class RepairRecord(BaseModel):
    """What was done on a request, when, by whom, and how the test after it went."""

    class TestOutcome(models.TextChoices):
        NOT_TESTED = "not_tested", _("Not tested yet")
        PASSED = "passed", _("Passed")
        FAILED = "failed", _("Failed")

    request = models.ForeignKey(
        "service_requests.ServiceRequest",
        verbose_name=_("service request"),
        on_delete=models.CASCADE,
        related_name="repair_records",
    )
    work_done = models.TextField(_("work done"), max_length=20000, validators=[validate_clean_text])
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    labour_minutes = models.PositiveIntegerField(_("labour (minutes)"), default=0)
    technicians = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("technicians"), related_name="+"
    )
    test_result = models.TextField(
        _("test result"), max_length=5000, blank=True, validators=[validate_clean_text]
    )
    test_outcome = models.CharField(
        _("test outcome"), max_length=20, choices=TestOutcome, default=TestOutcome.NOT_TESTED
    )
    # The request's reopen count when the record was written: work after a reopen is a
    # repeat repair (SPEC §2.6), and stays counted as one whatever happens later.
    visit_round = models.PositiveIntegerField(_("round"), default=0, editable=False)
    is_repeat = models.BooleanField(_("repeat repair"), default=False, editable=False)
    photos = models.ManyToManyField(
        "service_requests.Attachment", verbose_name=_("photos"), blank=True, related_name="+"
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        ordering = ["started_at", "id"]
        verbose_name = _("repair record")
        verbose_name_plural = _("repair records")
        indexes = [models.Index(fields=["request", "started_at"], name="repair_record_request")]
        constraints = [
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True) | Q(finished_at__gte=F("started_at")),
                name="repair_record_finished_after_start",
            ),
            models.CheckConstraint(
                condition=Q(labour_minutes__gte=0) & Q(labour_minutes__lte=MAX_LABOUR_MINUTES),
                name="repair_record_labour_in_range",
            ),
            models.CheckConstraint(
                condition=Q(test_outcome__in=["not_tested", "passed", "failed"]),
                name="repair_record_test_outcome_valid",
            ),
            models.CheckConstraint(
                condition=Q(is_repeat=False) | Q(visit_round__gt=0),
                name="repair_record_repeat_after_reopen",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} #{self.pk} {self.started_at:%Y-%m-%d}"

    @property
    def outcome_css(self) -> str:
        return {"passed": "success", "failed": "danger"}.get(self.test_outcome, "neutral")


class PartUsed(models.Model):
    """A part fitted during a repair: a catalogue part or a part number as typed, how many,
    the serial numbers of the unit taken out and of the one put in, and where it came from."""

    class Source(models.TextChoices):
        RESERVATION = "reservation", _("Reserved for this request")
        STOCK = "stock", _("Taken from stock (van)")
        OUTSIDE = "outside", _("Not from our stock")

    record = models.ForeignKey(
        RepairRecord,
        verbose_name=_("repair record"),
        on_delete=models.CASCADE,
        related_name="parts",
    )
    part = models.ForeignKey(
        "parts.Part",
        verbose_name=_("part"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Copied from the catalogue, or typed for a part that is not in it.
    part_number = models.CharField(
        _("part number"), max_length=50, validators=[validate_clean_text]
    )
    description = models.CharField(
        _("description"), max_length=200, blank=True, validators=[validate_clean_text]
    )
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    old_serial = models.CharField(
        _("serial number removed"), max_length=100, blank=True, validators=[validate_clean_text]
    )
    new_serial = models.CharField(
        _("serial number fitted"), max_length=100, blank=True, validators=[validate_clean_text]
    )
    source = models.CharField(_("from"), max_length=20, choices=Source)
    reservation = models.ForeignKey(
        "parts.StockReservation",
        verbose_name=_("reservation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    warehouse = models.ForeignKey(
        "parts.Warehouse",
        verbose_name=_("warehouse"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The stock ledger's line for this use, so the two can be read side by side.
    movement = models.ForeignKey(
        "parts.StockMovement",
        verbose_name=_("stock movement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("part used")
        verbose_name_plural = _("parts used")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1) & Q(quantity__lte=MAX_PART_QUANTITY),
                name="part_used_quantity_in_range",
            ),
            models.CheckConstraint(condition=~Q(part_number=""), name="part_used_has_number"),
            models.CheckConstraint(
                condition=Q(source="reservation", reservation__isnull=False, part__isnull=False)
                | Q(
                    source="stock",
                    warehouse__isnull=False,
                    part__isnull=False,
                    reservation__isnull=True,
                )
                | Q(
                    source="outside",
                    reservation__isnull=True,
                    warehouse__isnull=True,
                    movement__isnull=True,
                ),
                name="part_used_source_consistent",
            ),
            # A serial number names one piece: a line with serials is a line of one.
            models.CheckConstraint(
                condition=Q(old_serial="", new_serial="") | Q(quantity=1),
                name="part_used_serials_for_one",
            ),
            # A reservation is used once, so it is behind at most one line.
            models.UniqueConstraint(
                fields=["reservation"],
                condition=Q(reservation__isnull=False),
                name="part_used_reservation_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.part_number} × {self.quantity}"


class Confirmation(models.Model):
    """The customer's answer to "was it fixed?" after a resolution: one per resolution.

    `round` is the request's reopen count when it was answered, so a request that was
    reopened and resolved again is asked again, and each answer is kept.
    """

    class Method(models.TextChoices):
        PORTAL = "portal", _("Online, by the customer")
        PHONE = "phone", _("By phone, recorded by staff")

    request = models.ForeignKey(
        "service_requests.ServiceRequest",
        verbose_name=_("service request"),
        on_delete=models.CASCADE,
        related_name="confirmations",
    )
    round = models.PositiveIntegerField(_("round"))
    satisfied = models.BooleanField(_("fixed"))
    comment = models.TextField(
        _("comment"), max_length=2000, blank=True, validators=[validate_clean_text]
    )
    method = models.CharField(_("how"), max_length=20, choices=Method)
    customer_name = models.CharField(
        _("who answered"), max_length=200, blank=True, validators=[validate_clean_text]
    )
    # Staff who took the call, or the customer's own account; empty for the portal link.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), db_index=True)

    class Meta:
        ordering = ["answered_at", "id"]
        verbose_name = _("customer confirmation")
        verbose_name_plural = _("customer confirmations")
        constraints = [
            models.UniqueConstraint(
                fields=["request", "round"], name="confirmation_once_per_round"
            ),
            models.CheckConstraint(
                condition=Q(method__in=["portal", "phone"]), name="confirmation_method_valid"
            ),
            # "Not fixed" reopens the request, and a reopen always has its reason.
            models.CheckConstraint(
                condition=Q(satisfied=True) | ~Q(comment=""),
                name="confirmation_not_fixed_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} round {self.round}: {'fixed' if self.satisfied else 'not fixed'}"
