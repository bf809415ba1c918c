"""Calendars, SLA policies and escalation rules (SPEC §4): configuration that admins edit; no
request data here."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import BaseModel
from aftersales.service_requests.models import Category, Kind, Priority

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class Calendar(BaseModel):
    """When the clock runs: working periods per weekday, date exceptions, or around the clock."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    always_open = models.BooleanField(_("around the clock"), default=False)
    holiday_region = models.CharField(
        _("statutory holidays of"),
        max_length=10,
        blank=True,
        help_text=_("“CN” loads the Chinese statutory holidays and make-up working days."),
    )
    # Bumped on every change of the calendar, its periods or exceptions: cached clocks
    # are keyed by it, and open requests' due times are recomputed.
    revision = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("calendar")
        verbose_name_plural = _("calendars")

    def __str__(self) -> str:
        return self.name


class CalendarPeriod(models.Model):
    """One working period of a weekday, e.g. Monday 09:00–12:00 (end 00:00 means midnight)."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="periods")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=WEEKDAYS)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))

    class Meta:
        ordering = ["weekday", "start"]
        verbose_name = _("working period")
        verbose_name_plural = _("working periods")
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday__lte=6), name="calendar_period_weekday_valid"
            ),
            models.CheckConstraint(
                condition=Q(end__gt=F("start")) | Q(end="00:00:00"),
                name="calendar_period_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class CalendarException(models.Model):
    """A date that differs from its weekday: a holiday (closed) or a make-up working day (调休)."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="exceptions")
    date = models.DateField(_("date"))
    working = models.BooleanField(_("working day"), default=False)
    name = models.CharField(_("name"), max_length=100, blank=True)
    # [["09:00", "12:00"], ["13:00", "18:00"]]; empty on a working day = the normal working hours.
    periods = models.JSONField(_("periods"), default=list, blank=True)
    source = models.CharField(_("source"), max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        constraints = [
            models.UniqueConstraint(
                fields=["calendar", "date"], name="calendar_exception_unique_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class HolidayYear(models.Model):
    """A year for which a calendar holds its holiday data, and how complete it is."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="holiday_years")
    year = models.PositiveSmallIntegerField(_("year"))
    source = models.CharField(_("source"), max_length=200)
    # The official notice gives holidays and make-up days; forecasts only holidays.
    complete = models.BooleanField(_("includes make-up working days"), default=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("holiday year")
        verbose_name_plural = _("holiday years")
        constraints = [
            models.UniqueConstraint(fields=["calendar", "year"], name="holiday_year_unique")
        ]

    def __str__(self) -> str:
        return f"{self.calendar} {self.year}"


class SlaPolicy(BaseModel):
    """Targets per priority; the first active policy (by order) whose conditions match applies.
    An empty condition matches everything."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    order = models.PositiveIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    kinds = models.JSONField(_("kinds"), default=list, blank=True)
    categories = models.JSONField(_("categories"), default=list, blank=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    priorities = models.JSONField(_("priorities"), default=list, blank=True)
    customers = models.ManyToManyField(
        "customers.Customer", verbose_name=_("customers"), blank=True, related_name="sla_policies"
    )
    warning_percent = models.PositiveSmallIntegerField(
        _("warn at (percent of the target)"),
        default=75,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
    )

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return self.name


class SlaTarget(models.Model):
    PRIORITIES = [
        ("urgent", _("Urgent")),
        ("high", _("High")),
        ("medium", _("Medium")),
        ("low", _("Low")),
    ]

    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="targets")
    priority = models.CharField(_("priority"), max_length=10, choices=PRIORITIES)
    first_response_minutes = models.PositiveIntegerField(_("first response within (minutes)"))
    first_response_calendar = models.ForeignKey(
        Calendar,
        verbose_name=_("first response counted on"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolution_minutes = models.PositiveIntegerField(_("resolution within (minutes)"))
    resolution_calendar = models.ForeignKey(
        Calendar,
        verbose_name=_("resolution counted on"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["policy", "priority"]
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "priority"], name="sla_target_unique_priority"
            )
        ]

    def __str__(self) -> str:
        return f"{self.policy} {self.priority}"

    def clean(self) -> None:
        if self.first_response_minutes == 0 or self.resolution_minutes == 0:
            raise ValidationError(_("A target must be at least one minute."))


TARGETS = [("first_response", _("First response")), ("resolution", _("Resolution"))]


class EscalationRule(BaseModel):
    """What happens to a request when one of its targets is missed: the first active rule (by
    order) whose conditions match is applied once per breach. An empty condition matches
    everything."""

    class Reassign(models.TextChoices):
        NONE = "none", _("Do not reassign")
        SUPERVISOR = "supervisor", _("To the team's supervisor")
        TEAM = "team", _("To another team (its supervisor)")

    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    order = models.PositiveIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    targets = models.JSONField(_("missed targets"), default=list, blank=True)
    priorities = models.JSONField(_("priorities"), default=list, blank=True)
    kinds = models.JSONField(_("kinds"), default=list, blank=True)
    categories = models.JSONField(_("categories"), default=list, blank=True)
    teams = models.ManyToManyField(
        "accounts.Team",
        verbose_name=_("teams"),
        blank=True,
        related_name="escalation_rules",
        help_text=_("The request's current team; none selected means any team."),
    )
    raise_priority = models.BooleanField(
        _("raise the priority one step"),
        default=False,
        help_text=_("Low → medium → high → urgent; an urgent request stays urgent."),
    )
    reassign = models.CharField(
        _("reassign"), max_length=20, choices=Reassign, default=Reassign.NONE
    )
    reassign_team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("reassign to team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    # The JSON lists and the values each may hold.
    CONDITION_CHOICES = {
        "targets": [value for value, _label in TARGETS],
        "priorities": Priority.values,
        "kinds": Kind.values,
        "categories": Category.values,
    }

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("escalation rule")
        verbose_name_plural = _("escalation rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(reassign__in=["none", "supervisor", "team"]),
                name="escalation_rule_reassign_valid",
            ),
            models.CheckConstraint(
                condition=Q(raise_priority=True) | ~Q(reassign="none"),
                name="escalation_rule_has_an_action",
            ),
            models.CheckConstraint(
                condition=Q(reassign="team", reassign_team__isnull=False)
                | (~Q(reassign="team") & Q(reassign_team__isnull=True)),
                name="escalation_rule_team_iff_reassigned_to_team",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        for field, allowed in self.CONDITION_CHOICES.items():
            values = getattr(self, field)
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                errors[field] = [_("Give a list of values.")]
                continue
            unknown = sorted(set(values) - set(allowed))
            if unknown:
                errors[field] = [_("Unknown: %(values)s") % {"values": ", ".join(unknown)}]
        if not self.raise_priority and self.reassign == self.Reassign.NONE:
            message = _("A rule must do something: raise the priority, reassign, or both.")
            errors["raise_priority"] = [message]
            errors["reassign"] = [message]
        if self.reassign == self.Reassign.TEAM and self.reassign_team_id is None:
            errors["reassign_team"] = [_("Choose the team to reassign to.")]
        if self.reassign != self.Reassign.TEAM and self.reassign_team_id is not None:
            errors["reassign_team"] = [_("A team is chosen only when reassigning to a team.")]
        if errors:
            raise ValidationError(errors)
