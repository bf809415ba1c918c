"""Follow-up visits: the only code that plans, records and ends follow-ups.

- followup_plan: on a resolution (not of a complaint, whose procedure has its own
  satisfaction step), due after the kind's delay, by the kind's method, for the service desk
- followup_record: the result of a call — reached or not (another attempt), solved, three
  scores, suggestions; "not solved" reopens the request, a score of 1–2 opens a task for
  the supervisor
- followup_give_up, followup_send_survey, followup_complete_from_survey
- followups_sweep (periodic): survey links that came due, follow-ups with no answer after
  AFTERSALES_FOLLOWUP_CLOSE_AFTER_DAYS, and closing resolved requests whose follow-up ended
- close_guard: "close" waits for the follow-up (registered in the AppConfig)
"""

import datetime
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftersales.accounts.models import Team, User
from aftersales.core.errors import Conflict, DomainError, InvalidTransition, NotAllowed
from aftersales.core.text import validate_clean_text
from aftersales.followups import access, rules
from aftersales.followups.models import FINISHED, SCORE_FIELDS, CallScript, FollowUp, Method, Status
from aftersales.service_requests import transitions
from aftersales.service_requests.models import ServiceRequest, ServiceRequestEvent
from aftersales.surveys import services as surveys
from aftersales.surveys.models import Channel, Response

log = logging.getLogger(__name__)
S = ServiceRequest.Status
TEXT_MAX = 2000
LOW_SCORE = 2
LOW_SCORE_SOURCE = "followup.low_score"
# The survey question codes a follow-up's answers are kept under (the default questions).
CODES = {
    "solved": "solved",
    "score_solution": "solution",
    "score_attitude": "attitude",
    "score_speed": "speed",
    "suggestions": "suggestions",
}


def _event(request_id: int, verb: str, note: str, *, by: User | None, **changes: Any) -> None:
    ServiceRequestEvent.objects.create(
        request_id=request_id,
        kind=ServiceRequestEvent.Kind.UPDATED,
        action=f"followup.{verb}",
        actor=by,
        note=note,
        changes=changes,
        is_internal=True,
    )
    ServiceRequest.objects.filter(pk=request_id).update(updated_at=timezone.now())


def service_desk_team() -> Team | None:
    """The agents' team (the first of kind service desk)."""
    return Team.objects.filter(kind=Team.Kind.SERVICE_DESK).order_by("id").first()


def _locked(followup: FollowUp, expected_version: int | None) -> FollowUp:
    locked = (
        FollowUp.objects.select_for_update(of=("self",))
        .select_related("request", "team")
        .get(pk=followup.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            _("Someone else changed this follow-up in the meantime; reload it and try again."),
            current_version=locked.version,
            current_status=locked.status,
        )
    return locked


def _refuse_unless_open(followup: FollowUp) -> None:
    if not followup.is_open:
        raise InvalidTransition(
            _("The follow-up is “%(status)s” already.") % {"status": followup.get_status_display()},
            status=followup.status,
        )


def _save(followup: FollowUp, fields: set[str]) -> FollowUp:
    followup.version = F("version") + 1
    followup.save(update_fields=sorted({*fields, "version", "updated_at"}))
    followup.refresh_from_db()
    return followup


def _finish(followup: FollowUp, status: str, *, by: User | None, note: str = "") -> FollowUp:
    followup.status = status
    followup.finished_at = timezone.now()
    followup.finished_by = by
    followup.note = note[:TEXT_MAX]
    return _save(followup, {"status", "finished_at", "finished_by", "note"})


# --- Planning ---------------------------------------------------------------------------


def followup_cancel_open(request: ServiceRequest, *, reason: str, by: User | None) -> int:
    """End the request's open follow-up (the request moved on); returns how many ended."""
    ended = 0
    for followup in FollowUp.objects.select_for_update().filter(
        request=request, status=Status.PLANNED
    ):
        _finish(followup, Status.CANCELLED, by=by, note=reason)
        _event(request.pk, "cancelled", reason, by=by)
        ended += 1
    return ended


@transaction.atomic
def followup_plan(request: ServiceRequest, *, by: User | None) -> FollowUp | None:
    """Plan the follow-up of the request's resolution (called when it is resolved)."""
    if request.kind == ServiceRequest.Kind.COMPLAINT:
        return None
    followup_cancel_open(request, reason=_("Replaced by the follow-up of a new resolution."), by=by)
    hours = rules.delay_hours(request.kind)
    followup = FollowUp.objects.create(
        request=request,
        round=request.reopen_count,
        method=rules.method_for(request.kind),
        team=service_desk_team(),
        due_at=timezone.now() + datetime.timedelta(hours=hours),
    )
    note = _("%(method)s, due %(due)s") % {
        "method": followup.get_method_display(),
        "due": timezone.localtime(followup.due_at).strftime("%Y-%m-%d %H:%M"),
    }
    _event(request.pk, "planned", note, by=by, followup_method=[None, followup.method])
    return followup


# --- Results ----------------------------------------------------------------------------


def _bool(data: dict[str, Any], field: str, message: str) -> bool | None:
    value = data.get(field)
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"yes", "true", "1"}:
        return True
    if text in {"no", "false", "0"}:
        return False
    raise DomainError(message, fields={field: [message]})


