"""Priority from impact × urgency (SPEC §2.2): the matrix in the database, else the default."""

from aftersales.service_requests.models import PriorityRule

DEFAULT_MATRIX = {
    ("high", "high"): "urgent",
    ("high", "medium"): "high",
    ("high", "low"): "medium",
    ("medium", "high"): "high",
    ("medium", "medium"): "medium",
    ("medium", "low"): "low",
    ("low", "high"): "medium",
    ("low", "medium"): "low",
    ("low", "low"): "low",
}


def priority_for(*, impact: str, urgency: str) -> str:
    rule = (
        PriorityRule.objects.filter(impact=impact, urgency=urgency)
        .values_list("priority", flat=True)
        .first()
    )
    return rule or DEFAULT_MATRIX[(impact, urgency)]


# Lowest first: an escalation moves one step to the right, and stops at the end.
LADDER = ("low", "medium", "high", "urgent")


def higher(first: str, second: str) -> str:
    """The more pressing of two priorities; "" (no escalation floor) loses to any."""
    if not second:
        return first
    if not first:
        return second
    return max(first, second, key=LADDER.index)


def raised(current: str) -> str:
    """One step up the ladder; urgent stays urgent."""
    return LADDER[min(LADDER.index(current) + 1, len(LADDER) - 1)]
