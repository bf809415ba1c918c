"""Pure rules of complaints: money, which department carries out which remedy, the content
a customer agrees to (and its hash), task due days."""

import hashlib
import json
from decimal import ROUND_HALF_UP, Decimal

from aftersales.accounts.models import Team

CENT = Decimal("0.01")

# Which department carries out each remedy (SPEC §2.8, seed 004: the warehouse ships
# products, marketing sends gifts, finance refunds); a repair goes to a technical team.
DEPARTMENT = {
    "compensation_product": Team.Kind.WAREHOUSE,
    "replacement": Team.Kind.WAREHOUSE,
    "gift": Team.Kind.MARKETING,
    "refund": Team.Kind.FINANCE,
    "service_credit": Team.Kind.FINANCE,
    "repair": Team.Kind.TECHNICAL,
}


def line_amount(quantity: int, unit_value: Decimal) -> Decimal:
    """quantity × unit value, rounded once to the cent (half up)."""
    return (Decimal(quantity) * Decimal(unit_value)).quantize(CENT, rounding=ROUND_HALF_UP)


def task_days(kind: str, *, default: int, by_kind: str) -> int:
    """Days to carry out a remedy: `by_kind` ("gift=7,refund=5") or the default."""
    for item in by_kind.split(","):
        name, _sep, value = item.partition("=")
        if name.strip() == kind and value.strip().isdigit():
            return int(value.strip())
    return default


def agreement_content(proposal_number: int, currency: str, lines: list[dict[str, str]]) -> str:
    """What the customer agrees to, as canonical JSON: the hash of this is kept with the
    signature."""
    return json.dumps(
        {"proposal": proposal_number, "currency": currency, "lines": lines},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )


def content_hash(content: str) -> str:
    return hashlib.sha256(content.encode("utf-8")).hexdigest()
