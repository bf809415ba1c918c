"""Eligibility is a pure function of dates and terms: tested without a database."""

import datetime

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from aftersales.returns.eligibility import Outcome, assess

BOUGHT = datetime.date(2026, 5, 1)
WARRANTY_END = datetime.date(2027, 5, 1)


def on(days: int, *, quality: bool = True, warranty_end=WARRANTY_END, **terms):
    return assess(
        purchase_date=BOUGHT,
        received_on=BOUGHT + datetime.timedelta(days=days),
        warranty_end=warranty_end,
        quality_fault=quality,
        **terms,
    )


@pytest.mark.parametrize(
    ("days", "outcome", "refund", "replacement"),
    [
        (0, Outcome.REFUND, True, True),  # the day it was bought
        (7, Outcome.REFUND, True, True),  # the 7th day after: the last of the return window
        (8, Outcome.REPLACEMENT, False, True),
        (15, Outcome.REPLACEMENT, False, True),  # the last day of the replacement window
        (16, Outcome.REPLACEMENT, False, True),  # a quality fault in warranty
        (365, Outcome.REPLACEMENT, False, True),  # the warranty's last day (1 May 2027)
        (366, Outcome.NOT_ELIGIBLE, False, False),
    ],
)
def test_windows_at_their_boundaries(days, outcome, refund, replacement):
    result = on(days)
    assert (result.outcome, result.refund, result.replacement) == (outcome, refund, replacement)
    assert result.days_since_purchase == days
    assert result.return_until == datetime.date(2026, 5, 8)
    assert result.replacement_until == datetime.date(2026, 5, 16)


def test_past_the_replacement_window_only_a_quality_fault_is_replaced():
    assert on(16, quality=False).outcome == Outcome.REPAIR
    assert on(15, quality=False).outcome == Outcome.REPLACEMENT  # the window needs no reason
    assert on(365, quality=False).outcome == Outcome.REPAIR
    assert on(366, quality=False).outcome == Outcome.NOT_ELIGIBLE


def test_the_product_terms_move_the_boundaries():
    assert on(30, return_days=30, replacement_days=60).refund
    assert not on(31, return_days=30, replacement_days=60).refund
    assert on(60, return_days=30, replacement_days=60, quality=False).replacement
    assert not on(61, return_days=30, replacement_days=60, quality=False).replacement
    # A replacement window shorter than the return window is read as the return window.
    short = on(7, return_days=7, replacement_days=3, quality=False)
    assert short.refund and short.replacement and short.replacement_until == short.return_until


def test_without_a_purchase_date_staff_decide():
    result = assess(
        purchase_date=None,
        received_on=BOUGHT,
        warranty_end=None,
        quality_fault=True,
    )
    assert result.outcome == Outcome.STAFF_DECIDE
    assert not result.refund and not result.replacement
    with translation.override("en"):
        assert "No purchase date is known" in str(result.reason)
    stated = assess(
        purchase_date=None,
        received_on=BOUGHT,
        warranty_end=None,
        quality_fault=True,
        stated_purchase_date=datetime.date(2026, 4, 30),
    )
    with translation.override("en"):
        assert "the customer gave 2026-04-30" in str(stated.reason)


def test_a_request_before_the_purchase_is_for_staff():
    result = on(-1)
    assert result.outcome == Outcome.STAFF_DECIDE
    with translation.override("en"):
        assert "before the recorded purchase date 2026-05-01" in str(result.reason)


def test_reasons_are_plain_words_with_the_dates():
    with translation.override("en"):
        assert str(on(7).reason) == (
            "Bought on 2026-05-01, 7 days before the request: within the 7-day return window "
            "(until 2026-05-08). A refund, a replacement or a repair is possible."
        )
        assert "ended on 2026-05-08" in str(on(8).reason)
        assert "until 2027-05-01" in str(on(16).reason)
        assert "repair under warranty" in str(on(16, quality=False).reason)
        assert "out of warranty (it ended on 2027-05-01)" in str(on(366).reason)
        assert "no warranty end is known" in str(on(30, warranty_end=None).reason)


dates = st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2090, 12, 31))


@given(
    purchase=dates,
    offset=st.integers(min_value=-30, max_value=2000),
    warranty_months=st.one_of(st.none(), st.integers(min_value=0, max_value=60)),
    quality=st.booleans(),
    return_days=st.integers(min_value=0, max_value=60),
    extra_days=st.integers(min_value=0, max_value=60),
)
def test_the_rules_hold_for_any_dates(
    purchase, offset, warranty_months, quality, return_days, extra_days
):
    received = purchase + datetime.timedelta(days=offset)
    warranty_end = (
        None
        if warranty_months is None
        else purchase + datetime.timedelta(days=round(warranty_months * 30.4))
    )
    replacement_days = return_days + extra_days
    result = assess(
        purchase_date=purchase,
        received_on=received,
        warranty_end=warranty_end,
        quality_fault=quality,
        return_days=return_days,
        replacement_days=replacement_days,
    )
    in_warranty = warranty_end is not None and received <= warranty_end
    assert str(result.reason)
    if offset < 0:
        assert result.outcome == Outcome.STAFF_DECIDE and not result.refund
        return
    assert result.refund == (offset <= return_days)
    assert result.replacement == (offset <= replacement_days or (in_warranty and quality))
    assert not result.refund or result.replacement  # what may be refunded may be replaced
    assert result.in_warranty == in_warranty
    expected = (
        Outcome.REFUND
        if result.refund
        else Outcome.REPLACEMENT
        if result.replacement
        else Outcome.REPAIR
        if in_warranty
        else Outcome.NOT_ELIGIBLE
    )
    assert result.outcome == expected
    # A day later never gives more.
    later = assess(
        purchase_date=purchase,
        received_on=received + datetime.timedelta(days=1),
        warranty_end=warranty_end,
        quality_fault=quality,
        return_days=return_days,
        replacement_days=replacement_days,
    )
    assert later.refund <= result.refund and later.replacement <= result.replacement
