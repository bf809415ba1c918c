"""Business-time arithmetic for response-time promises (SPEC §4). Pure: no Django, no ORM.

A calendar (:class:`CalendarSpec`) says when the clock runs: working periods per weekday,
dates whose periods replace the weekday's (holidays, make-up working days 调休, special
hours), or around the clock. The one definition everything here agrees with:

    A UTC instant is *open* iff its local wall-clock time in ``time_zone`` — date ``d``,
    time ``t`` — satisfies ``start <= t < end`` for one of the periods of ``d``
    (``exceptions[d]`` if ``d`` is an exception, else ``weekly[d.weekday()]``).

On a DST day a period across the spring-forward gap is therefore shorter and one across
the fall-back repeat is longer.

:class:`BusinessClock` turns a spec into sorted, merged open intervals in UTC with
cumulative open time (cached per local year, extended on demand), so ``add`` and
``elapsed`` are two binary searches. Internally instants are integer microseconds since
the Unix epoch. Every datetime taken must be aware (naive input raises ``ValueError``);
every datetime returned is in UTC.
"""

from __future__ import annotations

import operator
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import TypeAlias
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "CHINA_WORKING_HOURS_WEEKLY",
    "SERVICE_HOURS_WEEKLY",
    "BusinessClock",
    "CalendarSpec",
    "Period",
    "Periods",
    "add_business_time",
    "clock_for",
    "due_with_pauses",
    "elapsed_excluding",
]

Period: TypeAlias = tuple[int, int]
"""(start_minute, end_minute) since local midnight, ``0 <= start < end <= 1440``."""
Periods: TypeAlias = tuple[Period, ...]
Pause: TypeAlias = tuple[datetime, datetime | None]
_State: TypeAlias = tuple[list[int], list[int], list[int], list[int], int, int]

MINUTES_PER_DAY = 1440
MAX_SEARCH_YEARS = 50
"""``add`` and ``next_open`` give up (``ValueError``) after this many years without open time."""
MAX_AHEAD_YEARS = 100
"""… and rather than give a result more than this many years ahead (the cache grows with it)."""

_US = 1_000_000
_DAY = 86_400
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_FOREVER = 1 << 62  # an open-ended pause ends here: beyond any datetime, in microseconds
_SAMPLE = 6 * 3600  # offsets are sampled this often to find transitions (tzdata: far apart)
_AHEAD_YEARS = 10  # precomputed ahead of the year of interest; extended in steps of this

# Monday–Friday 09:00–12:00 and 13:00–18:00 (工作日), weekend closed.
CHINA_WORKING_HOURS_WEEKLY: Mapping[int, Periods] = MappingProxyType(
    dict.fromkeys(range(5), ((540, 720), (780, 1080))) | {5: (), 6: ()}
)
# 08:00–22:00 every day of the week (客服时间).
SERVICE_HOURS_WEEKLY: Mapping[int, Periods] = MappingProxyType(
    dict.fromkeys(range(7), ((480, 1320),))
)


def _clean_periods(value: object, where: str) -> Periods:
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise ValueError(f"{where}: periods must be a sequence of (start, end) minute pairs")
    periods: list[Period] = []
    previous_end = 0
    for item in value:
        if isinstance(item, str | bytes) or not isinstance(item, Sequence) or len(item) != 2:
            raise ValueError(f"{where}: {item!r} is not a (start_minute, end_minute) pair")
        start, end = item
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
            raise ValueError(f"{where}: period {item!r} must be two integers (minutes)")
        if not 0 <= start < end <= MINUTES_PER_DAY:
            raise ValueError(f"{where}: period {item!r} must satisfy 0 <= start < end <= 1440")
        if start < previous_end:
            raise ValueError(
                f"{where}: period {item!r} starts before the previous one ends "
                "(periods must be sorted and must not overlap)"
            )
        periods.append((start, end))
        previous_end = end
    return tuple(periods)


