"""Plans kept in step with their request.

- plan_follow_request: keep plans in step when the request moves by other paths (a cancel,
  the lifecycle's own approve/reject buttons)
"""

from django.utils.translation import gettext as _

from aftersales.repairs.models import SolutionPlan
from aftersales.repairs.services._common import P, S, _bump, _event, _release_parts
from aftersales.repairs.services.approval import _approve, _reject
from aftersales.repairs.services.consent import _ask_consent
from aftersales.service_requests.models import ServiceRequest, ServiceRequestEvent


def _last_action(request: ServiceRequest) -> ServiceRequestEvent | None:
    return (
        request.events.filter(kind=ServiceRequestEvent.Kind.STATUS_CHANGED)
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )


def plan_follow_request(request_id: int) -> None:
    """After a request changed (same transaction): a cancelled request withdraws its plan
    and lets its parts go; an approval decided with the lifecycle's own buttons is the
    plan's decision too, with the same parts and consent steps."""
    plan = (
        SolutionPlan.objects.filter(
            request_id=request_id, status__in=[*SolutionPlan.OPEN, P.APPROVED]
        )
        .select_related("request", "request__customer")
        .order_by("-number")
        .first()
    )
    if plan is None:
        return
    request = plan.request
    if request.status == S.CANCELLED:
        plan.status = P.WITHDRAWN
        _bump(plan, ["status"])
        released = _release_parts(
            plan,
            by=None,
            note=_("Service request %(number)s cancelled.") % {"number": request.number},
        )
        _event(
            request,
            "plan.withdrawn",
            _(
                "Solution plan %(number)d withdrawn with the request; %(count)d part reservations released."
            )
            % {"number": plan.number, "count": released},
            by=None,
        )
        return
    if plan.status != P.PENDING_APPROVAL or request.status == S.PENDING_APPROVAL:
        return
    event = _last_action(request)
    if event is None:
        return
    plan = SolutionPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != P.PENDING_APPROVAL:
        return
    if event.action == "approve":
        _approve(plan, request, decided_by=event.actor, acting=event.actor, comment=event.note)
        if plan.status == P.PENDING_CONSENT and request.status == S.IN_PROGRESS:
            _ask_consent(plan, request, by=event.actor)
    elif event.action == "reject":
        _reject(plan, request, by=event.actor, reason=event.note)
