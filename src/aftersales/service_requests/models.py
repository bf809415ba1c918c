from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.core.models import BaseModel
from aftersales.core.text import validate_clean_text


class Priority(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class Level(models.TextChoices):
    """Impact and urgency (SPEC §2.2)."""

    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class Status(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    PENDING_APPROVAL = "pending_approval", _("Pending approval")
    PENDING_CUSTOMER = "pending_customer", _("Waiting for customer")
    SCHEDULED = "scheduled", _("Visit scheduled")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")
    CANCELLED = "cancelled", _("Cancelled")


class Kind(models.TextChoices):
    REPAIR = "repair", _("Repair")
    INSTALLATION = "installation", _("Installation")
    MAINTENANCE = "maintenance", _("Maintenance")
    CONSULTATION = "consultation", _("Consultation")
    RETURN = "return", _("Return")
    REPLACEMENT = "replacement", _("Replacement")
    COMPLAINT = "complaint", _("Complaint")


class Category(models.TextChoices):
    PRODUCT_QUALITY = "product_quality", _("Product quality")
    USAGE = "usage", _("Usage / operation")
    SOFTWARE = "software", _("Software fault")
    SERVICE_QUALITY = "service_quality", _("Service quality")
    TECHNICAL = "technical", _("Technical")
    CONSULTATION = "consultation", _("Consultation")
    OTHER = "other", _("Other")


class Channel(models.TextChoices):
    PHONE = "phone", _("Hotline")
    WEB = "web", _("Web portal")
    EMAIL = "email", _("Email")
    CHAT = "chat", _("Online chat")
    WECHAT = "wechat", _("WeChat / WeCom")
    SOCIAL = "social", _("Social media")
    DEALER = "dealer", _("Dealer system")
    WALK_IN = "walk_in", _("Walk-in")
    API = "api", _("API")
    IMPORT = "import", _("Bulk import")


class ServiceRequest(BaseModel):
    """服务单: everything a customer raises after buying a product."""

    Status = Status
    Kind = Kind
    Category = Category
    Channel = Channel

    OPEN_STATUSES = (
        Status.NEW,
        Status.ASSIGNED,
        Status.IN_PROGRESS,
        Status.PENDING_APPROVAL,
        Status.PENDING_CUSTOMER,
        Status.SCHEDULED,
        Status.REOPENED,
    )

    number = models.CharField(_("service number"), max_length=32, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.NEW, editable=False
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.REPAIR)
    category = models.CharField(
        _("category"), max_length=20, choices=Category, default=Category.OTHER
    )
    impact = models.CharField(_("impact"), max_length=10, choices=Level, default=Level.MEDIUM)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Level, default=Level.MEDIUM)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority, default=Priority.MEDIUM, editable=False
    )
    # The floor set by escalation rules on a breach; the priority is never below it, whatever
    # impact and urgency say later.
    escalated_priority = models.CharField(
        _("escalated priority"),
        max_length=10,
        choices=Priority,
        blank=True,
        default="",
        # Rows written by code that predates the column (during a deploy) get the same.
        db_default="",
        editable=False,
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel, default=Channel.PHONE)
    # The request's id in the system it came from (a chat session, a dealer's ticket); one
    # request per reference and channel, so a system that sends again finds the one it made.
    external_reference = models.CharField(
        _("external reference"),
        max_length=100,
        blank=True,
        default="",
        db_default="",
        validators=[validate_clean_text],
    )

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="service_requests",
    )
    # What the caller gave at intake; kept as said even if the customer record changes later.
    contact_name = models.CharField(
        _("contact name"), max_length=200, validators=[validate_clean_text]
    )
    contact_phone = models.CharField(
        _("contact phone"), max_length=40, blank=True, validators=[validate_clean_text]
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone_key = models.CharField(max_length=40, blank=True, editable=False)
    contact_email_key = models.CharField(max_length=254, blank=True, editable=False)
    address = models.CharField(
        _("address"), max_length=300, blank=True, validators=[validate_clean_text]
    )
    organisation = models.CharField(
        _("organisation"), max_length=200, blank=True, validators=[validate_clean_text]
    )

    product = models.ForeignKey(
        "catalog.Product",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_requests",
    )
    unit = models.ForeignKey(
        "catalog.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_requests",
    )
    serial_number = models.CharField(
        _("serial number"), max_length=100, blank=True, validators=[validate_clean_text]
    )
    batch_number = models.CharField(
        _("batch number"), max_length=100, blank=True, validators=[validate_clean_text]
    )
    production_date = models.DateField(_("production date"), null=True, blank=True)
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    purchase_channel = models.CharField(
        _("purchase channel"), max_length=100, blank=True, validators=[validate_clean_text]
    )

    title = models.CharField(_("title"), max_length=200, validators=[validate_clean_text])
    description = models.TextField(
        _("description"), max_length=20000, blank=True, validators=[validate_clean_text]
    )
    occurred_at = models.DateTimeField(_("when it happened"), null=True, blank=True)
    location = models.CharField(
        _("where it happened"), max_length=300, blank=True, validators=[validate_clean_text]
    )

    received_at = models.DateTimeField(_("received at"), db_index=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recorded_requests",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_requests",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_requests",
    )
    scheduled_for = models.DateTimeField(_("visit scheduled for"), null=True, blank=True)

    # Deadlines are columns (computed by sla.engine from the policy and its calendars, and
    # recomputed from the history when what they depend on changes), so lists, filters and
    # the SLA sweep read them without any arithmetic.
    sla_policy = models.ForeignKey(
        "sla.SlaPolicy",
        verbose_name=_("SLA policy"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    sla_warning_percent = models.PositiveSmallIntegerField(default=75, editable=False)
    first_response_calendar = models.ForeignKey(
        "sla.Calendar",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    first_response_minutes = models.PositiveIntegerField(null=True, blank=True, editable=False)
    first_response_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution_calendar = models.ForeignKey(
        "sla.Calendar",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    resolution_minutes = models.PositiveIntegerField(null=True, blank=True, editable=False)
    resolution_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When the sweep announced each level (once per deadline; cleared when it moves later).
    first_response_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    first_response_breached_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution_breached_at = models.DateTimeField(null=True, blank=True, editable=False)
    first_response_due_at = models.DateTimeField(_("first response due"), null=True, blank=True)
    first_responded_at = models.DateTimeField(_("first responded at"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(
        _("resolution due"), null=True, blank=True, db_index=True
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    resolution = models.TextField(
        _("resolution"), max_length=20000, blank=True, validators=[validate_clean_text]
    )
    reopen_count = models.PositiveIntegerField(_("times reopened"), default=0, editable=False)
    # Time waiting for the customer does not count towards resolution (SPEC §4):
    # the running wait, and the business seconds of the finished ones.
    paused_since = models.DateTimeField(null=True, blank=True, editable=False)
    paused_seconds = models.PositiveIntegerField(default=0, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        permissions = [("view_all_requests", "Can see every service request")]
        indexes = [
            models.Index(fields=["status", "-received_at"], name="sr_status_received"),
            models.Index(fields=["team", "status"], name="sr_team_status"),
            models.Index(fields=["assignee", "status"], name="sr_assignee_status"),
            models.Index(fields=["customer", "-received_at"], name="sr_customer_received"),
            models.Index(fields=["contact_phone_key"], name="sr_contact_phone"),
            models.Index(fields=["contact_email_key"], name="sr_contact_email"),
            # The measures read the requests resolved or first answered in a period.
            models.Index(fields=["resolved_at"], name="sr_resolved_at"),
            models.Index(fields=["first_responded_at"], name="sr_first_responded_at"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=Status.values), name="sr_status_valid"),
            models.CheckConstraint(
                condition=Q(priority__in=Priority.values), name="sr_priority_valid"
            ),
            models.CheckConstraint(
                condition=Q(escalated_priority__in=["", *Priority.values]),
                name="sr_escalated_priority_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="assigned") | Q(assignee__isnull=False),
                name="sr_assigned_has_assignee",
            ),
            models.CheckConstraint(
                condition=~Q(status="resolved") | Q(resolved_at__isnull=False),
                name="sr_resolved_has_time",
            ),
            models.UniqueConstraint(
                fields=["channel", "external_reference"],
                condition=~Q(external_reference=""),
                name="sr_external_reference_once_per_channel",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def status_css(self) -> str:
        return STATUS_CSS.get(self.status, "neutral")

    @property
    def priority_css(self) -> str:
        return f"priority-{self.priority}"


STATUS_CSS = {
    "new": "info",
    "assigned": "info",
    "in_progress": "primary",
    "pending_approval": "warning",
    "pending_customer": "warning",
    "scheduled": "primary",
    "resolved": "success",
    "closed": "neutral",
    "reopened": "danger",
    "cancelled": "neutral",
}


class PriorityRule(models.Model):
    """One cell of the impact × urgency matrix (SPEC §2.2), editable by admins."""

    impact = models.CharField(_("impact"), max_length=10, choices=Level)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Level)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority)

    class Meta:
        verbose_name = _("priority rule")
        verbose_name_plural = _("priority matrix")
        constraints = [
            models.UniqueConstraint(fields=["impact", "urgency"], name="priority_rule_unique_cell")
        ]

    def __str__(self) -> str:
        return f"{self.impact} × {self.urgency} → {self.priority}"


class ServiceNumberCounter(models.Model):
    """The last number given out per local day; one row per day, bumped atomically."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("service number counter")
        verbose_name_plural = _("service number counters")

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class ServiceRequestEvent(models.Model):
    """An append-only line of a request's history: who, when, from, to, why, what changed."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        STATUS_CHANGED = "status_changed", _("Status changed")
        UPDATED = "updated", _("Fields changed")
        COMMENTED = "commented", _("Replied")
        NOTE_ADDED = "note_added", _("Internal note")
        ATTACHMENT_ADDED = "attachment_added", _("Attachment added")
        SLA_WARNING = "sla.warning", _("SLA target at risk")
        SLA_BREACHED = "sla.breached", _("SLA target missed")

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind)
    action = models.CharField(max_length=30, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)
    changes = models.JSONField(default=dict, blank=True)
    is_internal = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return f"{self.request_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None:
            raise ValueError("Service request events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise ValueError("Service request events are append-only.")


class Comment(models.Model):
    """A public reply (the customer sees it) or an internal note (staff only)."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_name = models.CharField(max_length=200, blank=True)
    body = models.TextField(_("text"), max_length=20000, validators=[validate_clean_text])
    is_internal = models.BooleanField(_("internal note"), default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return self.body[:50]


class Attachment(models.Model):
    request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="attachments"
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    # Stored under a generated name; what the uploader called it is kept for display only.
    file = models.FileField(max_length=200)
    original_name = models.CharField(_("file name"), max_length=150)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    is_internal = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class Assignment(models.Model):
    """One line of the assignment table (任务分配表, SPEC §2.3): who was given the request,
    by whom, when, due when, how and why. The line stays open until the next assignment."""

    class Method(models.TextChoices):
        MANUAL = "manual", _("By a dispatcher")
        TAKE = "take", _("Taken by the person")
        ROUND_ROBIN = "round_robin", _("Round robin")
        LEAST_OPEN = "least_open", _("Least open work")
        SKILL_MATCH = "skill_match", _("Best skill match")
        ESCALATION = "escalation", _("Escalation rule")

    request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="assignments"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    method = models.CharField(_("how"), max_length=20, choices=Method, default=Method.MANUAL)
    reason = models.TextField(_("why"), blank=True)
    assigned_at = models.DateTimeField(_("assigned at"), db_index=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["assigned_at", "id"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignment table")
        indexes = [models.Index(fields=["assignee", "assigned_at"], name="assignment_assignee")]
        constraints = [
            models.UniqueConstraint(
                fields=["request"],
                condition=Q(ended_at__isnull=True),
                name="assignment_one_current_per_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.request_id} → {self.assignee_id} {self.assigned_at:%Y-%m-%d %H:%M}"


class Participant(models.Model):
    """A member of a request's task force (SPEC §2.4): besides the assignee, who owns the
    request, participants see and work it."""

    request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="participations",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name = _("task force member")
        verbose_name_plural = _("task force")
        constraints = [models.UniqueConstraint(fields=["request", "user"], name="participant_once")]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.user_id}"
