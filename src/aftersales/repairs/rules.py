"""The plan's rules as pure functions over plain values, tested without a database.

- warranty_decide: in / out of warranty / unknown, from the unit and the day received
- fee_line_amounts, fee_totals: exact money (Decimal, cents, half up); in warranty the
  parts and labour lines are charged 0 and keep their list price for the record
- approval_reasons: which approval rules a plan meets (any one → a supervisor approves)
- consent_needed: whether the plan touches the customer (fees, a visit, a replacement)
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

CENT = Decimal("0.01")
IN, OUT, UNKNOWN = "in", "out", "unknown"
# What the warranty covers: the parts and the work. A call-out or other costs (e.g. a
# transport the customer asked for) are charged whatever the warranty says.
COVERED_KINDS = frozenset({"parts", "labour"})


class UnitLike(Protocol):
    @property
    def warranty_end(self) -> datetime.date | None: ...


@dataclass(frozen=True)
class WarrantyDecision:
    status: str
    end: datetime.date | None = None


def warranty_decide(unit: UnitLike | None, received_on: datetime.date) -> WarrantyDecision:
    """From the unit's warranty end (purchase date + the product's months, or the end an
    admin set): in warranty up to and including that day. No unit, or no end known (no
    purchase date): unknown, and staff decide."""
    end = unit.warranty_end if unit is not None else None
    if end is None:
        return WarrantyDecision(UNKNOWN)
    return WarrantyDecision(IN if received_on <= end else OUT, end)


def money(value: Any) -> Decimal:
    """A Decimal amount; floats are refused (binary fractions are not cents)."""
    if isinstance(value, float | bool):
        raise TypeError("Money is Decimal, never float.")
    return value if isinstance(value, Decimal) else Decimal(value)


@dataclass(frozen=True)
class LineAmounts:
    list_amount: Decimal
    covered: bool
    amount: Decimal


def fee_line_amounts(
    *, kind: str, quantity: Decimal, unit_price: Decimal, warranty: str
) -> LineAmounts:
    """quantity × unit price rounded to the cent (half up), and what is charged of it."""
    list_amount = (money(quantity) * money(unit_price)).quantize(CENT, rounding=ROUND_HALF_UP)
    covered = warranty == IN and kind in COVERED_KINDS
    return LineAmounts(list_amount, covered, Decimal("0.00") if covered else list_amount)


def fee_totals(lines: Iterable[LineAmounts]) -> tuple[Decimal, Decimal]:
    """(total at list prices, total to pay): the sums of the lines, to the cent."""
    list_total = Decimal("0.00")
    total = Decimal("0.00")
    for line in lines:
        list_total += line.list_amount
        total += line.amount
    return list_total.quantize(CENT), total.quantize(CENT)


@dataclass(frozen=True)
class PlanFacts:
    total: Decimal
    includes_replacement: bool = False
    includes_refund: bool = False
    includes_compensation: bool = False
    needs_visit: bool = False
    is_complaint: bool = False


def approval_reasons(
    rules: Iterable[tuple[str, Decimal | None]], facts: PlanFacts
) -> list[dict[str, str]]:
    """The active rules (condition, threshold) this plan meets, in the order given; empty
    means no approval is needed. A total equal to the threshold is not above it."""
    flags = {
        "replacement": facts.includes_replacement,
        "refund": facts.includes_refund,
        "compensation": facts.includes_compensation,
        "visit": facts.needs_visit,
        "complaint": facts.is_complaint,
    }
    reasons: list[dict[str, str]] = []
    for condition, threshold in rules:
        if condition == "total_above":
            if threshold is not None and facts.total > money(threshold):
                reasons.append({"condition": condition, "threshold": f"{money(threshold):.2f}"})
        elif flags.get(condition):
            reasons.append({"condition": condition})
    # One line per condition: two fee rules met say it once, with the lower threshold.
    seen: dict[str, dict[str, str]] = {}
    for reason in reasons:
        kept = seen.get(reason["condition"])
        if kept is None or Decimal(reason.get("threshold", "0")) < Decimal(
            kept.get("threshold", "0")
        ):
            seen[reason["condition"]] = reason
    return list(seen.values())


def consent_needed(facts: PlanFacts) -> bool:
    """The customer is asked when the plan costs them money, brings someone to their door,
    or replaces their product (SPEC §2.4)."""
    return facts.total > 0 or facts.needs_visit or facts.includes_replacement
