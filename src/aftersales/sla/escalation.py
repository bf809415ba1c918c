"""Which escalation rule applies to a missed target (SPEC §4), from the configuration.

Choosing only: what the rule does to the request is `service_requests.escalation`.
"""

from aftersales.sla.models import EscalationRule


def _matches(
    rule: EscalationRule,
    *,
    target: str,
    priority: str,
    kind: str,
    category: str,
    team_id: int | None,
) -> bool:
    if rule.targets and target not in rule.targets:
        return False
    if rule.priorities and priority not in rule.priorities:
        return False
    if rule.kinds and kind not in rule.kinds:
        return False
    if rule.categories and category not in rule.categories:
        return False
    team_ids = [team.pk for team in rule.teams.all()]
    return not team_ids or team_id in team_ids


def escalation_rule_for(
    *, target: str, priority: str, kind: str, category: str, team_id: int | None
) -> EscalationRule | None:
    """The first active rule (by order, then id) whose conditions all match; empty = any."""
    rules = (
        EscalationRule.objects.filter(is_active=True)
        .select_related("reassign_team__supervisor")
        .prefetch_related("teams")
        .order_by("order", "id")
    )
    for rule in rules:
        if _matches(
            rule, target=target, priority=priority, kind=kind, category=category, team_id=team_id
        ):
            return rule
    return None
