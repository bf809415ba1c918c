"""Dispatch configuration (SPEC §2.3): which team a request goes to, and what each
technician is good at. The assignment table itself belongs to the request
(`service_requests.Assignment`)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import BaseModel


class RoutingRule(BaseModel):
    """The first active rule (by order) whose conditions match sends a new request to its
    team. An empty condition matches everything."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    order = models.PositiveIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    kinds = models.JSONField(_("kinds"), default=list, blank=True)
    categories = models.JSONField(_("categories"), default=list, blank=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    product_lines = models.JSONField(
        _("product lines"),
        default=list,
        blank=True,
        help_text=_("As written in the products' “product line”."),
    )
    regions = models.JSONField(
        _("regions"), default=list, blank=True, help_text=_("As written in the customers' region.")
    )
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("to team"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return self.name


class TechnicianProfile(models.Model):
    """What a person is good at and how much they take on, for automatic assignment."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="dispatch_profile",
        verbose_name=_("person"),
    )
    skills = models.JSONField(_("skills (request categories)"), default=list, blank=True)
    product_lines = models.JSONField(_("product lines"), default=list, blank=True)
    regions = models.JSONField(_("regions"), default=list, blank=True)
    capacity = models.PositiveSmallIntegerField(
        _("most open requests at once"),
        null=True,
        blank=True,
        help_text=_("Empty: no limit."),
    )
    available = models.BooleanField(
        _("takes new requests"),
        default=True,
        help_text=_("Off while on leave: automatic assignment passes over them."),
    )

    class Meta:
        verbose_name = _("technician profile")
        verbose_name_plural = _("technician profiles")

    def __str__(self) -> str:
        return str(self.user)
