"""Satisfaction surveys: the only code that creates invitations and records answers.

- invitation_create: a survey link for a resolved request's customer, by email (through the
  outbox) or as a text message for staff to send; sampling and a cool-down decide whether
  one is made at all when the system asks (`automatic`)
- survey_answer: the customer's answers to a link, taken once (the invitation row is locked
  and the database allows one response per invitation)
- response_record_from_call: the answers an agent heard on a follow-up call
"""

import datetime
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.core.errors import Conflict, DomainError
from aftersales.core.text import validate_clean_text
from aftersales.notices import services as notices
from aftersales.service_requests.models import ServiceRequest, ServiceRequestEvent
from aftersales.surveys import signals, tokens
from aftersales.surveys.models import Answer, Channel, Invitation, Question, QuestionKind, Response

TEXT_MAX = 2000


def survey_link(invitation: Invitation) -> str:
    token = tokens.invitation_token(invitation.pk, invitation.request_id)
    return settings.SITE_URL + reverse("surveys_portal:answer", args=[token])


def _event(request_id: int, action: str, note: str, *, by: User | None, **changes: Any) -> None:
    ServiceRequestEvent.objects.create(
        request_id=request_id,
        kind=ServiceRequestEvent.Kind.UPDATED,
        action=action,
        actor=by,
        note=note,
        changes=changes,
        is_internal=True,
    )


def skip_reason(request: ServiceRequest, *, channel: str, automatic: bool) -> str:
    """Why no survey link would be made now ("" when one would be)."""
    if notices.declines(request.customer, "survey"):
        return _("The customer declined optional messages such as surveys.")
    if channel == Channel.EMAIL and not (request.contact_email or request.customer.email):
        return _("No email address to send the survey to.")
    if channel == Channel.SMS and not (request.contact_phone or request.customer.phone):
        return _("No phone number to text the survey to.")
    if not automatic:
        return ""
    days = settings.SURVEY_COOLDOWN_DAYS
    since = timezone.now() - datetime.timedelta(days=days)
    if (
        days
        and Invitation.objects.filter(
            customer_id=request.customer_id, created_at__gte=since
        ).exists()
    ):
        return _("The customer was surveyed within the last %(days)s days.") % {"days": days}
    if secrets.randbelow(100) >= settings.SURVEY_SAMPLE_PERCENT:
        return _("Not in the sample (%(percent)s%% of follow-ups are surveyed).") % {
            "percent": settings.SURVEY_SAMPLE_PERCENT
        }
    return ""


@transaction.atomic
def invitation_create(
    request: ServiceRequest, *, channel: str, by: User | None, automatic: bool = False
) -> tuple[Invitation | None, str]:
    """A survey link about `request`, or None and the reason there is none.

    It is written to the outbox (email or text message, as staff chose) in the customer's
    language and leaves after the commit; the text of a text message is kept with the
    invitation. `automatic` (the system asking) applies the sampling and the cool-down.
    """
    if channel not in Channel.values:
        message = _("Choose email or text message.")
        raise DomainError(message, fields={"channel": [message]})
    request = ServiceRequest.objects.select_related("customer").get(pk=request.pk)
    reason = skip_reason(request, channel=channel, automatic=automatic)
    if reason:
        return None, reason
    if channel == Channel.EMAIL:
        recipient = request.contact_email or request.customer.email
    else:
        recipient = request.contact_phone or request.customer.phone
    language = notices.customer_language(request.customer)
    invitation = Invitation.objects.create(
        request=request,
        customer=request.customer,
        channel=channel,
        recipient=recipient,
        language=language,
        expires_at=timezone.now() + datetime.timedelta(days=settings.SURVEY_DAYS),
        created_by=by,
    )
    sent = notices.notice_send(
        "survey",
        request=request,
        key=f"survey:{invitation.pk}",
        channels=[channel],
        values={
            "link": survey_link(invitation),
            "valid_until": notices.service_time(invitation.expires_at),
        },
    )
    if channel == Channel.SMS and sent:
        invitation.message_text = sent[0].body
        invitation.save(update_fields=["message_text", "updated_at"])
    note = (
        _("Survey link mailed to the customer.")
        if channel == Channel.EMAIL
        else _("Survey link sent to the customer by text message.")
    )
    _event(request.pk, "survey.invited", note, by=by)
    return invitation, ""


