"""Free time and suggested windows: pure functions, with examples and properties."""

import datetime
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.visits import slots
from aftersales.visits.tests.factories import MONDAY, local

H = datetime.timedelta(hours=1)
WORKING = [(local(MONDAY, 9), local(MONDAY, 12)), (local(MONDAY, 13), local(MONDAY, 18))]


def hm(intervals):
    return [(f"{s:%H:%M}", f"{e:%H:%M}") for s, e in intervals]


def test_merge_joins_overlapping_and_touching_intervals():
    merged = slots.merge(
        [
            (local(MONDAY, 13), local(MONDAY, 14)),
            (local(MONDAY, 9), local(MONDAY, 10)),
            (local(MONDAY, 10), local(MONDAY, 11)),
            (local(MONDAY, 13, 30), local(MONDAY, 13, 45)),
            (local(MONDAY, 15), local(MONDAY, 15)),  # empty
        ]
    )
    assert hm(merged) == [("09:00", "11:00"), ("13:00", "14:00")]


def test_free_time_is_working_time_without_visits_and_leave():
    busy = [
        (local(MONDAY, 10), local(MONDAY, 11)),
        (local(MONDAY, 11, 30), local(MONDAY, 13, 30)),  # across the lunch break
        (local(MONDAY, 17), local(MONDAY, 20)),
    ]
    free = slots.free_intervals(WORKING, busy)
    assert hm(free) == [("09:00", "10:00"), ("11:00", "11:30"), ("13:30", "17:00")]


def test_free_time_starts_no_earlier_than_asked():
    free = slots.free_intervals(WORKING, [], not_before=local(MONDAY, 14, 10))
    assert hm(free) == [("14:10", "18:00")]


def test_suggestions_are_on_the_half_hour_inside_free_time():
    free = [(local(MONDAY, 9, 10), local(MONDAY, 12)), (local(MONDAY, 13), local(MONDAY, 15))]
    windows = slots.suggest_windows(free, length=2 * H)
    assert hm(windows) == [
        ("09:30", "11:30"),
        ("10:00", "12:00"),
        ("13:00", "15:00"),
    ]


def test_two_technicians_together_get_the_time_both_are_free():
    first = [(local(MONDAY, 9), local(MONDAY, 12)), (local(MONDAY, 13), local(MONDAY, 18))]
    second = [(local(MONDAY, 10), local(MONDAY, 14))]
    assert hm(slots.intersect(first, second)) == [("10:00", "12:00"), ("13:00", "14:00")]


def test_a_length_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        slots.suggest_windows(WORKING, length=datetime.timedelta(0))


# --- Properties ------------------------------------------------------------------------------

DAY_START = local(MONDAY, 0)


def _interval(start_minute: int, length: int):
    start = DAY_START + datetime.timedelta(minutes=start_minute)
    return start, start + datetime.timedelta(minutes=length)


intervals = st.lists(st.builds(_interval, st.integers(0, 1439), st.integers(1, 600)), max_size=8)


def _overlaps(a, b) -> bool:
    return a[0] < b[1] and b[0] < a[1]


@settings(max_examples=200, deadline=None)
@given(
    working=intervals,
    busy=intervals,
    length=st.sampled_from([30, 60, 90, 120, 240]),
    not_before=st.integers(0, 1440),
)
def test_suggested_windows_lie_in_working_time_and_overlap_no_visit(
    working, busy, length, not_before
):
    earliest = DAY_START + datetime.timedelta(minutes=not_before)
    free = slots.free_intervals(working, busy, not_before=earliest)
    windows = slots.suggest_windows(free, length=datetime.timedelta(minutes=length))
    merged_working = slots.merge(working)
    for window in windows:
        assert window[1] - window[0] == datetime.timedelta(minutes=length)
        assert window[0] >= earliest
        assert window[0].minute in {0, 30} and window[0].second == 0
        # Wholly inside one working period...
        assert any(s <= window[0] and window[1] <= e for s, e in merged_working)
        # ...and clear of everything that keeps the technician busy.
        assert not any(_overlaps(window, b) for b in busy if b[1] > b[0])
    assert windows == sorted(windows)


@settings(max_examples=200, deadline=None)
@given(working=intervals, busy=intervals)
def test_free_time_is_exactly_working_time_minus_busy_time(working, busy):
    free = slots.free_intervals(working, busy)
    # Free intervals are disjoint, sorted, inside working time and outside busy time...
    for (_s1, e1), (s2, _e2) in itertools.pairwise(free):
        assert e1 < s2
    for interval in free:
        assert any(s <= interval[0] and interval[1] <= e for s, e in slots.merge(working))
        assert not any(_overlaps(interval, b) for b in busy if b[1] > b[0])
    # ...and every working minute that is not busy is free.
    for minute in range(0, 1440, 7):
        moment = DAY_START + datetime.timedelta(minutes=minute)
        working_now = any(s <= moment < e for s, e in working)
        busy_now = any(s <= moment < e for s, e in busy)
        free_now = any(s <= moment < e for s, e in free)
        assert free_now == (working_now and not busy_now)


@settings(max_examples=100, deadline=None)
@given(free=intervals, length=st.sampled_from([30, 60, 120]))
def test_every_fitting_half_hour_window_is_suggested(free, length):
    windows = set(slots.suggest_windows(free, length=datetime.timedelta(minutes=length)))
    merged = slots.merge(free)
    for minute in range(0, 1440 + 600, 30):
        start = DAY_START + datetime.timedelta(minutes=minute)
        candidate = (start, start + datetime.timedelta(minutes=length))
        fits = any(s <= candidate[0] and candidate[1] <= e for s, e in merged)
        assert (candidate in windows) == fits
