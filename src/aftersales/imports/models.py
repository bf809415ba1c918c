"""Bulk imports: one `ImportJob` per uploaded file, and the keys that make a second import of
the same rows change nothing (`ImportKey`)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import BaseModel


class Kind(models.TextChoices):
    CUSTOMERS = "customers", _("Customers")
    UNITS = "units", _("Units")
    REQUESTS = "requests", _("Historical service requests")


class Status(models.TextChoices):
    VALIDATED = "validated", _("Validated, not imported yet")
    FAILED = "failed", _("Refused (errors)")
    IMPORTED = "imported", _("Imported")


class ImportJob(BaseModel):
    """One uploaded file: what it held, what validation found, and whether it was imported.

    The file's bytes are kept until it is imported (the confirm step validates them again),
    then dropped; its sha256 stays, so a second upload of the same file is recognised."""

    Kind = Kind
    Status = Status

    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    file_name = models.CharField(_("file name"), max_length=150)
    file_format = models.CharField(_("format"), max_length=10)  # csv | xlsx
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64, db_index=True)
    content = models.BinaryField(blank=True, default=b"", editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_new = models.PositiveIntegerField(_("new"), default=0)
    rows_updated = models.PositiveIntegerField(_("updated"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    # [{"row": 2, "column": "phone", "value": "…", "message": "…"}, …] (capped, see services)
    errors = models.JSONField(_("error report"), default=list, blank=True)
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="import_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="import_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="imported") | Q(imported_at__isnull=False, error_count=0),
                name="import_imported_has_time_no_errors",
            ),
            models.CheckConstraint(
                condition=~Q(status="failed") | Q(error_count__gt=0),
                name="import_failed_has_errors",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} ({self.status})"


class ImportKey(models.Model):
    """A row's identity from a file mapped to what it became: a customer's external id, or a
    historical request's source key (its reference, or the hash of its row). A second import
    finds the key and changes nothing."""

    kind = models.CharField(max_length=20, choices=Kind)
    key = models.CharField(max_length=200)
    object_id = models.PositiveBigIntegerField()
    job = models.ForeignKey(ImportJob, on_delete=models.PROTECT, related_name="keys")
    row = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("import key")
        verbose_name_plural = _("import keys")
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="import_key_unique"),
        ]
        indexes = [models.Index(fields=["kind", "object_id"], name="import_key_object")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key} → {self.object_id}"
