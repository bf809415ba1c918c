"""Spare parts (备件), the warehouses that hold them, and the stock of each part in each.

A `StockLevel` is changed only by `parts.services`, and every change writes one
`StockMovement` in the same transaction: the ledger explains every unit on hand. The
database refuses a level below zero or more reserved than on hand, whatever the code does.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import BaseModel
from aftersales.core.text import validate_clean_text

# One operation moves at most this many units; a level holds at most MAX_ON_HAND (both far
# above any real stock, and far below the 32-bit integer columns' limit).
MAX_QUANTITY = 1_000_000
MAX_ON_HAND = 1_000_000_000


class Part(BaseModel):
    """A spare part in the catalogue, and the product models it fits."""

    part_number = models.CharField(
        _("part number"), max_length=50, unique=True, validators=[validate_clean_text]
    )
    name = models.CharField(_("name"), max_length=200, validators=[validate_clean_text])
    name_en = models.CharField(
        _("English name"), max_length=200, blank=True, validators=[validate_clean_text]
    )
    description = models.TextField(
        _("description"), max_length=2000, blank=True, validators=[validate_clean_text]
    )
    unit_price = models.DecimalField(
        _("unit price"),
        max_digits=12,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    products = models.ManyToManyField(
        "catalog.Product", verbose_name=_("fits products"), blank=True, related_name="parts"
    )
    serialised = models.BooleanField(
        _("tracked by serial number"),
        default=False,
        help_text=_("Each unit of this part has its own serial number."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["part_number"]
        verbose_name = _("spare part")
        verbose_name_plural = _("spare parts")
        constraints = [
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="part_unit_price_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.part_number} {self.name}"


class Warehouse(BaseModel):
    """A place that holds stock: the central store, a regional one, or a technician's van."""

    class Kind(models.TextChoices):
        CENTRAL = "central", _("Central warehouse")
        REGIONAL = "regional", _("Regional warehouse")
        VAN = "van", _("Service van")

    code = models.CharField(_("code"), max_length=30, unique=True, validators=[validate_clean_text])
    name = models.CharField(_("name"), max_length=100, validators=[validate_clean_text])
    name_en = models.CharField(
        _("English name"), max_length=100, blank=True, validators=[validate_clean_text]
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.CENTRAL)
    # A van is one technician's: they may take parts from it for their requests directly.
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("technician"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="vans",
        limit_choices_to={"role": "technician"},
        help_text=_("The technician whose van this is (vans only)."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["central", "regional", "van"]), name="warehouse_kind_valid"
            ),
            # A van has its technician; a warehouse that is not a van belongs to nobody.
            models.CheckConstraint(
                condition=Q(kind="van", technician__isnull=False)
                | (~Q(kind="van") & Q(technician__isnull=True)),
                name="warehouse_technician_iff_van",
            ),
            models.UniqueConstraint(
                fields=["technician"],
                condition=Q(technician__isnull=False),
                name="warehouse_one_van_per_technician",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class StockLevel(models.Model):
    """How many of a part a warehouse holds, and how many of those are promised to requests."""

    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="levels"
    )
    part = models.ForeignKey(
        Part, verbose_name=_("part"), on_delete=models.PROTECT, related_name="levels"
    )
    on_hand = models.IntegerField(_("on hand"), default=0, editable=False)
    reserved = models.IntegerField(_("reserved"), default=0, editable=False)
    reorder_level = models.IntegerField(
        _("reorder level"),
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_("Stock is low when the available quantity is at or below this."),
    )

    class Meta:
        ordering = ["warehouse__code", "part__part_number"]
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "part"], name="stock_level_unique"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="stock_on_hand_not_negative"),
            models.CheckConstraint(
                condition=Q(reserved__gte=0), name="stock_reserved_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(reserved__lte=F("on_hand")), name="stock_reserved_within_on_hand"
            ),
            models.CheckConstraint(
                condition=Q(reorder_level__gte=0), name="stock_reorder_level_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.warehouse_id}/{self.part_id}: {self.on_hand} ({self.reserved})"

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    @property
    def is_low(self) -> bool:
        return self.available <= self.reorder_level


class StockReservation(BaseModel):
    """Units of a part held in one warehouse for one service request until used or let go."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Reserved")
        CONSUMED = "consumed", _("Used")
        RELEASED = "released", _("Released")

    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+"
    )
    part = models.ForeignKey(
        Part, verbose_name=_("part"), on_delete=models.PROTECT, related_name="reservations"
    )
    quantity = models.IntegerField(_("quantity"))
    consumed_quantity = models.IntegerField(_("quantity used"), default=0, editable=False)
    service_request = models.ForeignKey(
        "service_requests.ServiceRequest",
        verbose_name=_("service request"),
        on_delete=models.PROTECT,
        related_name="stock_reservations",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.ACTIVE, editable=False
    )
    reserved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reserved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("stock reservation")
        verbose_name_plural = _("stock reservations")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="reservation_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "consumed", "released"]),
                name="reservation_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="active", closed_at__isnull=True)
                | (~Q(status="active") & Q(closed_at__isnull=False)),
                name="reservation_closed_iff_not_active",
            ),
            # Only a consumed reservation has used anything, and never more than it held.
            models.CheckConstraint(
                condition=Q(status="consumed", consumed_quantity__gt=0)
                | (~Q(status="consumed") & Q(consumed_quantity=0)),
                name="reservation_consumed_quantity_iff_consumed",
            ),
            models.CheckConstraint(
                condition=Q(consumed_quantity__lte=F("quantity")),
                name="reservation_consumed_within_quantity",
            ),
        ]
        indexes = [
            models.Index(
                fields=["warehouse", "part"],
                condition=Q(status="active"),
                name="reservation_active_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.part_id} × {self.quantity} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class StockMovement(models.Model):
    """One append-only line of the stock ledger: what changed a level, by how much, and why."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Received")
        ADJUSTMENT = "adjustment", _("Stock-take correction")
        TRANSFER_OUT = "transfer_out", _("Transferred out")
        TRANSFER_IN = "transfer_in", _("Transferred in")
        RESERVATION = "reservation", _("Reserved")
        RELEASE = "release", _("Reservation released")
        CONSUMPTION = "consumption", _("Used")

    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="movements"
    )
    part = models.ForeignKey(
        Part, verbose_name=_("part"), on_delete=models.PROTECT, related_name="movements"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    on_hand_change = models.IntegerField(_("change on hand"), default=0)
    reserved_change = models.IntegerField(_("change reserved"), default=0)
    # The other side of a transfer.
    counterpart = models.ForeignKey(
        Warehouse,
        verbose_name=_("from / to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    service_request = models.ForeignKey(
        "service_requests.ServiceRequest",
        verbose_name=_("service request"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stock_movements",
    )
    reservation = models.ForeignKey(
        StockReservation,
        verbose_name=_("reservation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="movements",
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "receipt",
                        "adjustment",
                        "transfer_out",
                        "transfer_in",
                        "reservation",
                        "release",
                        "consumption",
                    ]
                ),
                name="stock_movement_kind_valid",
            )
        ]
        indexes = [
            models.Index(fields=["warehouse", "part", "-created_at"], name="movement_level_idx")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.part_id}@{self.warehouse_id} {self.on_hand_change:+d}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None:
            raise ValueError("Stock movements are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise ValueError("Stock movements are append-only.")
