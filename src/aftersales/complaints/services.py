"""Complaints: the only code that creates or changes a complaint and what belongs to it.

- complaint_register: the registration, signed by who recorded it, routed to the complaint
  team at once (a new request of kind complaint, or an existing one)
- complaint_contact_add / complaint_investigate: the contacts with the customer and the
  analysis (severity, fault, founded, what else they ask for)
- proposal_create / proposal_update / proposal_submit / proposal_approve /
  proposal_send_back / proposal_offer: a proposal in versions, decided by a supervisor
  through the request's lifecycle (request-approval, approve, reject) and offered to the
  customer (wait-customer: the request waits for them)
- proposal_sign / proposal_record_paper / proposal_decline: the customer's answer — the
  agreement, signed on the portal or on paper, or a refusal (then a new version)
- complaint_satisfaction: satisfied (the request is resolved) or not (a new version)
- complaint_close_by_decision: a supervisor closes it without the customer's satisfaction,
  with the reason kept

Locks are taken request first, then complaint, then proposal, as every lifecycle action does.
Each step writes a line in the request's history (`complaint.*`).
"""

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import Team, User
from aftersales.catalog.models import Product, Unit
from aftersales.complaints import access, rules, signature, tokens
from aftersales.complaints.models import (
    OPEN_STAGES,
    Agreement,
    AgreementMethod,
    Complaint,
    Contact,
    ContactMethod,
    Fault,
    Proposal,
    ProposalStatus,
    RemedyKind,
    RemedyLine,
    SatisfactionAnswer,
    SatisfactionMethod,
    Severity,
    Stage,
)
from aftersales.core.errors import Conflict, DomainError, InvalidTransition, NotAllowed
from aftersales.customers.models import Customer
from aftersales.notices import services as notices
from aftersales.notifications import services as notifications
from aftersales.parts.models import Part
from aftersales.service_requests import deadlines, transitions
from aftersales.service_requests import services as requests
from aftersales.service_requests.models import ServiceRequest, ServiceRequestEvent
from aftersales.tasks import services as tasks
from aftersales.tasks.models import ACTIVE as TASK_ACTIVE

S = ServiceRequest.Status
P = ProposalStatus
TEXT_MAX = 4000
MAX_LINES = 30
TASK_SOURCE = "complaint.remedy"


# --- helpers -------------------------------------------------------------------------------


def _refuse(field: str, message: str) -> DomainError:
    return DomainError(message, fields={field: [message]})


def _text(data: dict[str, Any], field: str, limit: int = TEXT_MAX, *, required: str = "") -> str:
    value = data.get(field)
    value = "" if value is None else str(value).strip()
    if required and not value:
        raise _refuse(field, required)
    if len(value) > limit:
        raise _refuse(field, _("At most %(limit)s characters.") % {"limit": limit})
    return value


def _clean(obj: Any, **kwargs: Any) -> None:
    try:
        obj.full_clean(**kwargs)
    except ValidationError as exc:
        fields = exc.message_dict if hasattr(exc, "error_dict") else {}
        messages = [m for msgs in fields.values() for m in msgs] or exc.messages
        raise DomainError(messages[0], fields=fields) from exc


def _event(request_id: int, action: str, note: str, *, by: User | None, **changes: Any) -> None:
    ServiceRequestEvent.objects.create(
        request_id=request_id,
        kind=ServiceRequestEvent.Kind.UPDATED,
        action=f"complaint.{action}",
        actor=by,
        note=note[:2000],
        changes=changes,
        is_internal=True,
    )
    ServiceRequest.objects.filter(pk=request_id).update(updated_at=timezone.now())


def _locked(complaint: Complaint, expected_version: int | None = None) -> Complaint:
    """Lock the request, then the complaint; refuse a stale `expected_version`."""
    transitions.lock(complaint.request, expected_version=None)
    locked = Complaint.objects.select_for_update().select_related("request").get(pk=complaint.pk)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            _("Someone else changed this complaint in the meantime; reload it and try again."),
            current_version=locked.version,
        )
    return locked


def _locked_proposal(
    proposal: Proposal, expected_version: int | None = None
) -> tuple[Complaint, Proposal]:
    complaint = _locked(proposal.complaint)
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    locked.complaint = complaint
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            _("Someone else changed this proposal in the meantime; reload it and try again."),
            current_version=locked.version,
        )
    return complaint, locked


def _save(obj: Any, fields: list[str]) -> Any:
    obj.version = F("version") + 1
    obj.save(update_fields=sorted({*fields, "version", "updated_at"}))
    obj.refresh_from_db()
    return obj


def _require_open(complaint: Complaint) -> None:
    if complaint.stage not in OPEN_STAGES:
        raise InvalidTransition(
            _("The complaint is “%(stage)s” already.") % {"stage": complaint.get_stage_display()},
            stage=complaint.stage,
        )


def _require_proposal(proposal: Proposal, *statuses: str) -> None:
    if proposal.status not in statuses:
        raise InvalidTransition(
            _("Proposal %(number)d is “%(status)s”.")
            % {"number": proposal.number, "status": proposal.get_status_display()},
            status=proposal.status,
        )


def _request(complaint: Complaint) -> ServiceRequest:
    return ServiceRequest.objects.select_related("customer", "team").get(pk=complaint.request_id)


def _act(request: ServiceRequest, action: str, *, by: User | None, **data: Any) -> ServiceRequest:
    # `by=None` is the system (the customer on the portal, a task finishing): the lifecycle
    # skips its permission check and the history shows no staff member.
    return requests.service_request_act(request, action, by=by, data=data)  # type: ignore[arg-type]


