"""Spike detection (issue 7, SPEC §2.9): which product model and batch fails clearly above
its own rate this week. `docs/quality.md` explains the statistic.

For every (product model, batch) with fault requests in the window (the `window_days`
before `now`, 7), the count `c` in the window is compared with the batch's own base rate
over the `baseline_weeks` before the window (settings.SPIKE_BASE_WEEKS, 8 by default):

    r  = max(baseline count / baseline_weeks, min_base_rate)       requests per week
    mu = r × window_days / 7                                       expected in the window
    p  = P(X ≥ c) for X ~ Poisson(mu)                              upper tail

and the batch is flagged when `c ≥ min_count` (settings.SPIKE_MIN_REQUESTS, 5 by default)
and `p < alpha` (settings.SPIKE_P_VALUE, 0.001 by default). The floor
`min_base_rate` (0.5 a week) keeps a young batch without history from being flagged on a
handful of requests, and `min_count` keeps small counts out whatever their p-value.

Fault requests: every request with a product and a batch number, except cancelled ones,
installations, maintenance and consultations, and the categories usage, consultation and
service quality (those are not the product failing). The batch is the request's batch
number (taken from the sold unit at intake).

`poisson_sf` and `evaluate` are pure; `spikes_detect` and `spike_for_batch` read the database.
"""

import datetime
import math
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from aftersales.catalog.models import Product, Unit
from aftersales.service_requests.models import ServiceRequest


@dataclass(frozen=True)
class Params:
    baseline_weeks: int
    min_count: int
    alpha: float
    window_days: int = 7
    min_base_rate: float = 0.5


def configured(**overrides: Any) -> Params:
    """The parameters the settings give now (read at call time, so a change of settings
    applies to the next detection), with `overrides`."""
    values: dict[str, Any] = {
        "baseline_weeks": settings.SPIKE_BASE_WEEKS,
        "min_count": settings.SPIKE_MIN_REQUESTS,
        "alpha": settings.SPIKE_P_VALUE,
        **overrides,
    }
    return Params(**values)


NOT_FAULT_KINDS = ("installation", "maintenance", "consultation")
NOT_FAULT_CATEGORIES = ("usage", "consultation", "service_quality")


def poisson_sf(count: int, mu: float) -> float:
    """P(X ≥ count) for X ~ Poisson(mu), summed from `count` upwards in log space (accurate
    for the small tails that matter here, and for large counts without overflow)."""
    if count <= 0:
        return 1.0
    if mu <= 0:
        return 0.0
    log_term = -mu + count * math.log(mu) - math.lgamma(count + 1)
    term = math.exp(log_term)
    total = term
    k = count
    # Terms fall once k > mu; stop when they no longer change the sum.
    while k < count + 10_000:
        k += 1
        term *= mu / k
        total += term
        if k > mu and term < total * 1e-16:
            break
    return min(1.0, total)


@dataclass(frozen=True)
class Verdict:
    expected: float
    p_value: float
    flagged: bool


def evaluate(count: int, baseline_count: int, params: Params | None = None) -> Verdict:
    """The test for one batch: `count` requests in the window, `baseline_count` in the
    baseline weeks before it (under the configured parameters unless `params` are given)."""
    params = params or configured()
    weekly = max(baseline_count / params.baseline_weeks, params.min_base_rate)
    expected = weekly * params.window_days / 7
    p_value = poisson_sf(count, expected)
    return Verdict(expected, p_value, count >= params.min_count and p_value < params.alpha)


@dataclass(frozen=True)
class BatchRate:
    product_id: int
    product_model: str
    batch_number: str
    count: int
    baseline_count: int
    expected: float
    p_value: float
    flagged: bool
    units: int
    window_start: datetime.datetime
    window_end: datetime.datetime
    window_days: int
    baseline_weeks: int
    request_ids: tuple[int, ...] = field(default=())

    @property
    def ratio(self) -> float:
        """How many times the expected count the window saw."""
        return self.count / self.expected if self.expected else math.inf

    @property
    def weekly_base_rate(self) -> float:
        return self.baseline_count / self.baseline_weeks

    @property
    def per_100_units(self) -> float | None:
        """Requests in the window per 100 units of the batch the catalogue knows as sold."""
        return 100 * self.count / self.units if self.units else None