def _score(data: dict[str, Any], field: str) -> int | None:
    value = data.get(field)
    if value in (None, ""):
        return None
    message = _("Choose a score from 1 to 5.")
    if isinstance(value, bool):
        raise DomainError(message, fields={field: [message]})
    try:
        score = int(str(value).strip())
    except ValueError:
        raise DomainError(message, fields={field: [message]}) from None
    if not 1 <= score <= 5 or str(value).strip() not in {"1", "2", "3", "4", "5"}:
        raise DomainError(message, fields={field: [message]})
    return score


def _text(data: dict[str, Any], field: str) -> str:
    value = data.get(field)
    value = "" if value is None else str(value).strip()
    if len(value) > TEXT_MAX:
        message = _("At most %(limit)s characters.") % {"limit": TEXT_MAX}
        raise DomainError(message, fields={field: [message]})
    try:
        validate_clean_text(value)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], fields={field: exc.messages}) from exc
    return value


def _low_score_task(followup: FollowUp, *, by: User | None) -> None:
    """A task for the supervisor of the request's team (else the service desk) to call the
    customer back about a score of 1 or 2."""
    from aftersales.tasks import services as tasks

    request = followup.request
    team = request.team if request.team and request.team.supervisor_id else None
    team = team or service_desk_team() or request.team
    if team is None:
        log.warning("No team for the low-score task of follow-up %s", followup.pk)
        return
    scores = ", ".join(
        f"{FollowUp._meta.get_field(name).verbose_name}: {getattr(followup, name)}"
        for name in SCORE_FIELDS
        if getattr(followup, name) is not None
    )
    description = scores + (f"\n{followup.suggestions}" if followup.suggestions else "")
    tasks.task_open(
        title=_("Low satisfaction on %(number)s: call the customer back")
        % {"number": request.number},
        team=team,
        source=LOW_SCORE_SOURCE,
        source_id=followup.pk,
        service_request=request,
        description=description,
        due_at=timezone.now() + datetime.timedelta(days=1),
        assignee=team.supervisor,
        by=by,
    )


def _after_answer(followup: FollowUp, *, by: User | None, who: str) -> None:
    """What an answer sets off: a reopen when not solved, a task for a low score."""
    request = ServiceRequest.objects.get(pk=followup.request_id)
    if followup.lowest_score is not None and followup.lowest_score <= LOW_SCORE:
        _low_score_task(followup, by=by)
    if followup.solved is False and request.status in {S.RESOLVED, S.CLOSED}:
        from aftersales.service_requests.services import service_request_act

        reason = _("Follow-up (%(who)s): the customer says the problem is not solved.") % {
            "who": who
        }
        if followup.suggestions:
            reason += f" {followup.suggestions}"
        # The lifecycle's reopen is for dispatchers; whoever else ran the follow-up (a
        # service-desk supervisor, the customer's survey) reopens it as the system.
        actor = by if by is not None and transitions.get("reopen").allowed(by, request) else None
        service_request_act(request, "reopen", by=actor, data={"reason": reason[:TEXT_MAX]})


def _answers_of(followup: FollowUp) -> dict[str, Any]:
    return {CODES[name]: getattr(followup, name) for name in CODES}


