from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    """The tokens of one service request: `public` is what its customer may search too,
    `internal` holds staff-only text (internal notes)."""

    request = models.OneToOneField(
        "service_requests.ServiceRequest",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="search_document",
    )
    public = models.TextField(blank=True)
    internal = models.TextField(blank=True)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")

    def __str__(self) -> str:
        return str(self.request_id)