def fault_requests():  # type: ignore[no-untyped-def]
    return (
        ServiceRequest.objects.filter(product__isnull=False)
        .exclude(batch_number="")
        .exclude(status=ServiceRequest.Status.CANCELLED)
        .exclude(kind__in=NOT_FAULT_KINDS)
        .exclude(category__in=NOT_FAULT_CATEGORIES)
    )


def spikes_detect(
    *,
    now: datetime.datetime | None = None,
    params: Params | None = None,
    include_all: bool = False,
    product: Product | None = None,
    batch_number: str | None = None,
) -> list[BatchRate]:
    """The flagged batches (every batch with requests in the window when `include_all`),
    most significant first, with the evidence: counts, expected count, p-value, units sold
    and the ids of the window's requests."""
    params = params or configured()
    window_end = now or timezone.now()
    window_start = window_end - datetime.timedelta(days=params.window_days)
    baseline_start = window_start - datetime.timedelta(weeks=params.baseline_weeks)
    rows = fault_requests().filter(received_at__gte=baseline_start, received_at__lt=window_end)
    if product is not None:
        rows = rows.filter(product=product)
    if batch_number is not None:
        rows = rows.filter(batch_number=batch_number)
    counted = (
        rows.values("product_id", "product__model", "batch_number")
        .annotate(
            count=Count("id", filter=Q(received_at__gte=window_start)),
            baseline=Count("id", filter=Q(received_at__lt=window_start)),
        )
        .filter(count__gt=0)
        .order_by()
    )
    if not include_all:
        counted = counted.filter(count__gte=params.min_count)
    verdicts = []
    for row in counted:
        verdict = evaluate(row["count"], row["baseline"], params)
        if verdict.flagged or include_all:
            verdicts.append((row, verdict))
    if not verdicts:
        return []
    pairs = Q()
    for row, _verdict in verdicts:
        pairs |= Q(product_id=row["product_id"], batch_number=row["batch_number"])
    units = {
        (u["product_id"], u["batch_number"]): u["n"]
        for u in Unit.objects.filter(pairs)
        .values("product_id", "batch_number")
        .annotate(n=Count("id"))
        .order_by()
    }
    requests: dict[tuple[int, str], list[int]] = {}
    flagged_pairs = Q(pk__in=[])
    for row, verdict in verdicts:
        if verdict.flagged:
            flagged_pairs |= Q(product_id=row["product_id"], batch_number=row["batch_number"])
    for pk, product_id, batch in (
        rows.filter(flagged_pairs, received_at__gte=window_start)
        .order_by("received_at", "id")
        .values_list("pk", "product_id", "batch_number")
    ):
        requests.setdefault((product_id, batch), []).append(pk)
    found = [
        BatchRate(
            product_id=row["product_id"],
            product_model=row["product__model"],
            batch_number=row["batch_number"],
            count=row["count"],
            baseline_count=row["baseline"],
            expected=verdict.expected,
            p_value=verdict.p_value,
            flagged=verdict.flagged,
            units=units.get((row["product_id"], row["batch_number"]), 0),
            window_start=window_start,
            window_end=window_end,
            window_days=params.window_days,
            baseline_weeks=params.baseline_weeks,
            request_ids=tuple(requests.get((row["product_id"], row["batch_number"]), ())),
        )
        for row, verdict in verdicts
    ]
    found.sort(key=lambda b: (not b.flagged, b.p_value, -b.count, b.product_model, b.batch_number))
    return found


def spike_for_batch(
    *, product: Product, batch_number: str, now: datetime.datetime | None = None
) -> BatchRate | None:
    """The evidence for one batch now (flagged or not), or None without requests this week."""
    found = spikes_detect(now=now, include_all=True, product=product, batch_number=batch_number)
    return found[0] if found else None