def _working(request: ServiceRequest, by: User) -> ServiceRequest:
    """The complaint team takes the request up: new → taken, assigned or back → in progress."""
    if request.status == S.NEW and transitions.get("take").allowed(by, request):
        request = _act(request, "take", by=by)
    if request.status in {S.ASSIGNED, S.REOPENED, S.SCHEDULED}:
        request = _act(request, "start", by=by)
    return request


def _recompute_due(request_id: int) -> None:
    """Due times again, now that the complaint's hold on the resolution clock changed."""
    locked = ServiceRequest.objects.select_for_update().get(pk=request_id)
    deadlines.apply_due_times(locked, pauses=deadlines.pauses_of(locked))
    locked.save(update_fields=[*deadlines.DUE_FIELDS, "updated_at"])


def resolution_hold(request: ServiceRequest) -> list[deadlines.Pause]:
    """A registered complaint's resolution clock starts at the customer's agreement (SPEC
    §4): held from `received_at` until then (`deadlines.add_resolution_hold`)."""
    row = Complaint.objects.filter(request_id=request.pk).values("agreed_at").first()
    if row is None:
        return []
    return [(request.received_at, row["agreed_at"])]


def complaint_team() -> Team:
    team = Team.objects.filter(kind=Team.Kind.COMPLAINTS).order_by("id").first()
    if team is None:
        raise DomainError(
            _(
                "There is no complaint team: an administrator must create a team of kind "
                "“Complaints” first."
            )
        )
    return team


def customer_link(complaint: Complaint) -> str:
    path = reverse("complaints_portal:page", args=[tokens.complaint_token(complaint.pk)])
    return settings.SITE_URL + path


def _mail_customer(complaint: Complaint, request: ServiceRequest, *, what: str, key: str) -> bool:
    """The customer's link (`what`: offer or satisfaction) by their channel; False when we
    have no address for them."""
    sent = notices.notice_send(
        f"complaint_{what}",
        request=request,
        key=key,
        values={
            "link": customer_link(complaint),
            "valid_until": notices.service_time(
                timezone.now() + datetime.timedelta(days=settings.COMPLAINT_LINK_DAYS)
            ),
        },
    )
    return bool(sent)


def _tell_supervisor(request: ServiceRequest, *, key: str, title: str, body: str = "") -> None:
    team = request.team
    supervisor = team.supervisor if team is not None else None
    if supervisor is None or not supervisor.is_active:
        return
    complaint = Complaint.objects.filter(request_id=request.pk).only("pk").first()
    url = reverse("complaints:detail", args=[complaint.pk]) if complaint else ""
    notifications.notify(recipient=supervisor, key=key, title=title, body=body[:500], url=url)


# --- registration --------------------------------------------------------------------------


def _related(numbers: Any, request: ServiceRequest) -> list[ServiceRequest]:
    if not numbers:
        return []
    if not isinstance(numbers, list | tuple):
        raise _refuse("related_requests", _("Give a list of service numbers."))
    found = []
    for item in numbers:
        number = item.number if isinstance(item, ServiceRequest) else str(item).strip().upper()
        other = ServiceRequest.objects.filter(number=number).first()
        if other is None or other.pk == request.pk or other.customer_id != request.customer_id:
            raise _refuse(
                "related_requests",
                _("%(number)s is not an earlier request of this customer.") % {"number": number},
            )
        found.append(other)
    return found


@transaction.atomic
def complaint_register(
    *,
    by: User,
    data: dict[str, Any],
    request: ServiceRequest | None = None,
    customer: Customer | None = None,
) -> Complaint:
    """Record a complaint (投诉登记), signed by `by` with the time, and route its request to
    the complaint team at once, telling its supervisor.

    `request`: an existing open request of kind complaint without a record; otherwise a new
    request of kind complaint is created for `customer` (data: title, channel, contact…).
    """
    if not access.can_register(by):
        raise NotAllowed(_("You may not register complaints."))
    subject = _text(data, "subject", required=_("Say what the complaint is about."))
    wanted = _text(data, "wanted")
    role = _text(data, "complainant_role", 100)
    unit = data.get("unit")
    if unit is not None and not isinstance(unit, Unit):
        raise _refuse("unit", _("Unknown unit."))
    team = complaint_team()
    if request is not None:
        request = transitions.lock(request, expected_version=None)
        if request.kind != ServiceRequest.Kind.COMPLAINT:
            raise _refuse("service_request", _("This request is not a complaint."))
        if not request.is_open:
            raise _refuse("service_request", _("This request is closed or cancelled."))
        if Complaint.objects.filter(request_id=request.pk).exists():
            raise Conflict(_("This complaint is registered already."))
    else:
        if customer is None:
            raise _refuse("customer", _("Choose the customer who complains."))
        fields = {
            "kind": ServiceRequest.Kind.COMPLAINT,
            "category": data.get("category") or ServiceRequest.Category.SERVICE_QUALITY,
            "title": _text(data, "title", 200) or subject[:200],
            "description": subject,
            "channel": data.get("channel") or ServiceRequest.Channel.PHONE,
        }
        for name in ("contact_name", "contact_phone", "contact_email", "address"):
            if data.get(name):
                fields[name] = data[name]
        if unit is not None:
            fields["unit"] = unit
        request = requests.service_request_create(by=by, customer=customer, data=fields)
    if unit is not None and unit.customer_id not in {None, request.customer_id}:
        raise _refuse("unit", _("This unit belongs to another customer."))
    product = unit.product if unit is not None else request.product
    batch = _text(data, "batch_number", 100) or (
        unit.batch_number if unit is not None else request.batch_number
    )
    complaint = Complaint(
        request=request,
        complainant=_text(data, "complainant", 200) or request.contact_name,
        complainant_role=role,
        subject=subject,
        wanted=wanted,
        unit=unit or request.unit,
        product=product,
        batch_number=batch,
        recorded_by=by,
        recorded_at=timezone.now(),
    )
    _clean(complaint, exclude=["request", "recorded_by", "unit", "product"])
    related = _related(data.get("related_requests"), request)
    complaint.save()
    complaint.related_requests.set(related)
    requests.service_request_route_to_team(
        request, team=team, by=None, note=_("Complaint registered: to the complaint team.")
    )
    _recompute_due(request.pk)
    _event(
        request.pk,
        "registered",
        _("Complaint registered by %(name)s: %(subject)s")
        % {"name": by.display_name, "subject": subject[:200]},
        by=by,
        complaint=[None, complaint.pk],
    )
    request.refresh_from_db()
    _tell_supervisor(
        request,
        key=f"complaint:{complaint.pk}:registered",
        title=_("New complaint %(number)s") % {"number": request.number},
        body=subject,
    )
    return complaint


