import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import BaseModel
from aftersales.core.text import validate_clean_text


class Product(BaseModel):
    """A model in the product catalogue."""

    model = models.CharField(
        _("model"), max_length=100, unique=True, validators=[validate_clean_text]
    )
    name = models.CharField(_("name"), max_length=200, validators=[validate_clean_text])
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    category = models.CharField(
        _("product line"), max_length=100, blank=True, validators=[validate_clean_text]
    )
    warranty_months = models.PositiveSmallIntegerField(_("warranty (months)"), default=12)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["model"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return f"{self.model} {self.name}"


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` plus whole months, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (31, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


class Unit(BaseModel):
    """One sold unit of a product, known by its serial number."""

    class PurchaseChannel(models.TextChoices):
        DIRECT = "direct", _("Direct sale")
        DEALER = "dealer", _("Dealer")
        ONLINE = "online", _("Online shop")
        PROJECT = "project", _("Project / tender")
        OTHER = "other", _("Other")

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="units"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="units",
    )
    serial_number = models.CharField(
        _("serial number"), max_length=100, unique=True, validators=[validate_clean_text]
    )
    batch_number = models.CharField(
        _("batch number"),
        max_length=100,
        blank=True,
        db_index=True,
        validators=[validate_clean_text],
    )
    production_date = models.DateField(_("production date"), null=True, blank=True)
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    purchase_channel = models.CharField(
        _("purchase channel"), max_length=20, choices=PurchaseChannel, blank=True
    )
    warranty_end_override = models.DateField(
        _("warranty end (set by admin)"),
        null=True,
        blank=True,
        help_text=_("Leave empty to derive it from the purchase date and the product's warranty."),
    )

    class Meta:
        ordering = ["serial_number"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.CheckConstraint(
                condition=Q(production_date__isnull=True)
                | Q(purchase_date__isnull=True)
                | Q(purchase_date__gte=models.F("production_date")),
                name="unit_purchased_after_production",
            )
        ]

    def __str__(self) -> str:
        return self.serial_number

    @property
    def warranty_end(self) -> datetime.date | None:
        if self.warranty_end_override:
            return self.warranty_end_override
        if self.purchase_date is None:
            return None
        return add_months(self.purchase_date, self.product.warranty_months)

    def in_warranty_on(self, day: datetime.date) -> bool:
        end = self.warranty_end
        return end is not None and day <= end
