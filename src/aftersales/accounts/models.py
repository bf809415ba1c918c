from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import BaseModel


class Team(BaseModel):
    """A team or department that requests are routed to (SPEC §2.3)."""

    class Kind(models.TextChoices):
        SERVICE_DESK = "service_desk", _("Service desk")
        TECHNICAL = "technical", _("Technical support")
        FIELD_SERVICE = "field_service", _("Field service")
        QUALITY = "quality", _("Production / quality control")
        RND = "rnd", _("R&D / system maintenance")
        TRAINING = "training", _("Training")
        WAREHOUSE = "warehouse", _("Warehouse")
        MARKETING = "marketing", _("Marketing")
        FINANCE = "finance", _("Finance")
        COMPLAINTS = "complaints", _("Complaints")

    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.TECHNICAL)
    supervisor = models.ForeignKey(
        "accounts.User",
        verbose_name=_("supervisor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervised_teams",
    )

    class Strategy(models.TextChoices):
        MANUAL = "manual", _("Manual: a dispatcher chooses")
        ROUND_ROBIN = "round_robin", _("Round robin")
        LEAST_OPEN = "least_open", _("Least open work")
        SKILL_MATCH = "skill_match", _("Best skill match")

    assignment_strategy = models.CharField(
        _("how requests are handed out"),
        max_length=20,
        choices=Strategy,
        default=Strategy.MANUAL,
        db_default=Strategy.MANUAL,
    )
    # Round robin's place in the queue: who got the last request handed out automatically.
    last_auto_assignee = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    class Role(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        AGENT = "agent", _("Agent")
        TECHNICIAN = "technician", _("Technician")
        SUPERVISOR = "supervisor", _("Supervisor")
        DEPARTMENT = "department", _("Department staff")
        ANALYST = "analyst", _("Analyst")
        ADMIN = "admin", _("Administrator")

    role = models.CharField(_("role"), max_length=20, choices=Role, default=Role.AGENT)
    teams = models.ManyToManyField(
        Team, verbose_name=_("teams"), blank=True, related_name="members"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accounts",
        help_text=_("For customer accounts: whose requests this account sees."),
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    role__in=[
                        "customer",
                        "agent",
                        "technician",
                        "supervisor",
                        "department",
                        "analyst",
                        "admin",
                    ]
                ),
                name="user_role_valid",
            ),
            models.CheckConstraint(
                condition=Q(role="customer", customer__isnull=False) | ~Q(role="customer"),
                name="user_customer_account_has_customer",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_staff_member(self) -> bool:
        return self.is_active and self.role != self.Role.CUSTOMER

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


STAFF_ROLE_CHOICES = [choice for choice in User.Role.choices if choice[0] != User.Role.CUSTOMER]