# --- investigation -------------------------------------------------------------------------


@transaction.atomic
def complaint_contact_add(
    complaint: Complaint,
    *,
    by: User,
    method: str,
    facts: str,
    contacted_at: datetime.datetime | None = None,
) -> Contact:
    """A conversation with the customer and the facts it brought. The first contact is the
    first response the customer sees (SPEC §5)."""
    complaint = _locked(complaint)
    if not access.can_work(by, complaint):
        raise NotAllowed(_("You may not work on this complaint."))
    _require_open(complaint)
    if method not in ContactMethod.values:
        raise _refuse("method", _("Choose how you talked to the customer."))
    facts = _text({"facts": facts}, "facts", required=_("Write down what the customer told you."))
    now = timezone.now()
    when = contacted_at or now
    if when > now + datetime.timedelta(minutes=1):
        raise _refuse("contacted_at", _("The contact cannot be in the future."))
    if when < complaint.request.received_at - datetime.timedelta(minutes=1):
        raise _refuse("contacted_at", _("The contact cannot be before the complaint came in."))
    contact = Contact(
        complaint=complaint, method=method, contacted_at=when, contacted_by=by, facts=facts
    )
    _clean(contact, exclude=["complaint", "contacted_by"])
    contact.save()
    _working(_request(complaint), by)
    ServiceRequest.objects.filter(pk=complaint.request_id, first_responded_at__isnull=True).update(
        first_responded_at=when
    )
    if complaint.stage == Stage.REGISTERED:
        complaint.stage = Stage.INVESTIGATING
        _save(complaint, ["stage"])
    _event(
        complaint.request_id,
        "contact",
        f"{contact.get_method_display()}: {facts}",
        by=by,
    )
    return contact


