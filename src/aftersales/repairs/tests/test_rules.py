"""The plan's pure rules: warranty, money, approval and consent."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales.catalog.models import Product, Unit
from aftersales.repairs import rules
from aftersales.repairs.rules import PlanFacts


def unit(purchase: datetime.date | None, months: int = 12, override=None) -> Unit:
    """An unsaved unit: warranty_end needs no database."""
    return Unit(
        product=Product(model="M", name="N", warranty_months=months),
        serial_number="S",
        purchase_date=purchase,
        warranty_end_override=override,
    )


# --- Warranty -----------------------------------------------------------------------------


def test_a_unit_bought_within_its_warranty_months_is_in_warranty():
    decision = rules.warranty_decide(unit(datetime.date(2026, 3, 10)), datetime.date(2026, 9, 1))
    assert decision == rules.WarrantyDecision("in", datetime.date(2027, 3, 10))


def test_a_unit_past_its_warranty_is_out_of_warranty():
    decision = rules.warranty_decide(unit(datetime.date(2024, 3, 10)), datetime.date(2026, 9, 1))
    assert decision.status == "out"
    assert decision.end == datetime.date(2025, 3, 10)


def test_the_last_day_of_the_warranty_is_still_covered():
    bought = datetime.date(2025, 1, 31)
    end = datetime.date(2026, 1, 31)
    assert rules.warranty_decide(unit(bought), end).status == "in"
    assert rules.warranty_decide(unit(bought), end + datetime.timedelta(days=1)).status == "out"


def test_a_month_end_purchase_ends_on_the_shorter_months_last_day():
    decision = rules.warranty_decide(
        unit(datetime.date(2026, 1, 31), months=1), datetime.date(2026, 2, 28)
    )
    assert decision == rules.WarrantyDecision("in", datetime.date(2026, 2, 28))


def test_the_end_an_admin_set_overrides_the_purchase_date():
    extended = unit(datetime.date(2020, 1, 1), override=datetime.date(2030, 1, 1))
    assert rules.warranty_decide(extended, datetime.date(2026, 9, 1)).status == "in"
    shortened = unit(datetime.date(2026, 8, 1), override=datetime.date(2026, 8, 15))
    assert rules.warranty_decide(shortened, datetime.date(2026, 9, 1)).status == "out"
    # An admin's end date decides even without a purchase date.
    assert (
        rules.warranty_decide(
            unit(None, override=datetime.date(2030, 1, 1)), datetime.date(2026, 9, 1)
        ).status
        == "in"
    )


def test_without_a_unit_or_a_purchase_date_the_warranty_is_unknown():
    day = datetime.date(2026, 9, 1)
    assert rules.warranty_decide(None, day) == rules.WarrantyDecision("unknown")
    assert rules.warranty_decide(unit(None), day) == rules.WarrantyDecision("unknown")


# --- Money --------------------------------------------------------------------------------


def test_a_line_is_quantity_times_price_rounded_half_up_to_the_cent():
    line = rules.fee_line_amounts(
        kind="other", quantity=Decimal("1.5"), unit_price=Decimal("0.03"), warranty="out"
    )
    assert line.list_amount == Decimal("0.05")  # 0.045 → 0.05
    assert line.amount == Decimal("0.05")
    assert not line.covered


@pytest.mark.parametrize(
    ("kind", "charged"),
    [("parts", False), ("labour", False), ("call_out", True), ("other", True)],
)
def test_in_warranty_parts_and_labour_are_free_but_keep_their_list_price(kind, charged):
    line = rules.fee_line_amounts(
        kind=kind, quantity=Decimal("2"), unit_price=Decimal("120.00"), warranty="in"
    )
    assert line.list_amount == Decimal("240.00")
    assert line.covered is not charged
    assert line.amount == (Decimal("240.00") if charged else Decimal("0.00"))


@pytest.mark.parametrize("warranty", ["out", "unknown"])
def test_out_of_warranty_everything_is_charged(warranty):
    line = rules.fee_line_amounts(
        kind="parts", quantity=Decimal("1"), unit_price=Decimal("99.90"), warranty=warranty
    )
    assert line.amount == line.list_amount == Decimal("99.90")


def test_floats_are_refused():
    with pytest.raises(TypeError):
        rules.fee_line_amounts(kind="other", quantity=1.1, unit_price=Decimal("1"), warranty="out")
    with pytest.raises(TypeError):
        rules.money(0.1)


cents = st.decimals(min_value=0, max_value=Decimal("99999999.99"), places=2)
quantities = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("10000"), places=2)
kinds = st.sampled_from(["parts", "labour", "call_out", "other"])


@given(
    lines=st.lists(st.tuples(kinds, quantities, cents), max_size=30),
    warranty=st.sampled_from(["in", "out", "unknown"]),
)
def test_totals_are_exactly_the_sum_of_the_lines(lines, warranty):
    amounts = [
        rules.fee_line_amounts(kind=k, quantity=q, unit_price=p, warranty=warranty)
        for k, q, p in lines
    ]
    list_total, total = rules.fee_totals(amounts)
    assert isinstance(total, Decimal) and isinstance(list_total, Decimal)
    assert total == sum((a.amount for a in amounts), Decimal(0))
    assert list_total == sum((a.list_amount for a in amounts), Decimal(0))
    assert total.as_tuple().exponent == -2 and list_total.as_tuple().exponent == -2
    assert Decimal(0) <= total <= list_total
    for (kind, quantity, price), amount in zip(lines, amounts, strict=True):
        # Exact: the product of two cent amounts, rounded once, half up.
        assert abs(amount.list_amount - quantity * price) <= Decimal("0.005")
        if warranty == "in" and kind in {"parts", "labour"}:
            assert amount.amount == 0


# --- Approval and consent -----------------------------------------------------------------

DEFAULTS = [
    ("total_above", Decimal("500.00")),
    ("replacement", None),
    ("refund", None),
    ("compensation", None),
    ("complaint", None),
]


def test_a_total_above_the_threshold_needs_approval_and_one_at_it_does_not():
    assert rules.approval_reasons(DEFAULTS, PlanFacts(total=Decimal("500.00"))) == []
    assert rules.approval_reasons(DEFAULTS, PlanFacts(total=Decimal("500.01"))) == [
        {"condition": "total_above", "threshold": "500.00"}
    ]


@pytest.mark.parametrize(
    "flag", ["includes_replacement", "includes_refund", "includes_compensation", "is_complaint"]
)
def test_replacement_refund_compensation_and_complaints_need_approval(flag):
    reasons = rules.approval_reasons(DEFAULTS, PlanFacts(total=Decimal(0), **{flag: True}))
    assert len(reasons) == 1


def test_a_visit_needs_approval_only_when_an_admin_adds_that_rule():
    facts = PlanFacts(total=Decimal(0), needs_visit=True)
    assert rules.approval_reasons(DEFAULTS, facts) == []
    assert rules.approval_reasons([*DEFAULTS, ("visit", None)], facts) == [{"condition": "visit"}]


def test_several_fee_rules_name_the_lowest_threshold_met():
    reasons = rules.approval_reasons(
        [("total_above", Decimal("1000")), ("total_above", Decimal("200"))],
        PlanFacts(total=Decimal("1500")),
    )
    assert reasons == [{"condition": "total_above", "threshold": "200.00"}]


def test_without_rules_nothing_needs_approval():
    assert rules.approval_reasons([], PlanFacts(total=Decimal("99999"), is_complaint=True)) == []


@pytest.mark.parametrize(
    ("facts", "asked"),
    [
        (PlanFacts(total=Decimal("0.00")), False),
        (PlanFacts(total=Decimal("0.01")), True),
        (PlanFacts(total=Decimal(0), needs_visit=True), True),
        (PlanFacts(total=Decimal(0), includes_replacement=True), True),
        (PlanFacts(total=Decimal(0), includes_compensation=True), False),
    ],
)
def test_the_customer_is_asked_when_the_plan_touches_them(facts, asked):
    assert rules.consent_needed(facts) is asked
