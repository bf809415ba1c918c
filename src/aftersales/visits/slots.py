"""Free time on a day, and windows to offer the customer: pure functions over intervals.

No Django and no database: the caller passes a technician's working intervals (from their
calendar), what keeps them busy (active visits, leave) and the earliest time still worth
offering. Every interval is half-open ``[start, end)`` with aware datetimes, so a visit
that ends at 12:00 leaves 12:00 free for the next one.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

Interval = tuple[datetime.datetime, datetime.datetime]

__all__ = ["Interval", "free_intervals", "intersect", "merge", "subtract", "suggest_windows"]


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, with overlapping and touching intervals joined; empty ones dropped."""
    merged: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def subtract(base: Iterable[Interval], remove: Iterable[Interval]) -> list[Interval]:
    """The parts of `base` that no interval of `remove` covers."""
    cuts = merge(remove)
    result: list[Interval] = []
    for start, end in merge(base):
        cursor = start
        for cut_start, cut_end in cuts:
            if cut_end <= cursor:
                continue
            if cut_start >= end:
                break
            if cut_start > cursor:
                result.append((cursor, cut_start))
            cursor = max(cursor, cut_end)
            if cursor >= end:
                break
        if cursor < end:
            result.append((cursor, end))
    return result


def intersect(first: Iterable[Interval], second: Iterable[Interval]) -> list[Interval]:
    """Time in both: when two technicians who go together are both free."""
    a, b = merge(first), merge(second)
    result: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if start < end:
            result.append((start, end))
        if a[i][1] <= b[j][1]:
            i += 1
        else:
            j += 1
    return result


def free_intervals(
    working: Iterable[Interval],
    busy: Iterable[Interval],
    *,
    not_before: datetime.datetime | None = None,
) -> list[Interval]:
    """Working time that nothing keeps busy, from `not_before` on."""
    free = subtract(working, busy)
    if not_before is None:
        return free
    return [(max(start, not_before), end) for start, end in free if end > not_before]


def _first_aligned(moment: datetime.datetime, step: datetime.timedelta) -> datetime.datetime:
    """`moment` rounded up to a multiple of `step` after its own local midnight."""
    midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    since = moment - midnight
    remainder = since % step
    return moment if not remainder else moment + (step - remainder)


def suggest_windows(
    free: Sequence[Interval],
    *,
    length: datetime.timedelta,
    step: datetime.timedelta = datetime.timedelta(minutes=30),
) -> list[Interval]:
    """Every window of `length` starting on a multiple of `step` (local clock) that lies
    wholly inside one free interval, in time order. They may overlap each other: they are
    choices to offer the customer, of which one is booked."""
    if length <= datetime.timedelta(0) or step <= datetime.timedelta(0):
        raise ValueError("length and step must be positive")
    windows: list[Interval] = []
    for start, end in merge(free):
        candidate = _first_aligned(start, step)
        while candidate + length <= end:
            windows.append((candidate, candidate + length))
            candidate += step
    return windows
