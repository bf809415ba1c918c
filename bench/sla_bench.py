"""Speed of the SLA business-time arithmetic (aftersales.sla.calendar), on one core.

    .venv/bin/python bench/sla_bench.py

On the Chinese working-hours calendar (Mon–Fri 09:00–12:00 and 13:00–18:00, Asia/Shanghai)
with the 2026 holidays and make-up working days and New Year 2027:

1. N = 200,000 `add` calls, random starts over 2026–2027, random durations 1–5,000 minutes;
2. 100,000 resolution due times recomputed (`add`) for random open requests, the SPEC §4
   targets by priority (16, 24 or 40 working hours);
3. the same requests with 0–2 customer-waiting pauses (`due_with_pauses`).

Each timing is the best of three runs; inputs are generated beforehand with a fixed seed.
"""

import os
import platform
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from aftersales.sla.calendar import (
    CHINA_WORKING_HOURS_WEEKLY,
    BusinessClock,
    CalendarSpec,
    due_with_pauses,
)

N_ADD = 200_000
N_REQUESTS = 100_000
REPEAT = 3

CLOSED = [
    *(date(2026, 1, d) for d in (1, 2, 3)),
    *(date(2026, 2, d) for d in range(15, 24)),
    *(date(2026, 4, d) for d in (4, 5, 6)),
    *(date(2026, 5, d) for d in range(1, 6)),
    *(date(2026, 6, d) for d in (19, 20, 21)),
    *(date(2026, 9, d) for d in (25, 26, 27)),
    *(date(2026, 10, d) for d in range(1, 8)),
    date(2027, 1, 1),
]
MAKE_UP = [
    date(2026, 1, 4),
    date(2026, 2, 14),
    date(2026, 2, 28),
    date(2026, 5, 9),
    date(2026, 9, 20),
    date(2026, 10, 10),
]
RESOLUTION_HOURS = {"high": 16, "medium": 24, "low": 40}

SPAN_START = datetime(2026, 1, 1, tzinfo=UTC)
SPAN_SECONDS = int((datetime(2028, 1, 1, tzinfo=UTC) - SPAN_START).total_seconds())


def best_of(runs: int, job) -> float:
    best = float("inf")
    for _ in range(runs):
        began = time.perf_counter()
        job()
        best = min(best, time.perf_counter() - began)
    return best


def main() -> None:
    rng = random.Random(20261001)
    exceptions = dict.fromkeys(CLOSED, ()) | dict.fromkeys(MAKE_UP, CHINA_WORKING_HOURS_WEEKLY[0])
    spec = CalendarSpec("Asia/Shanghai", CHINA_WORKING_HOURS_WEEKLY, exceptions)

    began = time.perf_counter()
    clock = BusinessClock(spec)
    built = time.perf_counter() - began

    def moment() -> datetime:
        return SPAN_START + timedelta(seconds=rng.randrange(SPAN_SECONDS))

    adds = [(moment(), rng.randint(1, 5_000) * 60) for _ in range(N_ADD)]
    requests = [
        (moment(), RESOLUTION_HOURS[rng.choice(list(RESOLUTION_HOURS))] * 3600)
        for _ in range(N_REQUESTS)
    ]
    paused = []
    for received, seconds in requests:
        pauses = []
        for _ in range(rng.choice((0, 1, 2))):
            begin = received + timedelta(minutes=rng.randint(0, 7 * 1440))
            pauses.append((begin, begin + timedelta(minutes=rng.randint(1, 3 * 1440))))
        paused.append((received, seconds, pauses))

    add = clock.add

    def run_adds() -> None:
        for start, seconds in adds:
            add(start, seconds)

    def run_requests() -> None:
        for received, seconds in requests:
            add(received, seconds)

    def run_paused() -> None:
        for received, seconds, pauses in paused:
            due_with_pauses(clock, received, seconds, pauses)

    run_adds()  # warm: the first calls may extend the cache
    t_adds = best_of(REPEAT, run_adds)
    t_requests = best_of(REPEAT, run_requests)
    t_paused = best_of(REPEAT, run_paused)

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"Python {platform.python_version()} on {platform.machine()}, load average {load}")
    print(f"calendar: Asia/Shanghai working hours, {len(exceptions)} exception dates")
    print(f"clock built (12 years cached) in {built * 1000:.1f} ms")
    print(f"add, N={N_ADD:,}, durations 1–5,000 min: {t_adds:.3f} s, {N_ADD / t_adds:,.0f} calls/s")
    print(
        f"recompute {N_REQUESTS:,} resolution due times (add): {t_requests:.3f} s, "
        f"{N_REQUESTS / t_requests:,.0f} due times/s"
    )
    print(
        f"same with 0–2 pauses (due_with_pauses): {t_paused:.3f} s, "
        f"{N_REQUESTS / t_paused:,.0f} due times/s"
    )


if __name__ == "__main__":
    main()
