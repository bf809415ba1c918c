"""On-site visits (上门服务 / 预约, SPEC §2.5): the window agreed with the customer, the
technicians who go, their working hours and leave.

No double booking: a technician's active bookings (`VisitTechnician` rows with `active`)
may not overlap. PostgreSQL enforces it with an exclusion constraint that migration 0002
adds (it is not declared in `Meta`, which SQLite could not build); on SQLite the booking
service checks under the database's write lock. See docs/architecture.md.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import BaseModel
from aftersales.core.text import validate_clean_text

# The name the database gives the exclusion constraint; an IntegrityError naming it is a
# double booking that slipped past the service's check in a race (PostgreSQL only).
NO_OVERLAP_CONSTRAINT = "visit_technician_no_overlap"


class TeamSchedule(BaseModel):
    """The working hours a team's technicians are booked within (a calendar of `sla`).
    A team without one works the shipped "Working hours" calendar (工作时间)."""

    team = models.OneToOneField(
        "accounts.Team",
        verbose_name=_("team"),
        on_delete=models.CASCADE,
        related_name="visit_schedule",
    )
    calendar = models.ForeignKey(
        "sla.Calendar",
        verbose_name=_("working hours"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("team working hours")
        verbose_name_plural = _("teams' working hours")

    def __str__(self) -> str:
        return f"{self.team}: {self.calendar}"


class Leave(BaseModel):
    """A technician's absence (holiday, sick leave, training): no visits are booked then."""

    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("technician"),
        on_delete=models.CASCADE,
        related_name="leaves",
    )
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("until"))
    reason = models.CharField(
        _("reason"), max_length=200, blank=True, validators=[validate_clean_text]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["start", "id"]
        verbose_name = _("leave")
        verbose_name_plural = _("leave")
        indexes = [models.Index(fields=["technician", "start"], name="leave_technician_start")]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="leave_ends_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.technician} {self.start:%Y-%m-%d %H:%M}–{self.end:%Y-%m-%d %H:%M}"


class Visit(BaseModel):
    """An appointment at the customer's: a window agreed with them, who goes, what happened.

    The window never changes: moving a visit (`rescheduled`) keeps this one with its reason
    and links it to the new one, so the history of promises made to the customer stays.
    """

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        EN_ROUTE = "en_route", _("On the way")
        IN_PROGRESS = "in_progress", _("On site")
        DONE = "done", _("Done")
        NO_ONE_HOME = "no_one_home", _("No one home")
        CANCELLED = "cancelled", _("Cancelled")
        RESCHEDULED = "rescheduled", _("Rescheduled")

    # The technicians' time is taken while a visit is in one of these.
    ACTIVE = (Status.BOOKED, Status.EN_ROUTE, Status.IN_PROGRESS)

    service_request = models.ForeignKey(
        "service_requests.ServiceRequest",
        verbose_name=_("service request"),
        on_delete=models.PROTECT,
        related_name="visits",
    )
    window_start = models.DateTimeField(_("window from"), db_index=True)
    window_end = models.DateTimeField(_("window until"))
    address = models.CharField(
        _("address"), max_length=300, blank=True, validators=[validate_clean_text]
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.BOOKED, editable=False
    )
    technicians = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("technicians"),
        through="VisitTechnician",
        related_name="visits",
    )
    notes = models.TextField(
        _("notes for the technicians"),
        max_length=2000,
        blank=True,
        validators=[validate_clean_text],
    )
    # The dispatcher booked outside working hours or during leave on purpose.
    outside_hours = models.BooleanField(_("booked outside working hours"), default=False)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("booked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Why it was rescheduled or cancelled, or what the technician found when no one was home.
    reason = models.TextField(
        _("reason"), max_length=2000, blank=True, validators=[validate_clean_text]
    )
    summary = models.TextField(
        _("what was done"), max_length=2000, blank=True, validators=[validate_clean_text]
    )
    rescheduled_to = models.OneToOneField(
        "self",
        verbose_name=_("rescheduled to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rescheduled_from",
        editable=False,
    )
    en_route_at = models.DateTimeField(_("set off at"), null=True, blank=True, editable=False)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True, editable=False)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True, editable=False)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["window_start", "id"]
        verbose_name = _("on-site visit")
        verbose_name_plural = _("on-site visits")
        indexes = [
            models.Index(fields=["service_request", "status"], name="visit_request_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(window_end__gt=F("window_start")), name="visit_window_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "booked",
                        "en_route",
                        "in_progress",
                        "done",
                        "no_one_home",
                        "cancelled",
                        "rescheduled",
                    ]
                ),
                name="visit_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_request_id} {self.window_start:%Y-%m-%d %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def status_css(self) -> str:
        return VISIT_STATUS_CSS.get(self.status, "neutral")


VISIT_STATUS_CSS = {
    "booked": "info",
    "en_route": "primary",
    "in_progress": "primary",
    "done": "success",
    "no_one_home": "warning",
    "cancelled": "neutral",
    "rescheduled": "neutral",
}


class VisitTechnician(models.Model):
    """One technician on one visit. Carries a copy of the visit's window (which never
    changes) and whether the booking still takes their time, so the database can refuse
    two overlapping active bookings of one technician (PostgreSQL exclusion constraint)."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="bookings")
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("technician"),
        on_delete=models.PROTECT,
        related_name="visit_bookings",
    )
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["visit", "id"]
        verbose_name = _("technician on a visit")
        verbose_name_plural = _("technicians on visits")
        indexes = [
            models.Index(fields=["technician", "window_start"], name="visit_technician_start"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["visit", "technician"], name="visit_technician_once"),
            models.CheckConstraint(
                condition=Q(window_end__gt=F("window_start")),
                name="visit_technician_window_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.technician_id} @ {self.visit_id}"
