"""Reads of diagnoses and plans, always through the request's visibility rules: a plan of a
request one may not see is "not found", and a customer sees only the plans offered to them."""

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from aftersales.accounts.models import User
from aftersales.repairs import access
from aftersales.repairs.models import Diagnosis, FeeLine, PlanPart, PlanStep, SolutionPlan
from aftersales.service_requests import access as request_access
from aftersales.service_requests.models import ServiceRequest

PLAN_RELATED = ("request", "created_by", "submitted_by", "decided_by", "consent_recorded_by")


def diagnosis_current(request: ServiceRequest) -> Diagnosis | None:
    return (
        request.diagnoses.select_related("written_by")
        .prefetch_related("parts")
        .order_by("-version")
        .first()
    )


def diagnosis_history(request: ServiceRequest) -> QuerySet[Diagnosis]:
    return request.diagnoses.select_related("written_by").order_by("-version")


def _with_lines(plans: QuerySet[SolutionPlan]) -> QuerySet[SolutionPlan]:
    return plans.select_related(*PLAN_RELATED, "request__unit").prefetch_related(
        Prefetch("steps", queryset=PlanStep.objects.order_by("order")),
        Prefetch(
            "parts",
            queryset=PlanPart.objects.select_related("part", "warehouse", "reservation"),
        ),
        Prefetch("fee_lines", queryset=FeeLine.objects.order_by("order")),
        "people",
    )


def plans_for(user: User, request: ServiceRequest) -> QuerySet[SolutionPlan]:
    """The plans of a request the caller already may see; newest first."""
    plans = request.solution_plans.all()
    if not access.sees_internals(user):
        plans = plans.filter(status__in=SolutionPlan.SHOWN_TO_CUSTOMER)
    return _with_lines(plans).order_by("-number")


def plan_get_for_user(user: User, plan_id: int) -> SolutionPlan:
    """The plan if `user` may see it; otherwise 404 (never 403: ids cannot be probed)."""
    plans = SolutionPlan.objects.filter(pk=plan_id, request__in=request_access.visible_to(user))
    if not access.sees_internals(user):
        plans = plans.filter(status__in=SolutionPlan.SHOWN_TO_CUSTOMER)
    plan = _with_lines(plans).first()
    if plan is None:
        raise Http404("No such solution plan.")
    return plan


def plan_current(request: ServiceRequest) -> SolutionPlan | None:
    """The newest plan of a request, whatever its state."""
    return _with_lines(request.solution_plans.all()).order_by("-number").first()


def plan_for_consent(plan_id: int) -> SolutionPlan | None:
    """The plan a consent link names, with what its page shows (no user: the link and the
    contact proof decide)."""
    return (
        _with_lines(SolutionPlan.objects.filter(pk=plan_id))
        .select_related("request__customer", "request__product")
        .first()
    )


def plans_pending_approval_for(user: User) -> QuerySet[SolutionPlan]:
    """Plans waiting for a decision that `user` may take (`access.supervises`): an admin's
    are all of them, a supervisor's those of their teams and of requests not yet routed."""
    plans = SolutionPlan.objects.filter(
        status=SolutionPlan.Status.PENDING_APPROVAL,
        request__status=ServiceRequest.Status.PENDING_APPROVAL,
    )
    if not access.is_approver(user):
        return plans.none()
    if user.role == User.Role.SUPERVISOR and not user.is_superuser:
        teams = list(user.teams.values_list("id", flat=True))
        plans = plans.filter(Q(request__team__isnull=True) | Q(request__team_id__in=teams))
    return plans.select_related(
        "request", "request__customer", "request__team", "submitted_by"
    ).order_by("submitted_at", "id")