@transaction.atomic
def followup_record(
    followup: FollowUp,
    *,
    by: User,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> FollowUp:
    """The result of a call. Not reached: one more attempt, the follow-up stays open.
    Reached: whether it is solved (required) and the scores and suggestions (optional)."""
    followup = _locked(followup, expected_version)
    if not access.can_run(by, followup):
        raise NotAllowed(_("You may not record follow-ups."))
    _refuse_unless_open(followup)
    reached = _bool(data, "reached", _("Say whether the customer was reached."))
    if reached is None:
        message = _("Say whether the customer was reached.")
        raise DomainError(message, fields={"reached": [message]})
    note = _text(data, "note")
    if not reached:
        followup.attempts += 1
        followup.last_attempt_at = timezone.now()
        followup.note = note
        followup = _save(followup, {"attempts", "last_attempt_at", "note"})
        _event(
            followup.request_id,
            "attempt",
            note or _("Customer not reached (attempt %(n)s).") % {"n": followup.attempts},
            by=by,
        )
        return followup
    solved = _bool(data, "solved", _("Say whether the problem is solved."))
    if solved is None:
        message = _("Say whether the problem is solved.")
        raise DomainError(message, fields={"solved": [message]})
    for name in SCORE_FIELDS:
        setattr(followup, name, _score(data, name))
    followup.suggestions = _text(data, "suggestions")
    followup.reached, followup.solved = True, solved
    followup.attempts += 1
    followup.last_attempt_at = timezone.now()
    followup.answered_via = "phone"
    response = surveys.response_record_from_call(
        followup.request, by=by, values=_answers_of(followup)
    )
    followup.response = response
    fields = {*SCORE_FIELDS, "suggestions", "reached", "solved", "attempts", "last_attempt_at"}
    followup.status, followup.finished_at, followup.finished_by = Status.DONE, timezone.now(), by
    followup.note = note
    followup = _save(
        followup,
        fields | {"answered_via", "response", "status", "finished_at", "finished_by", "note"},
    )
    _event(followup.request_id, "done", _summary(followup), by=by)
    _after_answer(followup, by=by, who=by.display_name)
    return followup


def _summary(followup: FollowUp) -> str:
    parts = [
        _("Solved") if followup.solved else _("Not solved") if followup.solved is False else ""
    ]
    parts += [
        f"{FollowUp._meta.get_field(name).verbose_name} {getattr(followup, name)}/5"
        for name in SCORE_FIELDS
        if getattr(followup, name) is not None
    ]
    if followup.suggestions:
        parts.append(followup.suggestions)
    return " · ".join(p for p in parts if p)


@transaction.atomic
def followup_assign(
    followup: FollowUp,
    *,
    assignee: User | None,
    by: User,
    expected_version: int | None = None,
) -> FollowUp:
    """Give the follow-up to a person who may run it (None: back to the team); whoever runs
    follow-ups may take one for themself."""
    followup = _locked(followup, expected_version)
    if not access.can_run(by, followup):
        raise NotAllowed(_("You may not record follow-ups."))
    _refuse_unless_open(followup)
    if assignee is not None and not access.can_run(assignee, followup):
        message = _("%(name)s may not run this follow-up.") % {"name": assignee.display_name}
        raise DomainError(message, fields={"assignee": [message]})
    before = followup.assignee.username if followup.assignee else None
    followup.assignee = assignee
    followup = _save(followup, {"assignee"})
    after = assignee.username if assignee else None
    _event(followup.request_id, "assigned", "", by=by, followup_assignee=[before, after])
    return followup


@transaction.atomic
def followup_give_up(
    followup: FollowUp, *, by: User, reason: str, expected_version: int | None = None
) -> FollowUp:
    """Stop trying: the customer cannot be reached (the request may then close)."""
    followup = _locked(followup, expected_version)
    if not access.can_run(by, followup):
        raise NotAllowed(_("You may not record follow-ups."))
    _refuse_unless_open(followup)
    reason = _text({"reason": reason}, "reason")
    if not reason:
        message = _("Give a reason.")
        raise DomainError(message, fields={"reason": [message]})
    followup = _finish(followup, Status.GIVEN_UP, by=by, note=reason)
    _event(followup.request_id, "given_up", reason, by=by)
    return followup


def _channel(followup: FollowUp, requested: str | None) -> str:
    if requested:
        return requested
    if followup.method == Method.SMS:
        return Channel.SMS
    request = followup.request
    has_email = bool(request.contact_email or request.customer.email)
    if followup.method == Method.SURVEY and not has_email:
        return Channel.SMS
    return Channel.EMAIL


def _link_open(followup: FollowUp, channel: str | None) -> bool:
    """A link of this channel went out and can still be answered."""
    invitation = followup.invitation
    if invitation is None or invitation.used_at is not None:
        return False
    return invitation.expires_at > timezone.now() and channel in (None, invitation.channel)


@transaction.atomic
def followup_send_survey(
    followup: FollowUp,
    *,
    by: User | None,
    channel: str | None = None,
    expected_version: int | None = None,
) -> FollowUp:
    """Send the customer a survey link for this follow-up: by email through the outbox, or
    as a text message for staff to send (there is no SMS gateway). The system (`by=None`)
    samples and keeps the cool-down; staff asking for one get it when there is an address."""
    followup = _locked(followup, expected_version)
    if by is not None and not access.can_run(by, followup):
        raise NotAllowed(_("You may not record follow-ups."))
    _refuse_unless_open(followup)
    if channel is not None and channel not in Channel.values:
        message = _("Choose email or text message.")
        raise DomainError(message, fields={"channel": [message]})
    if by is not None and _link_open(followup, channel):
        message = _("A survey link was sent already and is still open.")
        raise DomainError(message, fields={"channel": [message]})
    invitation, reason = surveys.invitation_create(
        followup.request, channel=_channel(followup, channel), by=by, automatic=by is None
    )
    if invitation is None:
        if by is not None:
            raise DomainError(reason, fields={"channel": [reason]})
        followup.survey_skipped = reason[:200]
        _event(followup.request_id, "survey_skipped", reason, by=None)
        return _save(followup, {"survey_skipped"})
    followup.invitation = invitation
    followup.survey_skipped = ""
    return _save(followup, {"invitation", "survey_skipped"})


@transaction.atomic
def followup_complete_from_survey(response: Response) -> FollowUp | None:
    """The customer answered the survey link of an open follow-up: it is done with their
    answers (and, as for a call, not solved reopens and a low score opens a task)."""
    if response.invitation_id is None:
        return None
    followup = (
        FollowUp.objects.select_for_update()
        .filter(invitation_id=response.invitation_id, status=Status.PLANNED)
        .first()
    )
    if followup is None:
        return None
    answers = {a.question.code: a for a in response.answers.select_related("question")}
    for name, code in CODES.items():
        answer = answers.get(code)
        if answer is None:
            continue
        if name == "solved":
            followup.solved = answer.yes
        elif name == "suggestions":
            followup.suggestions = answer.text[:TEXT_MAX]
        else:
            setattr(followup, name, answer.score)
    followup.reached = True
    followup.answered_via = "survey"
    followup.response = response
    followup.status, followup.finished_at, followup.finished_by = Status.DONE, timezone.now(), None
    fields = {*SCORE_FIELDS, "solved", "suggestions", "reached", "answered_via", "response"}
    followup = _save(followup, fields | {"status", "finished_at", "finished_by"})
    _event(followup.request_id, "done", _summary(followup), by=None)
    _after_answer(followup, by=None, who=_("survey"))
    return followup


# --- Closing ----------------------------------------------------------------------------


def _close_after() -> datetime.timedelta:
    return datetime.timedelta(days=settings.FOLLOWUP_CLOSE_AFTER_DAYS)


def close_refusal(request: ServiceRequest, *, now: datetime.datetime | None = None) -> str:
    """Why the request may not close yet because of its follow-up ("" when it may)."""
    latest = FollowUp.objects.filter(request=request).order_by("-id").first()
    if latest is None or latest.status != Status.PLANNED:
        return ""  # done, given up, expired; or none needed (complaints, older requests)
    allowed_from = latest.created_at + _close_after()
    if allowed_from <= (now or timezone.now()):
        return ""
    return _(
        "The follow-up visit is not done yet: record its result (or give it up) first; "
        "without an answer the request can be closed from %(date)s."
    ) % {"date": timezone.localtime(allowed_from).strftime("%Y-%m-%d %H:%M")}


def close_guard(request: ServiceRequest, transition: Any, by: User | None) -> None:
    reason = close_refusal(request)
    if reason:
        raise InvalidTransition(reason, status=request.status, followup="open")


def _expire(followup_id: int, now: datetime.datetime) -> bool:
    with transaction.atomic():
        followup = (
            FollowUp.objects.select_for_update()
            .filter(pk=followup_id, status=Status.PLANNED)
            .first()
        )
        if followup is None:
            return False
        days = settings.FOLLOWUP_CLOSE_AFTER_DAYS
        note = _("No answer within %(days)s days.") % {"days": days}
        _finish(followup, Status.EXPIRED, by=None, note=note)
        _event(followup.request_id, "expired", note, by=None)
        return True


def _close(request_id: int) -> bool:
    from aftersales.service_requests.services import service_request_act

    with transaction.atomic():
        request = ServiceRequest.objects.filter(pk=request_id, status=S.RESOLVED).first()
        if request is None:
            return False
        latest = FollowUp.objects.filter(request=request).order_by("-id").first()
        if latest is None or latest.status not in FINISHED:
            return False
        reasons = {
            Status.DONE: _("Closed automatically: the follow-up visit is done."),
            Status.GIVEN_UP: _("Closed automatically: the follow-up visit was given up."),
            Status.EXPIRED: _("Closed automatically: no answer to the follow-up visit."),
        }
        service_request_act(request, "close", by=None, data={"note": str(reasons[latest.status])})
        return True


def followups_sweep(*, now: datetime.datetime | None = None, limit: int = 500) -> dict[str, int]:
    """The periodic work, each item in its own transaction (one failure stops no other):
    survey links that came due, follow-ups without an answer after the configured days,
    and resolved requests whose follow-up ended, closed by the system."""
    now = now or timezone.now()
    counts = {"surveys": 0, "expired": 0, "closed": 0}
    due = FollowUp.objects.filter(
        status=Status.PLANNED,
        due_at__lte=now,
        invitation__isnull=True,
        survey_skipped="",
    ).exclude(method=Method.PHONE)
    for followup in due.select_related("request__customer")[:limit]:
        try:
            with translation.override(settings.LANGUAGE_CODE):
                result = followup_send_survey(followup, by=None)
            counts["surveys"] += int(result.invitation_id is not None)
        except DomainError:
            log.exception("Survey link for follow-up %s", followup.pk)
    stale = FollowUp.objects.filter(status=Status.PLANNED, created_at__lte=now - _close_after())
    for followup_id in stale.values_list("pk", flat=True)[:limit]:
        counts["expired"] += int(_expire(followup_id, now))
    latest = FollowUp.objects.filter(request=OuterRef("pk")).order_by("-id").values("status")[:1]
    closable = (
        ServiceRequest.objects.filter(status=S.RESOLVED)
        .annotate(followup_status=Subquery(latest))
        .filter(followup_status__in=list(FINISHED))
    )
    for request_id in closable.values_list("pk", flat=True)[:limit]:
        try:
            with translation.override(settings.LANGUAGE_CODE):
                counts["closed"] += int(_close(request_id))
        except DomainError:
            log.exception("Closing request %s after its follow-up", request_id)
    return counts


# --- The call script --------------------------------------------------------------------


def default_call_script() -> str:
    return _(
        "Hello, {customer}. This is {agent} of the after-sales service. I am calling about "
        "your service request {number} ({product}: {title}), which we resolved on "
        "{resolved_on}: {resolution}\n"
        "1. Is the problem solved?\n"
        "2. From 1 to 5, how satisfied are you with the solution?\n"
        "3. With our staff's attitude?\n"
        "4. With the speed of our service?\n"
        "5. Is there anything we could do better?\n"
        "Thank you for your time."
    )


def call_script(followup: FollowUp, *, agent: User, language: str) -> str:
    """The script in `language` (an admin's text for it, else the default), with the
    request's facts filled in. Only the named placeholders are replaced."""
    request = followup.request
    stored = CallScript.objects.filter(language=language).values_list("text", flat=True).first()
    text = stored or default_call_script()
    resolved_on = (
        timezone.localtime(request.resolved_at).strftime("%Y-%m-%d") if request.resolved_at else "—"
    )
    facts = {
        "customer": request.contact_name or request.customer.name,
        "number": request.number,
        "product": request.product.name if request.product else (request.serial_number or "—"),
        "title": request.title,
        "resolution": request.resolution or "—",
        "resolved_on": resolved_on,
        "agent": agent.display_name,
    }
    for key, value in facts.items():
        text = text.replace("{" + key + "}", str(value))
    return text