@dataclass(frozen=True)
class CalendarSpec:
    """When the clock runs. Validated and copied into read-only mappings on creation.

    ``weekly``: weekday (0 = Monday … 6 = Sunday) → periods; a missing weekday is closed.
    ``exceptions``: local date → periods replacing that weekday's (``()`` = closed).
    ``always_open``: 24×7; ``weekly`` and ``exceptions`` are then ignored.
    """

    time_zone: str
    weekly: Mapping[int, Periods] = field(default_factory=dict)
    exceptions: Mapping[date, Periods] = field(default_factory=dict)
    always_open: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.time_zone, str) or not self.time_zone:
            raise ValueError("time_zone must be an IANA time-zone name such as 'Asia/Shanghai'")
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {self.time_zone!r}") from error
        if not isinstance(self.weekly, Mapping):
            raise ValueError("weekly must map weekday numbers (0 = Monday … 6 = Sunday) to periods")
        if not isinstance(self.exceptions, Mapping):
            raise ValueError("exceptions must map dates to periods")
        weekly: dict[int, Periods] = {}
        for day, periods in self.weekly.items():
            if not isinstance(day, int) or isinstance(day, bool) or not 0 <= day <= 6:
                raise ValueError(f"weekly: {day!r} is not a weekday number 0 (Monday) … 6 (Sunday)")
            weekly[day] = _clean_periods(periods, f"weekly[{day}]")
        exceptions: dict[date, Periods] = {}
        for day, periods in self.exceptions.items():
            if not isinstance(day, date) or isinstance(day, datetime):
                raise ValueError(f"exceptions: {day!r} is not a date")
            exceptions[day] = _clean_periods(periods, f"exceptions[{day.isoformat()}]")
        object.__setattr__(self, "weekly", MappingProxyType(dict(sorted(weekly.items()))))
        object.__setattr__(self, "exceptions", MappingProxyType(dict(sorted(exceptions.items()))))
        object.__setattr__(self, "always_open", bool(self.always_open))

    def __hash__(self) -> int:
        return hash(
            (
                self.time_zone,
                tuple(self.weekly.items()),
                tuple(self.exceptions.items()),
                self.always_open,
            )
        )

    @property
    def has_open_time(self) -> bool:
        """False if the clock can never run (no period on any weekday or exception)."""
        return self.always_open or any(self.weekly.values()) or any(self.exceptions.values())

    def periods_on(self, day: date) -> Periods:
        """The working periods of a local date under the definition above."""
        if self.always_open:
            return ((0, MINUTES_PER_DAY),)
        found = self.exceptions.get(day)
        return found if found is not None else self.weekly.get(day.weekday(), ())


def _to_us(moment: datetime) -> int:
    """Microseconds since the epoch of an aware datetime; ValueError for anything else."""
    try:
        delta = moment - _EPOCH
    except TypeError:
        raise ValueError(f"an aware datetime is required, got {moment!r}") from None
    return (delta.days * _DAY + delta.seconds) * _US + delta.microseconds


def _from_us(us: int) -> datetime:
    try:
        return _EPOCH + timedelta(0, 0, us)
    except OverflowError:
        raise ValueError("the result is outside the range of datetime") from None


def _offset_at(zone: ZoneInfo, utc_seconds: int) -> int:
    offset = (_EPOCH + timedelta(seconds=utc_seconds)).astimezone(zone).utcoffset()
    if offset is None:  # pragma: no cover — a ZoneInfo always answers for aware input
        raise ValueError(f"time zone {zone.key!r} gives no UTC offset")
    return offset.days * _DAY + offset.seconds


def _offset_pieces(zone: ZoneInfo, lo: int, hi: int) -> list[tuple[int, int, int]]:
    """[(from, to, offset)] covering UTC seconds [lo, hi) in which the UTC offset is fixed."""
    pieces: list[tuple[int, int, int]] = []
    piece_start = lo
    offset = _offset_at(zone, lo)
    t = lo
    while t < hi:
        nxt = min(t + _SAMPLE, hi)
        nxt_offset = _offset_at(zone, nxt)
        if nxt_offset != offset:
            # One transition in (t, nxt]: find the first second with the new offset.
            below, above = t, nxt
            while above - below > 1:
                mid = (below + above) // 2
                if _offset_at(zone, mid) == offset:
                    below = mid
                else:
                    above = mid
            pieces.append((piece_start, above, offset))
            piece_start, offset = above, _offset_at(zone, above)
        t = nxt
    pieces.append((piece_start, hi, offset))
    return pieces


def _prefix(state: _State, p: int) -> int:
    """Open µs from the first cached interval up to p."""
    starts, ends, cum = state[0], state[1], state[2]
    i = bisect_right(starts, p) - 1
    if i < 0:
        return 0
    end = ends[i]
    return cum[i] + (p if p < end else end) - starts[i]


