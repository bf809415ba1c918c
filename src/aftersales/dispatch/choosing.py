"""Which team and which person (SPEC §2.3), as pure functions over plain facts: the rules
are tested without a database, and the services feed them what the database holds."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Facts:
    """What routing looks at in a request."""

    kind: str
    category: str
    channel: str
    product_line: str = ""
    region: str = ""


@dataclass(frozen=True)
class Conditions:
    """A routing rule's conditions; an empty list matches anything."""

    kinds: Sequence[str] = ()
    categories: Sequence[str] = ()
    channels: Sequence[str] = ()
    product_lines: Sequence[str] = ()
    regions: Sequence[str] = ()


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _among(value: str, allowed: Sequence[str]) -> bool:
    return not allowed or _fold(value) in {_fold(a) for a in allowed}


def matches(conditions: Conditions, facts: Facts) -> bool:
    return (
        _among(facts.kind, conditions.kinds)
        and _among(facts.category, conditions.categories)
        and _among(facts.channel, conditions.channels)
        and _among(facts.product_line, conditions.product_lines)
        and _among(facts.region, conditions.regions)
    )


def first_match(rules: Iterable[tuple[Conditions, T]], facts: Facts) -> T | None:
    """The target of the first rule (in the order given) whose conditions hold."""
    for conditions, target in rules:
        if matches(conditions, facts):
            return target
    return None


@dataclass(frozen=True)
class Candidate:
    """A person who could take the request, with what the strategies weigh."""

    user_id: int
    open_requests: int = 0
    skills: frozenset[str] = field(default_factory=frozenset)  # categories
    product_lines: frozenset[str] = field(default_factory=frozenset)
    regions: frozenset[str] = field(default_factory=frozenset)
    capacity: int | None = None  # most open requests at once; None: no limit
    available: bool = True

    @property
    def has_room(self) -> bool:
        return self.available and (self.capacity is None or self.open_requests < self.capacity)


def _eligible(candidates: Iterable[Candidate]) -> list[Candidate]:
    return sorted((c for c in candidates if c.has_room), key=lambda c: c.user_id)


def round_robin(candidates: Iterable[Candidate], *, last_user_id: int | None) -> int | None:
    """The next person after the one who got the last request, in a fixed order."""
    eligible = _eligible(candidates)
    if not eligible:
        return None
    if last_user_id is not None:
        for candidate in eligible:
            if candidate.user_id > last_user_id:
                return candidate.user_id
    return eligible[0].user_id


def least_open(candidates: Iterable[Candidate]) -> int | None:
    """The person with the fewest open requests; ties go to the lower id (stable)."""
    eligible = _eligible(candidates)
    if not eligible:
        return None
    return min(eligible, key=lambda c: (c.open_requests, c.user_id)).user_id


def skill_score(candidate: Candidate, facts: Facts) -> int:
    """Category skill counts most, then the product line, then the region."""
    folded = _fold
    score = 0
    if facts.category and folded(facts.category) in {folded(s) for s in candidate.skills}:
        score += 4
    if facts.product_line and folded(facts.product_line) in {
        folded(p) for p in candidate.product_lines
    }:
        score += 2
    if facts.region and folded(facts.region) in {folded(r) for r in candidate.regions}:
        score += 1
    return score


def skill_match(candidates: Iterable[Candidate], facts: Facts) -> int | None:
    """The best-matching person; among equals the least loaded. Nobody matching at all:
    the least loaded, so the request is not left unassigned."""
    eligible = _eligible(candidates)
    if not eligible:
        return None
    return min(eligible, key=lambda c: (-skill_score(c, facts), c.open_requests, c.user_id)).user_id