def questions_active() -> list[Question]:
    return list(Question.objects.filter(is_active=True).order_by("order", "id"))


def _parse(question: Question, raw: Any) -> dict[str, Any] | None:
    """One answer's columns from what was sent; None when left empty."""
    value = "" if raw is None else str(raw).strip()
    if not value:
        if question.required:
            message = _("Please answer this question.")
            raise DomainError(message, fields={question.code: [message]})
        return None
    if question.kind == QuestionKind.SCORE:
        if value not in {"1", "2", "3", "4", "5"}:
            message = _("Choose a score from 1 to 5.")
            raise DomainError(message, fields={question.code: [message]})
        return {"score": int(value)}
    if question.kind == QuestionKind.YES_NO:
        if value not in {"yes", "no"}:
            message = _("Choose yes or no.")
            raise DomainError(message, fields={question.code: [message]})
        return {"yes": value == "yes"}
    if len(value) > TEXT_MAX:
        message = _("At most %(limit)s characters.") % {"limit": TEXT_MAX}
        raise DomainError(message, fields={question.code: [message]})
    try:
        validate_clean_text(value)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], fields={question.code: exc.messages}) from exc
    return {"text": value}


def _answers(response: Response, questions: list[Question], values: dict[str, Any]) -> None:
    rows = []
    for question in questions:
        parsed = _parse(question, values.get(question.code))
        if parsed is not None:
            rows.append(Answer(response=response, question=question, **parsed))
    Answer.objects.bulk_create(rows)


def invitation_state(invitation: Invitation, *, now: datetime.datetime | None = None) -> str:
    """ "open", "used" or "expired"."""
    if invitation.used_at is not None:
        return "used"
    if invitation.expires_at <= (now or timezone.now()):
        return "expired"
    return "open"


@transaction.atomic
def survey_answer(invitation: Invitation, *, values: dict[str, Any]) -> Response:
    """The customer's answers (question code → what was sent). Taken once: a second answer,
    even one sent at the same instant, is refused with Conflict and changes nothing."""
    locked = (
        Invitation.objects.select_for_update()
        .select_related("request")
        .filter(pk=invitation.pk)
        .first()
    )
    if locked is None:
        raise Conflict(_("This survey link is no longer valid."))
    state = invitation_state(locked)
    if state == "used":
        raise Conflict(_("This survey has been answered already. Thank you!"), state=state)
    if state == "expired":
        raise Conflict(_("This survey link has expired."), state=state)
    questions = questions_active()
    if not any(str(values.get(q.code) or "").strip() for q in questions):
        message = _("Answer at least one question.")
        raise DomainError(message, fields={"answers": [message]})
    now = timezone.now()
    try:
        with transaction.atomic():
            response = Response.objects.create(
                request=locked.request,
                invitation=locked,
                source=Response.Source.SURVEY,
                team=locked.request.team,
                answered_at=now,
            )
    except IntegrityError:
        raise Conflict(_("This survey has been answered already. Thank you!")) from None
    _answers(response, questions, values)
    locked.used_at = now
    locked.save(update_fields=["used_at", "updated_at"])
    _event(locked.request_id, "survey.answered", _("The customer answered the survey."), by=None)
    signals.survey_answered.send(sender=Response, response=response)
    return response


@transaction.atomic
def response_record_from_call(
    request: ServiceRequest, *, by: User | None, values: dict[str, Any]
) -> Response:
    """What the customer said on a follow-up call, as answers to the questions with those
    codes (inactive ones too: a call follows its own script). Values are already checked."""
    codes = [code for code, value in values.items() if value not in (None, "")]
    questions = list(Question.objects.filter(code__in=codes))
    response = Response.objects.create(
        request=request,
        source=Response.Source.PHONE,
        team=request.team,
        answered_at=timezone.now(),
        recorded_by=by,
    )
    rows = []
    for question in questions:
        value = values[question.code]
        if question.kind == QuestionKind.SCORE:
            rows.append(Answer(response=response, question=question, score=int(value)))
        elif question.kind == QuestionKind.YES_NO:
            rows.append(Answer(response=response, question=question, yes=bool(value)))
        else:
            rows.append(Answer(response=response, question=question, text=str(value)))
    Answer.objects.bulk_create(rows)
    return response