class BusinessClock:
    """Open-time arithmetic on one :class:`CalendarSpec`.

    The open intervals of local years ``years`` (default: from last year to ten years
    ahead) are computed at once; any computation outside them extends the cache.
    """

    def __init__(self, spec: CalendarSpec, *, years: range | None = None) -> None:
        if not isinstance(spec, CalendarSpec):
            raise ValueError("BusinessClock needs a CalendarSpec")
        self.spec = spec
        self._zone = ZoneInfo(spec.time_zone)
        self._always_open = spec.always_open
        self._closed = not spec.has_open_time
        self._year_cache: dict[int, list[tuple[int, int]]] = {}
        self._lock = threading.Lock()  # serialises rebuilds; readers need none
        self._lo_year = self._hi_year = 0
        # (starts, ends, cum, cum_end, lo, hi), swapped as a whole so that readers in other
        # threads always see one consistent state: merged open intervals [starts[i], ends[i])
        # in µs, open µs before (cum) and up to the end of (cum_end) each, and the range
        # [lo, hi) of instants whose open time is all there.
        self._state: _State = ([], [], [], [], 0, 0)
        if self._always_open or self._closed:
            return
        if years is None:
            this_year = datetime.now(UTC).year
            years = range(this_year - 1, this_year + _AHEAD_YEARS + 1)
        if len(years) == 0 or years.step != 1:
            raise ValueError("years must be a non-empty range of consecutive years")
        self._rebuild(max(years[0], 2), min(years[-1], 9998))

    def __repr__(self) -> str:
        return f"BusinessClock({self.spec!r})"

    # -- public API ---------------------------------------------------------------------

    def add(self, start: datetime, seconds: int) -> datetime:
        """The instant at which ``seconds`` of open time have elapsed after ``start``.

        Counting begins at the next opening if ``start`` is closed; ``add(start, 0)`` is
        ``next_open(start)``. A result falling exactly at the end of a period is that end
        (the earliest such instant), not the next opening.
        """
        p = _to_us(start)
        if type(seconds) is not int:
            seconds = operator.index(seconds)
        if seconds > 0:
            # The common case inline: both searches within the cached range.
            starts, ends, cum, cum_end, lo, hi = self._state
            if lo <= p < hi:
                d = seconds * _US
                i = bisect_right(starts, p) - 1
                if i >= 0:
                    end = ends[i]
                    goal = cum[i] + (p if p < end else end) - starts[i] + d
                else:
                    goal = d
                j = bisect_left(cum_end, goal)
                if j < len(starts):
                    r = starts[j] + goal - cum[j]
                    if r <= hi:
                        return _EPOCH + timedelta(0, 0, r)
        elif seconds < 0:
            raise ValueError("seconds must not be negative")
        return _from_us(self._add_us(p, seconds * _US))

    def add_minutes(self, start: datetime, minutes: int) -> datetime:
        """``add(start, minutes * 60)``."""
        if type(minutes) is not int:
            minutes = operator.index(minutes)
        return self.add(start, minutes * 60)

    def elapsed(self, start: datetime, end: datetime) -> int:
        """Whole seconds of open time in ``[start, end)``; 0 if ``end <= start``."""
        p, q = _to_us(start), _to_us(end)
        if q <= p:
            return 0
        return self._open_us(p, q) // _US

    def is_open(self, moment: datetime) -> bool:
        """Whether the clock runs at ``moment``."""
        p = _to_us(moment)
        if self._always_open:
            return True
        if self._closed:
            return False
        if not self._state[4] <= p < self._state[5]:
            self._cover(p, p)
        starts, ends = self._state[0], self._state[1]
        i = bisect_right(starts, p) - 1
        return i >= 0 and p < ends[i]

    def next_open(self, moment: datetime) -> datetime:
        """``moment`` itself if open, else the next opening (in UTC)."""
        return _from_us(self._add_us(_to_us(moment), 0))

    # -- microsecond core ---------------------------------------------------------------

    def _add_us(self, p: int, d: int) -> int:
        if self._always_open:
            return p + d
        if self._closed:
            raise ValueError("the calendar has no open time at all")
        while True:
            starts, ends, cum, cum_end, lo, hi = self._state
            if lo <= p < hi:
                if d:
                    i = bisect_right(starts, p) - 1
                    if i >= 0:
                        end = ends[i]
                        goal = cum[i] + (p if p < end else end) - starts[i] + d
                    else:
                        goal = d
                    j = bisect_left(cum_end, goal)
                    if j < len(starts):
                        r = starts[j] + goal - cum[j]
                        if r <= hi:
                            return r
                else:
                    j = bisect_right(ends, p)
                    if j < len(starts):
                        r = starts[j] if starts[j] > p else p
                        if r < hi:
                            return r
            self._search_further(p, d)

    def _open_us(self, p: int, q: int) -> int:
        """Open microseconds in [p, q), p <= q."""
        if self._always_open:
            return q - p
        if self._closed:
            return 0
        state = self._state
        if p < state[4] or q > state[5]:
            self._cover(p, q)
            state = self._state
        return _prefix(state, q) - _prefix(state, p)

    # -- cache of open intervals --------------------------------------------------------

    def _search_further(self, p: int, d: int) -> None:
        """Extend the cache after ``d`` µs of open time from ``p`` were not found in it.

        Gives up (``ValueError``) after ``MAX_SEARCH_YEARS`` without any open time, counted
        from the last opening found rather than from ``p`` (a calendar open one minute a week
        needs decades for a long target), or once the result would lie more than
        ``MAX_AHEAD_YEARS`` after ``p``.
        """
        state = self._state
        starts, ends, cum_end, lo, hi = state[0], state[1], state[3], state[4], state[5]
        if not lo <= p < hi:
            self._cover(p, p)
            return
        hi_year, year_of_p = self._hi_year, _from_us(p).year
        found = cum_end[-1] - _prefix(state, p) if starts else 0  # open µs cached after p
        last = ends[-1] if found else p  # where open time was last seen
        if hi_year >= _from_us(last).year + MAX_SEARCH_YEARS:
            raise ValueError(
                f"no open time within {MAX_SEARCH_YEARS} years after {_from_us(last).isoformat()}"
            )
        # Covering all of year_of_p + MAX_AHEAD_YEARS puts hi at least that many years after p.
        limit = min(year_of_p + MAX_AHEAD_YEARS + 1, 9998)
        if hi_year >= limit:
            raise ValueError(
                f"the result lies more than {MAX_AHEAD_YEARS} years after {_from_us(p).isoformat()}"
                if limit < 9998
                else "the result is outside the range of datetime"
            )
        new_hi_year = hi_year + _AHEAD_YEARS
        if found and d > found:
            # Jump to where the open time still missing is expected at the rate seen so far,
            # rather than ten years per rebuild (each rebuild re-merges the whole cache).
            per_year = found * (365.25 * _DAY * _US) / (hi - p)
            new_hi_year = max(new_hi_year, hi_year + 1 + int((d - found) / per_year))
        self._rebuild(self._lo_year, min(new_hi_year, limit))

    def _cover(self, p: int, q: int) -> None:
        """Extend the cache so that [p, q] lies within the covered range."""
        lo_year, hi_year = self._lo_year, self._hi_year
        if p < self._state[4]:
            lo_year = _from_us(p).year - 1
        if q >= self._state[5]:
            hi_year = max(hi_year, _from_us(q).year + 1)
        if lo_year < 2 or hi_year > 9998:
            raise ValueError("instants must lie within years 2–9998")
        self._rebuild(lo_year, hi_year)

    def _rebuild(self, lo_year: int, hi_year: int) -> None:
        with self._lock:
            if self._hi_year:  # the covered range only ever grows
                lo_year, hi_year = min(lo_year, self._lo_year), max(hi_year, self._hi_year)
            self._build(lo_year, hi_year)

    def _build(self, lo_year: int, hi_year: int) -> None:
        raw: list[tuple[int, int]] = []
        for year in range(lo_year, hi_year + 1):
            intervals = self._year_cache.get(year)
            if intervals is None:
                intervals = self._year_cache[year] = self._year_intervals(year)
            raw.extend(intervals)
        raw.sort()
        starts: list[int] = []
        ends: list[int] = []
        for a, b in raw:
            if ends and a <= ends[-1]:
                if b > ends[-1]:
                    ends[-1] = b
            else:
                starts.append(a)
                ends.append(b)
        cum: list[int] = []
        cum_end: list[int] = []
        total = 0
        for i, a in enumerate(starts):
            a_us, b_us = a * _US, ends[i] * _US
            starts[i], ends[i] = a_us, b_us
            cum.append(total)
            total += b_us - a_us
            cum_end.append(total)
        # Every instant whose UTC date lies in [Jan 2 of lo, Dec 31 of hi) has a local date
        # within [lo, hi] (offsets are less than a day), so its open time is all here.
        lo_us = (date(lo_year, 1, 2).toordinal() - _EPOCH_ORDINAL) * _DAY * _US
        hi_us = (date(hi_year, 12, 31).toordinal() - _EPOCH_ORDINAL) * _DAY * _US
        self._lo_year, self._hi_year = lo_year, hi_year
        self._state = (starts, ends, cum, cum_end, lo_us, hi_us)

    def _year_intervals(self, year: int) -> list[tuple[int, int]]:
        """Open intervals (UTC seconds) of the local dates of ``year``, by the definition."""
        spec = self.spec
        first, last = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
        days: list[tuple[int, Periods]] = []
        for ordinal in range(first, last + 1):
            periods = spec.periods_on(date.fromordinal(ordinal))
            if periods:
                days.append((ordinal, periods))
        if not days:
            return []
        window_lo = (first - _EPOCH_ORDINAL - 2) * _DAY
        window_hi = (last + 1 - _EPOCH_ORDINAL + 2) * _DAY
        pieces = _offset_pieces(self._zone, window_lo, window_hi)
        out: list[tuple[int, int]] = []
        for ordinal, periods in days:
            midnight = (ordinal - _EPOCH_ORDINAL) * _DAY  # local wall-clock seconds
            for start, end in periods:
                a, b = midnight + start * 60, midnight + end * 60
                # Instants t in a piece with offset o are open iff a <= t + o < b.
                for lo, hi, offset in pieces:
                    t0 = max(a - offset, lo)
                    t1 = min(b - offset, hi)
                    if t0 < t1:
                        out.append((t0, t1))
        return out


