"""The customer's consent to an approved plan that touches them (SPEC §2 step 4).

- plan_consent_record: an agent records the customer's answer given by phone
- plan_consent_answer: the customer answers on the portal, once

Asking for it (`_ask_consent`, once such a plan is approved): the request waits for the
customer and they get a link by their channel (notices app).
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.core.errors import Conflict
from aftersales.notices import services as notices
from aftersales.repairs import access, tokens
from aftersales.repairs.models import SolutionPlan
from aftersales.repairs.services._common import (
    P,
    S,
    _allowed,
    _bump,
    _event,
    _locked,
    _release_parts,
    _require_status,
    _text,
)
from aftersales.service_requests import services as requests
from aftersales.service_requests.models import ServiceRequest


def consent_link(plan: SolutionPlan) -> str:
    path = reverse("repairs_portal:consent", args=[tokens.consent_token(plan.pk)])
    return settings.SITE_URL + path


def _ask_consent(plan: SolutionPlan, request: ServiceRequest, *, by: User | None) -> None:
    """Send the customer a link to the plan and wait for them (the clock pauses)."""
    plan.consent_requested_at = timezone.now()
    sent = notices.notice_send(
        "plan_consent",
        request=request,
        key=f"plan-consent:{plan.pk}",
        values={
            "plan_number": plan.number,
            "link": consent_link(plan),
            "valid_until": notices.service_time(
                plan.consent_requested_at + datetime.timedelta(seconds=tokens.CONSENT_MAX_AGE)
            ),
        },
    )
    plan.consent_mailed_to = ", ".join(message.to_address for message in sent)[:254]
    _bump(plan, ["consent_requested_at", "consent_mailed_to"])
    if sent:
        note = _(
            "We asked the customer to agree to solution plan %(number)d; a link was sent to them."
        ) % {"number": plan.number}
    else:
        note = _(
            "We asked the customer to agree to solution plan %(number)d (we have no email or "
            "phone number for them: ask them another way)."
        ) % {"number": plan.number}
    requests.first_response_record(request.pk)
    requests.service_request_act(request, "wait-customer", by=by, data={"note": note})  # type: ignore[arg-type]


def _answer(
    plan: SolutionPlan,
    request: ServiceRequest,
    *,
    agreed: bool,
    statement: str,
    channel: str,
    by: User | None,
) -> None:
    """Record the customer's answer; agreement or refusal, work resumes (`start`)."""
    plan.consent_agreed = agreed
    plan.consent_channel = channel
    plan.consent_recorded_by = by
    plan.consent_at = timezone.now()
    plan.consent_statement = statement
    plan.status = P.APPROVED if agreed else P.DECLINED
    _bump(
        plan,
        [
            "consent_agreed",
            "consent_channel",
            "consent_recorded_by",
            "consent_at",
            "consent_statement",
            "status",
        ],
    )
    how = (
        _("by phone, recorded by %(name)s") % {"name": by.display_name}
        if by is not None
        else _("on the portal")
    )
    if agreed:
        note = _("The customer agreed to solution plan %(number)d (%(how)s).") % {
            "number": plan.number,
            "how": how,
        }
        if statement:
            note += " " + statement
    else:
        note = _("The customer declined solution plan %(number)d (%(how)s): %(reason)s") % {
            "number": plan.number,
            "how": how,
            "reason": statement,
        }
        released = _release_parts(
            plan, by=by, note=_("Solution plan %(number)d declined.") % {"number": plan.number}
        )
        if released:
            _event(
                request,
                "plan.parts_released",
                _("%(count)d part reservations of solution plan %(number)d released.")
                % {"count": released, "number": plan.number},
                by=by,
            )
    if request.status == S.PENDING_CUSTOMER:
        requests.service_request_act(request, "start", by=by, data={"note": note})  # type: ignore[arg-type]
    else:
        # Work was resumed before the answer came; the answer still belongs in the history.
        _event(request, "plan.answered", note, by=by, internal=False)


@transaction.atomic
def plan_consent_record(
    plan: SolutionPlan,
    *,
    by: User,
    agreed: bool,
    statement: str,
    expected_version: int | None = None,
) -> SolutionPlan:
    """Staff record the answer the customer gave by phone: who, when, what was said."""
    request, locked = _locked(plan, expected_version)
    _allowed(access.can_work(by, request), _("You may not record answers for this request."))
    _require_status(locked, P.PENDING_CONSENT)
    statement = _text(statement, "statement", max_length=2000, required=True)
    _answer(
        locked,
        request,
        agreed=agreed,
        statement=statement,
        channel=SolutionPlan.ConsentChannel.PHONE,
        by=by,
    )
    return locked


@transaction.atomic
def plan_consent_answer(plan: SolutionPlan, *, agreed: bool, reason: str = "") -> SolutionPlan:
    """The customer's own answer on the portal (the caller checked the link and the contact).
    Given once: a second answer is refused (Conflict). A refusal needs a reason."""
    request, locked = _locked(plan, None)
    if locked.status != P.PENDING_CONSENT:
        raise Conflict(_("This plan is no longer waiting for an answer."), status=locked.status)
    reason = _text(reason, "reason", max_length=2000, required=not agreed)
    _answer(
        locked,
        request,
        agreed=agreed,
        statement=reason,
        channel=SolutionPlan.ConsentChannel.PORTAL,
        by=None,
    )
    return locked
