"""Dispatch use cases (SPEC §2.3: by category to a team, then to a responsible person).

- routing_rule_for: the first routing rule that matches a request
- service_request_route: at intake, send a request to its rule's team, and hand it to a
  person when that team assigns automatically
- service_request_auto_assign: pick a person by the team's strategy and assign them
- candidates_in: a team's people with their load and skills, as the strategies see them
"""

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from aftersales.accounts.models import Team, User
from aftersales.core.errors import DomainError, NotAllowed
from aftersales.dispatch import choosing
from aftersales.dispatch.models import RoutingRule, TechnicianProfile
from aftersales.service_requests import access
from aftersales.service_requests import services as requests
from aftersales.service_requests.models import ServiceRequest

Strategy = Team.Strategy
# Who is handed requests automatically: the people who do the work, not their supervisors.
AUTO_ROLES = [User.Role.TECHNICIAN, User.Role.AGENT]


def facts_of(request: ServiceRequest) -> choosing.Facts:
    return choosing.Facts(
        kind=request.kind,
        category=request.category,
        channel=request.channel,
        product_line=request.product.category if request.product_id else "",
        region=request.customer.region if request.customer_id else "",
    )


def _conditions(rule: RoutingRule) -> choosing.Conditions:
    return choosing.Conditions(
        kinds=rule.kinds,
        categories=rule.categories,
        channels=rule.channels,
        product_lines=rule.product_lines,
        regions=rule.regions,
    )


def routing_rule_for(request: ServiceRequest) -> RoutingRule | None:
    rules = (
        RoutingRule.objects.filter(is_active=True).select_related("team").order_by("order", "id")
    )
    return choosing.first_match(((_conditions(r), r) for r in rules), facts_of(request))


def candidates_in(team: Team) -> tuple[list[choosing.Candidate], dict[int, User]]:
    members = {
        user.pk: user
        for user in team.members.filter(is_active=True, role__in=AUTO_ROLES).order_by("id")
    }
    profiles = {p.user_id: p for p in TechnicianProfile.objects.filter(user_id__in=members)}
    load = dict(
        ServiceRequest.objects.filter(
            assignee_id__in=members, status__in=ServiceRequest.OPEN_STATUSES
        )
        .values_list("assignee_id")
        .annotate(n=Count("id"))
        .values_list("assignee_id", "n")
    )
    candidates = []
    for user_id in members:
        profile = profiles.get(user_id)
        candidates.append(
            choosing.Candidate(
                user_id=user_id,
                open_requests=load.get(user_id, 0),
                skills=frozenset(profile.skills if profile else ()),
                product_lines=frozenset(profile.product_lines if profile else ()),
                regions=frozenset(profile.regions if profile else ()),
                capacity=profile.capacity if profile else None,
                available=profile.available if profile else True,
            )
        )
    return candidates, members


def _pick(request: ServiceRequest, team: Team, strategy: str) -> User | None:
    # The team row is locked: two requests handed out at once take turns, so round robin
    # never gives both to the same person and loads are counted one after the other.
    locked = Team.objects.select_for_update().get(pk=team.pk)
    candidates, members = candidates_in(locked)
    if strategy == Strategy.ROUND_ROBIN:
        chosen = choosing.round_robin(candidates, last_user_id=locked.last_auto_assignee_id)
    elif strategy == Strategy.SKILL_MATCH:
        chosen = choosing.skill_match(candidates, facts_of(request))
    else:
        chosen = choosing.least_open(candidates)
    if chosen is None:
        return None
    Team.objects.filter(pk=locked.pk).update(last_auto_assignee_id=chosen)
    return members[chosen]


@transaction.atomic
def service_request_auto_assign(
    request: ServiceRequest,
    *,
    by: User | None,
    strategy: str | None = None,
    expected_version: int | None = None,
) -> ServiceRequest:
    """Hand the request to a person of its team (else the team its rule names) by the
    team's strategy; a team that assigns by hand gets the least loaded. `by=None` is the
    system. Raises NotAllowed, or DomainError when there is no team or nobody has room."""
    if by is not None and not access.dispatches(by, request):
        raise NotAllowed(_("You may not assign this request."))
    team = request.team
    if team is None:
        rule = routing_rule_for(request)
        team = rule.team if rule else None
    if team is None:
        message = _(
            "No team to choose from: choose a team, or add a routing rule for such requests."
        )
        raise DomainError(message, fields={"team": [message]})
    strategy = strategy or team.assignment_strategy
    if strategy not in Strategy.values:
        message = _("Unknown assignment strategy.")
        raise DomainError(message, fields={"strategy": [message]})
    if strategy == Strategy.MANUAL:
        strategy = Strategy.LEAST_OPEN
    assignee = _pick(request, team, strategy)
    if assignee is None:
        message = _("Nobody in team %(team)s can take another request now.") % {"team": team}
        raise DomainError(message, fields={"assignee": [message]})
    return requests.service_request_act(
        request,
        "assign",
        by=by,  # type: ignore[arg-type]
        data={
            "assignee": assignee,
            "team": team,
            "method": strategy,
            "note": _("Assigned automatically (%(strategy)s).")
            % {"strategy": Strategy(strategy).label},
        },
        expected_version=expected_version,
    )


@transaction.atomic
def service_request_route(request: ServiceRequest) -> ServiceRequest:
    """At intake (the system acting): a request without a team goes to the team of the
    first matching routing rule; if that team assigns automatically and someone has room,
    to a person too. Nothing matches: it waits for a dispatcher, as before."""
    if request.team_id is None:
        rule = routing_rule_for(request)
        if rule is None:
            return request
        request = requests.service_request_route_to_team(
            request,
            team=rule.team,
            by=None,
            note=_("Routed by rule “%(rule)s”.") % {"rule": rule.name},
        )
    team = request.team
    if (
        team is None
        or team.assignment_strategy == Strategy.MANUAL
        or request.assignee_id is not None
        or request.status != ServiceRequest.Status.NEW
    ):
        return request
    try:
        return service_request_auto_assign(request, by=None)
    except DomainError:
        return request  # nobody has room: a dispatcher assigns it