@transaction.atomic
def complaint_investigate(
    complaint: Complaint,
    *,
    by: User,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> Complaint:
    """The analysis: severity, whether and how far we are at fault, founded or not, what
    else the customer asks for. Rewritten until the customer agrees to a proposal."""
    complaint = _locked(complaint, expected_version)
    if not access.can_work(by, complaint):
        raise NotAllowed(_("You may not work on this complaint."))
    _require_open(complaint)
    if complaint.agreed_at is not None:
        raise InvalidTransition(_("The customer has agreed already; the analysis is kept."))
    severity = data.get("severity")
    if severity not in Severity.values:
        raise _refuse("severity", _("Choose how serious it is."))
    fault = data.get("fault")
    if fault not in Fault.values:
        raise _refuse("fault", _("Say whether we are at fault."))
    percent = data.get("fault_percent")
    if percent in ("", None):
        percent = None
    else:
        try:
            percent = int(percent)
        except (TypeError, ValueError):
            raise _refuse("fault_percent", _("A whole number from 0 to 100.")) from None
        if not 0 <= percent <= 100:
            raise _refuse("fault_percent", _("A whole number from 0 to 100."))
    if fault == Fault.NONE:
        if percent not in (None, 0):
            raise _refuse("fault_percent", _("Not our fault: no share of fault."))
        percent = None
    elif fault == Fault.FULL:
        if percent not in (None, 100):
            raise _refuse("fault_percent", _("Entirely our fault is 100 %."))
        percent = 100
    elif percent is None or not 0 < percent < 100:
        raise _refuse("fault_percent", _("Partly our fault: give our share, from 1 to 99 %."))
    founded = data.get("founded")
    if not isinstance(founded, bool):
        raise _refuse("founded", _("Say whether the complaint is founded."))
    before = {
        "severity": complaint.severity,
        "fault": complaint.fault,
        "fault_percent": complaint.fault_percent,
        "founded": complaint.founded,
    }
    complaint.severity = severity
    complaint.fault = fault
    complaint.fault_percent = percent
    complaint.founded = founded
    complaint.findings = _text(data, "findings")
    complaint.other_demands = _text(data, "other_demands")
    complaint.investigated_by = by
    complaint.investigated_at = timezone.now()
    if complaint.stage == Stage.REGISTERED:
        complaint.stage = Stage.INVESTIGATING
    _clean(complaint, exclude=["request", "recorded_by", "unit", "product", "investigated_by"])
    complaint = _save(
        complaint,
        [
            "severity",
            "fault",
            "fault_percent",
            "founded",
            "findings",
            "other_demands",
            "investigated_by",
            "investigated_at",
            "stage",
        ],
    )
    _working(_request(complaint), by)
    after = {
        "severity": severity,
        "fault": fault,
        "fault_percent": percent,
        "founded": founded,
    }
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    _event(complaint.request_id, "investigated", complaint.findings, by=by, **changes)
    return complaint


# --- proposals -----------------------------------------------------------------------------


def _money(value: Any, field: str) -> Decimal:
    try:
        amount = Decimal(str(value if value not in (None, "") else "0"))
    except InvalidOperation:
        raise _refuse(field, _("Not an amount.")) from None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(rules.CENT):
        raise _refuse(field, _("An amount of at least 0, at most two decimals."))
    if amount >= Decimal("1e10"):
        raise _refuse(field, _("The amount is too large."))
    return amount


def _lines(raw: Any) -> list[RemedyLine]:
    """Remedy lines from input, checked; DomainError naming `lines[i].field`."""
    if not isinstance(raw, list | tuple) or not raw:
        raise _refuse("lines", _("Add at least one remedy line (a “none” line for a founded no)."))
    if len(raw) > MAX_LINES:
        raise _refuse("lines", _("At most %(count)d lines.") % {"count": MAX_LINES})
    lines = []
    for index, item in enumerate(raw):
        name = f"lines[{index}]"
        if not isinstance(item, dict):
            raise _refuse("lines", _("Each line is an object."))
        kind = item.get("kind")
        if kind not in RemedyKind.values:
            raise _refuse(f"{name}.kind", _("Choose the kind of remedy."))
        try:
            quantity = int(item.get("quantity") or 1)
        except (TypeError, ValueError):
            raise _refuse(f"{name}.quantity", _("A whole number of at least 1.")) from None
        if not 1 <= quantity <= 100000:
            raise _refuse(f"{name}.quantity", _("A whole number of at least 1."))
        unit_value = _money(item.get("unit_value"), f"{name}.unit_value")
        part = item.get("part")
        product = item.get("product")
        if part is not None and not isinstance(part, Part):
            part = Part.objects.filter(pk=part).first() if str(part).isdigit() else None
            if part is None:
                raise _refuse(f"{name}.part", _("Unknown part."))
        if product is not None and not isinstance(product, Product):
            product = Product.objects.filter(pk=product).first() if str(product).isdigit() else None
            if product is None:
                raise _refuse(f"{name}.product", _("Unknown product."))
        description = _text(item, "description", 300)
        if kind == RemedyKind.NONE and (quantity != 1 or unit_value != 0 or part or product):
            raise _refuse(f"{name}.kind", _("A “none” line has no quantity or value."))
        if kind == RemedyKind.COMPENSATION_PRODUCT and part is None and product is None:
            raise _refuse(f"{name}.product", _("Name the product or part we give."))
        if kind in {RemedyKind.GIFT, RemedyKind.REPAIR} and not description:
            raise _refuse(f"{name}.description", _("Describe it."))
        line = RemedyLine(
            kind=kind,
            description=description,
            part=part,
            product=product,
            quantity=quantity,
            unit_value=unit_value,
            amount=rules.line_amount(quantity, unit_value),
        )
        lines.append(line)
    kinds = {line.kind for line in lines}
    if RemedyKind.NONE in kinds and len(lines) > 1:
        raise _refuse("lines", _("A “none” line stands alone."))
    return lines


@transaction.atomic
def proposal_create(complaint: Complaint, *, by: User, data: dict[str, Any]) -> Proposal:
    """A new version of the proposal (after the analysis). A draft or sent-back version is
    replaced (withdrawn); one waiting for approval or for the customer must be decided first."""
    complaint = _locked(complaint)
    if not access.can_work(by, complaint):
        raise NotAllowed(_("You may not work on this complaint."))
    _require_open(complaint)
    if complaint.founded is None or not complaint.severity:
        raise _refuse(
            "investigation", _("Record the investigation (severity, fault, founded) first.")
        )
    if complaint.stage in {Stage.IMPLEMENTING, Stage.AWAITING_SATISFACTION}:
        raise InvalidTransition(_("The agreed proposal is being carried out."))
    lines = _lines(data.get("lines"))
    reasoning = _text(data, "reasoning", required=_("Give the reasoning for this remedy."))
    current = (
        Proposal.objects.select_for_update()
        .filter(
            complaint=complaint,
            status__in=[P.DRAFT, P.SUBMITTED, P.SENT_BACK, P.APPROVED, P.OFFERED],
        )
        .first()
    )
    if current is not None:
        if current.status not in {P.DRAFT, P.SENT_BACK}:
            raise Conflict(
                _("Proposal %(number)d is “%(status)s”; it must be decided first.")
                % {"number": current.number, "status": current.get_status_display()}
            )
        current.status = P.WITHDRAWN
        _save(current, ["status"])
    number = (
        complaint.proposals.order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1
    proposal = Proposal.objects.create(
        complaint=complaint,
        number=number,
        reasoning=reasoning,
        currency=settings.CURRENCY,
        proposed_by=by,
    )
    for line in lines:
        line.proposal = proposal
    RemedyLine.objects.bulk_create(lines)
    complaint.stage = Stage.PROPOSING
    _save(complaint, ["stage"])
    _event(
        complaint.request_id,
        "proposal_created",
        _("Proposal %(number)d: %(lines)s")
        % {"number": number, "lines": ", ".join(str(line) for line in lines)},
        by=by,
        proposal=[None, number],
    )
    return proposal


@transaction.atomic
def proposal_update(
    proposal: Proposal,
    *,
    by: User,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> Proposal:
    """Change a draft or sent-back version's lines and reasoning (it becomes a draft)."""
    complaint, proposal = _locked_proposal(proposal, expected_version)
    if not access.can_work(by, complaint):
        raise NotAllowed(_("You may not work on this complaint."))
    _require_proposal(proposal, P.DRAFT, P.SENT_BACK)
    lines = _lines(data.get("lines"))
    proposal.reasoning = _text(data, "reasoning", required=_("Give the reasoning for this remedy."))
    proposal.status = P.DRAFT
    proposal.lines.all().delete()
    for line in lines:
        line.proposal = proposal
    RemedyLine.objects.bulk_create(lines)
    return _save(proposal, ["reasoning", "status"])


def _departments_exist(proposal: Proposal, request: ServiceRequest) -> None:
    for line in proposal.lines.all():
        if line.kind == RemedyKind.NONE:
            continue
        if _team_for(line.kind, request) is None:
            kind = rules.DEPARTMENT[line.kind]
            raise _refuse(
                "lines",
                _(
                    "No team of kind “%(kind)s” carries out “%(remedy)s”; an administrator must "
                    "create one."
                )
                % {"kind": Team.Kind(kind).label, "remedy": line.get_kind_display()},
            )


def _team_for(kind: str, request: ServiceRequest) -> Team | None:
    department = rules.DEPARTMENT[kind]
    if department == Team.Kind.TECHNICAL:
        # The repair goes to the team that knows the product: the one of the customer's
        # earlier request cited in the complaint, else the first technical team.
        complaint = Complaint.objects.filter(request_id=request.pk).first()
        if complaint is not None:
            earlier = (
                complaint.related_requests.filter(
                    team__kind__in=[Team.Kind.TECHNICAL, Team.Kind.FIELD_SERVICE]
                )
                .order_by("-received_at")
                .first()
            )
            if earlier is not None:
                return earlier.team
    return Team.objects.filter(kind=department).order_by("id").first()


@transaction.atomic
def proposal_submit(
    proposal: Proposal, *, by: User, note: str = "", expected_version: int | None = None
) -> Proposal:
    """Ask a supervisor to approve (the request's `request-approval`)."""
    complaint, proposal = _locked_proposal(proposal, expected_version)
    if not access.can_work(by, complaint):
        raise NotAllowed(_("You may not work on this complaint."))
    _require_proposal(proposal, P.DRAFT, P.SENT_BACK)
    request = _working(_request(complaint), by)
    _departments_exist(proposal, request)
    total = sum((line.amount for line in proposal.lines.all()), Decimal("0.00"))
    summary = _("Proposal %(number)d for approval: %(total)s %(currency)s") % {
        "number": proposal.number,
        "total": f"{total:,.2f}",
        "currency": proposal.currency,
    }
    proposal.status = P.SUBMITTED
    proposal.submitted_at = timezone.now()
    proposal.decision_comment = ""
    proposal = _save(proposal, ["status", "submitted_at", "decision_comment"])
    text = f"{summary}. {note}".strip() if note else summary
    _act(request, "request-approval", by=by, note=text[:2000])
    _tell_supervisor(
        request,
        key=f"complaint-proposal:{proposal.pk}:submitted:{proposal.version}",
        title=_("Complaint %(number)s: a proposal waits for your approval")
        % {"number": request.number},
        body=text,
    )
    return proposal


def decide_from_lifecycle(request: ServiceRequest, action: str, by: User | None) -> None:
    """The request's approve/reject (from here or its own buttons) decide the submitted
    proposal. Runs in the lifecycle's transaction (receiver of `request_transitioned`)."""
    proposal = (
        Proposal.objects.select_for_update()
        .filter(complaint__request_id=request.pk, status=P.SUBMITTED)
        .first()
    )
    if proposal is None:
        return
    proposal.decided_by = by
    proposal.decided_at = timezone.now()
    if action == "approve":
        proposal.status = P.APPROVED
        proposal.decision_comment = (
            request.events.filter(action="approve")
            .order_by("-id")
            .values_list("note", flat=True)
            .first()
            or ""
        )
    else:
        reason = request.events.filter(action="reject").order_by("-id").values_list(
            "note", flat=True
        ).first() or _("Sent back.")
        proposal.status = P.SENT_BACK
        proposal.decision_comment = reason
    _save(proposal, ["status", "decided_by", "decided_at", "decision_comment"])


def refuse_own_approval(request: ServiceRequest, transition: Any, by: User | None) -> None:
    """Guard on the request's approve: the proposer of the complaint's proposal may not
    approve it themself (admins excepted)."""
    if by is None:
        return
    proposal = (
        Proposal.objects.filter(complaint__request_id=request.pk, status=P.SUBMITTED)
        .select_related("complaint__request")
        .first()
    )
    if proposal is not None and not access.can_decide(by, proposal):
        raise NotAllowed(_("You proposed this remedy; another supervisor must approve it."))


@transaction.atomic
def proposal_approve(
    proposal: Proposal,
    *,
    by: User,
    comment: str = "",
    offer: bool = True,
    expected_version: int | None = None,
) -> Proposal:
    """Approve (the request's `approve`) and, by default, offer it to the customer at once."""
    complaint, proposal = _locked_proposal(proposal, expected_version)
    if not access.can_decide(by, proposal):
        raise NotAllowed(_("You may not approve this proposal."))
    _require_proposal(proposal, P.SUBMITTED)
    _act(_request(complaint), "approve", by=by, note=_text({"c": comment}, "c", 2000))
    proposal.refresh_from_db()
    if offer:
        return proposal_offer(proposal, by=by)
    return proposal


@transaction.atomic
def proposal_send_back(
    proposal: Proposal, *, by: User, comment: str, expected_version: int | None = None
) -> Proposal:
    """Send it back with a comment (the request's `reject`)."""
    complaint, proposal = _locked_proposal(proposal, expected_version)
    if not access.can_decide(by, proposal):
        raise NotAllowed(_("You may not decide this proposal."))
    _require_proposal(proposal, P.SUBMITTED)
    reason = _text({"comment": comment}, "comment", 2000, required=_("Say what must change."))
    _act(_request(complaint), "reject", by=by, reason=reason)
    proposal.refresh_from_db()
    return proposal


@transaction.atomic
def proposal_offer(
    proposal: Proposal, *, by: User, expected_version: int | None = None
) -> Proposal:
    """Offer an approved proposal to the customer: mail the link, and the request waits for
    them (`wait-customer`)."""
    complaint, proposal = _locked_proposal(proposal, expected_version)
    if not (access.can_work(by, complaint) or access.supervises(by, complaint)):
        raise NotAllowed(_("You may not work on this complaint."))
    _require_proposal(proposal, P.APPROVED)
    request = _request(complaint)
    proposal.status = P.OFFERED
    proposal.offered_at = timezone.now()
    proposal = _save(proposal, ["status", "offered_at"])
    complaint.stage = Stage.OFFERED
    _save(complaint, ["stage"])
    mailed = _mail_customer(complaint, request, what="offer", key=f"complaint-offer:{proposal.pk}")
    note = (
        _("Proposal %(number)d offered to the customer; a link to sign it was sent to them.")
        if mailed
        else _(
            "Proposal %(number)d offered to the customer (we have no email or phone number "
            "for them: reach them another way)."
        )
    ) % {"number": proposal.number}
    if request.status == S.IN_PROGRESS:
        _act(request, "wait-customer", by=None, note=note)
    else:
        _event(request.pk, "offered", note, by=by)
    return proposal


def proposal_content(proposal: Proposal) -> str:
    lines = [
        {
            "kind": line.kind,
            "description": line.description,
            "part": line.part.part_number if line.part else "",
            "product": line.product.model if line.product else "",
            "quantity": str(line.quantity),
            "unit_value": f"{line.unit_value:.2f}",
            "amount": f"{line.amount:.2f}",
        }
        for line in proposal.lines.select_related("part", "product").order_by("id")
    ]
    return rules.agreement_content(proposal.number, proposal.currency, lines)


def _accept(
    complaint: Complaint, proposal: Proposal, agreement: Agreement, *, by: User | None
) -> Proposal:
    _require_proposal(proposal, P.OFFERED)
    agreement.proposal = proposal
    agreement.content_sha256 = rules.content_hash(proposal_content(proposal))
    agreement.signer_name = agreement.signer_name.strip()
    if not agreement.signer_name:
        raise _refuse("signer_name", _("Type the name of the person who signs."))
    if len(agreement.signer_name) > 200:
        raise _refuse("signer_name", _("At most %(limit)s characters.") % {"limit": 200})
    agreement.save()
    proposal.status = P.ACCEPTED
    proposal.answered_at = agreement.signed_at
    proposal = _save(proposal, ["status", "answered_at"])
    # The resolution clock starts now (SPEC §4): saved before the request moves on, so the
    # lifecycle's recomputation already sees it.
    complaint.agreed_at = agreement.signed_at
    complaint.stage = Stage.IMPLEMENTING
    _save(complaint, ["agreed_at", "stage"])
    request = _request(complaint)
    note = _("Proposal %(number)d agreed and signed by %(name)s (%(how)s).") % {
        "number": proposal.number,
        "name": agreement.signer_name,
        "how": agreement.get_method_display(),
    }
    if request.status == S.PENDING_CUSTOMER:
        request = _act(request, "start", by=by, note=note)
    else:
        _event(request.pk, "agreed", note, by=by)
    _recompute_due(request.pk)
    _open_tasks(complaint, proposal, request, by=by)
    return proposal


def _task_description(line: RemedyLine, request: ServiceRequest) -> str:
    item = line.description
    if line.part is not None:
        item = f"{line.part.part_number} {line.part.name} {item}".strip()
    elif line.product is not None:
        item = f"{line.product.model} {line.product.name} {item}".strip()
    parts = [
        _("Complaint %(number)s — %(remedy)s")
        % {"number": request.number, "remedy": line.get_kind_display()},
        _("Item: %(item)s") % {"item": item or "—"},
        _("Quantity: %(quantity)d") % {"quantity": line.quantity},
        _("Value: %(amount)s %(currency)s")
        % {"amount": f"{line.amount:,.2f}", "currency": line.proposal.currency},
        _("Customer: %(name)s, %(phone)s")
        % {"name": request.contact_name, "phone": request.contact_phone or "—"},
    ]
    if line.kind in {"compensation_product", "replacement", "gift", "repair"}:
        parts.append(_("Address: %(address)s") % {"address": request.address or "—"})
    return "\n".join(parts)


def _open_tasks(
    complaint: Complaint, proposal: Proposal, request: ServiceRequest, *, by: User | None
) -> None:
    lines = list(proposal.lines.select_related("part", "product", "proposal").order_by("id"))
    opened = 0
    for line in lines:
        if line.kind == RemedyKind.NONE:
            continue
        team = _team_for(line.kind, request)
        if team is None:
            raise _refuse(
                "lines",
                _("No team carries out “%(remedy)s”.") % {"remedy": line.get_kind_display()},
            )
        days = rules.task_days(
            line.kind,
            default=settings.COMPLAINT_TASK_DAYS,
            by_kind=settings.COMPLAINT_TASK_DAYS_BY_KIND,
        )
        task = tasks.task_open(
            title=_("%(remedy)s for complaint %(number)s")
            % {"remedy": line.get_kind_display(), "number": request.number},
            team=team,
            source=TASK_SOURCE,
            source_id=line.pk,
            service_request=request,
            description=_task_description(line, request),
            due_at=timezone.now() + datetime.timedelta(days=days),
            by=by,
        )
        RemedyLine.objects.filter(pk=line.pk).update(task=task)
        opened += 1
    if opened == 0:
        _await_satisfaction(complaint, request)


def _await_satisfaction(complaint: Complaint, request: ServiceRequest) -> None:
    complaint.stage = Stage.AWAITING_SATISFACTION
    _save(complaint, ["stage"])
    mailed = _mail_customer(
        complaint,
        request,
        what="satisfaction",
        key=f"complaint-satisfaction:{complaint.pk}:{complaint.proposals.count()}",
    )
    _event(
        request.pk,
        "remedy_done",
        _("The remedy is carried out; the customer is asked whether they are satisfied")
        + (
            _(" (a link was sent to them).")
            if mailed
            else _(" (we have no email or phone number for them: reach them another way).")
        ),
        by=None,
    )


@transaction.atomic
def proposal_sign(
    proposal: Proposal,
    *,
    signer_name: str,
    signature_data_url: str,
    ip_address: str | None,
    user_agent: str,
) -> Proposal:
    """The customer signs the offered proposal on the portal (typed name and drawn
    signature, time, IP and browser kept, never changed)."""
    png = signature.signature_png(signature_data_url)
    complaint, proposal = _locked_proposal(proposal)
    agreement = Agreement(
        method=AgreementMethod.PORTAL,
        signer_name=signer_name or "",
        signature_png=png,
        signed_at=timezone.now(),
        ip_address=ip_address or None,
        user_agent=(user_agent or "")[:300],
    )
    return _accept(complaint, proposal, agreement, by=None)


@transaction.atomic
def proposal_record_paper(
    proposal: Proposal,
    *,
    by: User,
    signer_name: str,
    upload: Any,
    signed_at: datetime.datetime | None = None,
) -> Proposal:
    """The customer signed a paper agreement: its scan is stored with the request."""
    complaint, proposal = _locked_proposal(proposal)
    if not access.can_work(by, complaint):
        raise NotAllowed(_("You may not work on this complaint."))
    _require_proposal(proposal, P.OFFERED)
    if upload is None:
        raise _refuse("file", _("Attach the scan or photo of the signed agreement."))
    now = timezone.now()
    when = signed_at or now
    if when > now + datetime.timedelta(minutes=1) or (
        proposal.offered_at and when < proposal.offered_at - datetime.timedelta(days=1)
    ):
        raise _refuse(
            "signed_at", _("The signature date must be after the offer and not later than now.")
        )
    try:
        attachment = requests.attachment_add(
            complaint.request, by=by, upload=upload, internal=False
        )
    except DomainError as exc:
        raise DomainError(exc.message, fields={"file": [exc.message]}) from exc
    agreement = Agreement(
        method=AgreementMethod.PAPER,
        signer_name=signer_name or "",
        signed_at=when,
        paper=attachment,
        recorded_by=by,
    )
    return _accept(complaint, proposal, agreement, by=by)


@transaction.atomic
def proposal_decline(proposal: Proposal, *, reason: str, by: User | None = None) -> Proposal:
    """The customer declines (on the portal, `by=None`, or by phone to staff): a new version
    of the proposal is needed; the request is worked again."""
    complaint, proposal = _locked_proposal(proposal)
    if by is not None and not access.can_work(by, complaint):
        raise NotAllowed(_("You may not work on this complaint."))
    _require_proposal(proposal, P.OFFERED)
    reason = _text({"reason": reason}, "reason", required=_("Say why the proposal is declined."))
    proposal.status = P.DECLINED
    proposal.decline_reason = reason
    proposal.answered_at = timezone.now()
    proposal = _save(proposal, ["status", "decline_reason", "answered_at"])
    complaint.stage = Stage.PROPOSING
    _save(complaint, ["stage"])
    request = _request(complaint)
    note = _("The customer declined proposal %(number)d: %(reason)s") % {
        "number": proposal.number,
        "reason": reason,
    }
    if request.status == S.PENDING_CUSTOMER:
        _act(request, "start", by=by, note=note)
    else:
        _event(request.pk, "declined", note, by=by)
    _tell_supervisor(
        request,
        key=f"complaint-proposal:{proposal.pk}:declined",
        title=_("Complaint %(number)s: the customer declined the proposal")
        % {"number": request.number},
        body=reason,
    )
    return proposal


def follow_task(task: Any) -> None:
    """A remedy's task is done or cancelled: once none is active, ask for satisfaction.
    Receiver of `tasks.signals.task_finished`, in the task's transaction."""
    if task.source != TASK_SOURCE or task.source_id is None:
        return
    line = (
        RemedyLine.objects.select_related("proposal__complaint").filter(pk=task.source_id).first()
    )
    if line is None or line.proposal.status != P.ACCEPTED:
        return
    complaint = _locked(line.proposal.complaint)
    if complaint.stage != Stage.IMPLEMENTING:
        return
    pending = RemedyLine.objects.filter(
        proposal_id=line.proposal_id, task__status__in=list(TASK_ACTIVE)
    ).exists()
    if not pending:
        _await_satisfaction(complaint, _request(complaint))


@transaction.atomic
def complaint_satisfaction(
    complaint: Complaint,
    *,
    satisfied: bool,
    comment: str = "",
    by: User | None = None,
) -> SatisfactionAnswer:
    """The customer's word (portal: `by=None`; by phone: staff who work the request).
    Satisfied resolves the request; not satisfied (with why) asks for a new proposal."""
    complaint = _locked(complaint)
    if by is not None and not access.can_work(by, complaint):
        raise NotAllowed(_("You may not work on this complaint."))
    if complaint.stage != Stage.AWAITING_SATISFACTION:
        raise InvalidTransition(
            _("The customer's satisfaction is not asked now (the complaint is “%(stage)s”).")
            % {"stage": complaint.get_stage_display()}
        )
    comment = _text({"comment": comment}, "comment")
    if not satisfied and not comment:
        raise _refuse("comment", _("Say what is still wrong."))
    proposal = complaint.proposals.filter(status=P.ACCEPTED).order_by("-number").first()
    now = timezone.now()
    answer = SatisfactionAnswer.objects.create(
        complaint=complaint,
        proposal=proposal,
        satisfied=satisfied,
        comment=comment,
        method=SatisfactionMethod.PHONE if by is not None else SatisfactionMethod.PORTAL,
        answered_at=now,
        recorded_by=by,
    )
    request = _request(complaint)
    if satisfied:
        complaint.stage = Stage.SATISFIED
        complaint.satisfied_at = now
        _save(complaint, ["stage", "satisfied_at"])
        resolution = _("The customer is satisfied with the remedy of proposal %(number)d.") % {
            "number": proposal.number
        }
        if comment:
            resolution += " " + comment
        if request.status in transitions.get("resolve").sources:
            actor = (
                by if by is not None and transitions.get("resolve").allowed(by, request) else None
            )
            _act(request, "resolve", by=actor, resolution=resolution)
        else:
            _event(request.pk, "satisfied", resolution, by=by)
    else:
        complaint.stage = Stage.PROPOSING
        _save(complaint, ["stage"])
        _event(
            request.pk,
            "not_satisfied",
            _("The customer is not satisfied: %(reason)s") % {"reason": comment},
            by=by,
        )
        _tell_supervisor(
            request,
            key=f"complaint:{complaint.pk}:unsatisfied:{answer.pk}",
            title=_("Complaint %(number)s: the customer is not satisfied")
            % {"number": request.number},
            body=comment,
        )
    return answer


@transaction.atomic
def complaint_close_by_decision(complaint: Complaint, *, by: User, reason: str) -> Complaint:
    """A supervisor closes the complaint without the customer's satisfaction, with the
    reason kept: an open proposal is withdrawn, open tasks cancelled, the request resolved
    (if it is not) and closed."""
    complaint = _locked(complaint)
    if not access.supervises(by, complaint):
        raise NotAllowed(_("Only a supervisor of this request may close it by decision."))
    _require_open(complaint)
    reason = _text({"reason": reason}, "reason", required=_("Give the reason for the decision."))
    request = _request(complaint)
    for proposal in Proposal.objects.select_for_update().filter(
        complaint=complaint, status__in=[P.DRAFT, P.SENT_BACK, P.APPROVED, P.OFFERED, P.SUBMITTED]
    ):
        if proposal.status == P.SUBMITTED and request.status == S.PENDING_APPROVAL:
            request = _act(request, "reject", by=by, reason=reason)
            proposal.refresh_from_db()
        proposal.status = P.WITHDRAWN
        _save(proposal, ["status"])
    for line in RemedyLine.objects.filter(
        proposal__complaint=complaint, task__status__in=list(TASK_ACTIVE)
    ).select_related("task"):
        tasks.task_cancel(line.task, by=None, reason=reason)
    complaint.refresh_from_db()
    complaint.stage = Stage.CLOSED_BY_DECISION
    complaint.decision_reason = reason
    complaint.decided_by = by
    complaint.decided_at = timezone.now()
    complaint = _save(complaint, ["stage", "decision_reason", "decided_by", "decided_at"])
    _event(request.pk, "decision", reason, by=by)
    request.refresh_from_db()
    if request.status == S.PENDING_CUSTOMER:
        request = _act(request, "start", by=by)
    if request.status in transitions.get("resolve").sources:
        request = _act(request, "resolve", by=by, resolution=reason)
    if request.status == S.RESOLVED:
        _act(request, "close", by=by, note=reason)
    return complaint


def refuse_close_without_satisfaction(
    request: ServiceRequest, transition: Any, by: User | None
) -> None:
    """Guard on the request's close: a registered complaint closes once the customer is
    satisfied or a supervisor decided so (SPEC §2.8)."""
    stage = Complaint.objects.filter(request_id=request.pk).values_list("stage", flat=True).first()
    if stage is None or stage in {Stage.SATISFIED, Stage.CLOSED_BY_DECISION}:
        return
    raise InvalidTransition(
        _(
            "This complaint closes once the customer is satisfied, or by a supervisor's "
            "documented decision on the complaint's page."
        ),
        stage=stage,
    )