def _merged_pauses(pauses: Sequence[Pause]) -> list[tuple[int, int]]:
    """Sorted, disjoint [start, end) pauses in µs; an open-ended pause ends at _FOREVER."""
    spans: list[tuple[int, int]] = []
    for pause in pauses:
        begin, finish = pause
        a = _to_us(begin)
        b = _FOREVER if finish is None else _to_us(finish)
        if b < a:
            raise ValueError(f"pause ends before it starts: {pause!r}")
        if b > a:
            spans.append((a, b))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            if b > merged[-1][1]:
                merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged


def elapsed_excluding(
    clock: BusinessClock, start: datetime, end: datetime, pauses: Sequence[Pause]
) -> int:
    """Whole seconds of open time in ``[start, end)`` outside every pause.

    ``pauses`` are ``(from, to)`` pairs in any order, possibly overlapping; ``to=None``
    means the pause is still running.
    """
    p, q = _to_us(start), _to_us(end)
    merged = _merged_pauses(pauses)
    if q <= p:
        return 0
    total = clock._open_us(p, q)
    for a, b in merged:
        a, b = max(a, p), min(b, q)
        if a < b:
            total -= clock._open_us(a, b)
    return total // _US


def due_with_pauses(
    clock: BusinessClock, start: datetime, seconds: int, pauses: Sequence[Pause]
) -> datetime | None:
    """When ``seconds`` of open time outside every pause have elapsed after ``start``.

    ``None`` if that moment is not reached before a pause that is still running
    (``to=None``) begins: the due time is then unknown until the pause ends.
    """
    p = _to_us(start)
    if type(seconds) is not int:
        seconds = operator.index(seconds)
    if seconds < 0:
        raise ValueError("seconds must not be negative")
    remaining = seconds * _US
    for a, b in _merged_pauses(pauses):
        if b <= p:
            continue
        if a > p:
            # Reached before the pause iff [p, a) holds enough open time (some, for a zero
            # target: the next opening must come before a). Counting first keeps the search
            # from running past a pause — one still running may start before the result.
            available = clock._open_us(p, a)
            if available and available >= remaining:
                return _from_us(clock._add_us(p, remaining))
            remaining -= available
        if b == _FOREVER:
            return None
        p = b
    return _from_us(clock._add_us(p, remaining))


@lru_cache(maxsize=64)
def clock_for(spec: CalendarSpec) -> BusinessClock:
    """A shared :class:`BusinessClock` per spec (specs are hashable)."""
    return BusinessClock(spec)


def add_business_time(
    start: datetime, duration: timedelta, calendar: CalendarSpec | BusinessClock
) -> datetime:
    """``start`` plus ``duration`` of open time on ``calendar``."""
    clock = calendar if isinstance(calendar, BusinessClock) else clock_for(calendar)
    if duration < timedelta(0):
        raise ValueError("duration must not be negative")
    p = _to_us(start)
    return _from_us(clock._add_us(p, duration // timedelta(microseconds=1)))
