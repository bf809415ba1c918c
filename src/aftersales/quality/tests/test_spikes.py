"""The spike statistic: a Poisson upper-tail test of a batch's count this week against its
own base rate (docs/quality.md), on synthetic data with a known spike and with noise."""

import datetime
import math
import os
import random
import subprocess
import sys

import pytest
from django.utils import timezone

from aftersales.catalog.models import Unit
from aftersales.quality import spikes
from aftersales.quality.tests.factories import make_batch_requests


def _poisson(rng: random.Random, mu: float) -> int:
    """A Poisson draw by Knuth's method (small mu)."""
    limit, k, p = math.exp(-mu), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def test_poisson_tail_matches_the_textbook_values():
    assert spikes.poisson_sf(0, 3.0) == 1.0
    assert spikes.poisson_sf(1, 2.0) == pytest.approx(1 - math.exp(-2))
    # P(X >= 10 | mu = 2) = 1 - sum_{k<10} e^-2 2^k / k!
    exact = 1 - sum(math.exp(-2) * 2**k / math.factorial(k) for k in range(10))
    assert spikes.poisson_sf(10, 2.0) == pytest.approx(exact, rel=1e-9)
    # Large counts and means do not overflow, and the tail is monotone in the count.
    assert 0 < spikes.poisson_sf(1300, 1000.0) < spikes.poisson_sf(1100, 1000.0) < 0.01
    assert spikes.poisson_sf(900, 1000.0) > 0.99


def test_a_known_spike_is_flagged():
    # One request a week for eight weeks, then ten in a week.
    verdict = spikes.evaluate(10, 8)
    assert verdict.flagged
    assert verdict.expected == pytest.approx(1.0)
    assert verdict.p_value < 1e-6


def test_small_counts_are_not_flagged_however_unlikely():
    # Four requests for a batch that never had one: unlikely, but too few to call a spike.
    verdict = spikes.evaluate(4, 0)
    assert verdict.p_value < 0.01
    assert not verdict.flagged
    # The floor on the base rate: a young batch without history needs a clear excess.
    assert not spikes.evaluate(5, 0, spikes.configured(min_base_rate=2.0)).flagged


def test_a_busy_batch_at_its_usual_rate_is_not_flagged():
    # Twenty a week for eight weeks, twenty-six this week: within its noise.
    assert not spikes.evaluate(26, 160).flagged
    # Twice its rate is a spike.
    assert spikes.evaluate(40, 160).flagged


def test_pure_noise_across_many_batches_gives_almost_no_flags():
    """500 batches at rates from 0.2 to 6 a week, nine weeks of Poisson noise each: with
    alpha 0.001 and the minimum count, at most about one false flag is expected."""
    rng = random.Random(20261122)
    flags = 0
    for _batch in range(500):
        rate = rng.uniform(0.2, 6.0)
        baseline = sum(_poisson(rng, rate) for _week in range(8))
        this_week = _poisson(rng, rate)
        flags += spikes.evaluate(this_week, baseline).flagged
    assert flags <= 2


def test_the_same_noise_with_a_spike_added_finds_it():
    rng = random.Random(7)
    found = []
    for batch in range(200):
        rate = rng.uniform(0.5, 3.0)
        baseline = sum(_poisson(rng, rate) for _week in range(8))
        this_week = _poisson(rng, rate) + (4 * round(rate) + 8 if batch == 137 else 0)
        if spikes.evaluate(this_week, baseline).flagged:
            found.append(batch)
    assert 137 in found
    assert len(found) <= 2


@pytest.mark.django_db
def test_spikes_detect_reads_the_database(agent, customer_a, product):
    now = timezone.now()
    week = datetime.timedelta(weeks=1)
    # Batch B1: one a week for eight weeks, then six this week (a spike).
    make_batch_requests(
        by=agent,
        customer=customer_a,
        product=product,
        batch="B1",
        times=[now - week * (w + 1) - datetime.timedelta(days=1) for w in range(8)]
        + [now - datetime.timedelta(hours=h + 1) for h in range(6)],
    )
    # Batch B2: two a week all along (no spike).
    make_batch_requests(
        by=agent,
        customer=customer_a,
        product=product,
        batch="B2",
        times=[now - week * (w + 1) - datetime.timedelta(days=d) for w in range(8) for d in (1, 3)]
        + [now - datetime.timedelta(days=2), now - datetime.timedelta(days=4)],
    )
    # Usage questions about B3 are not the product failing, however many.
    make_batch_requests(
        by=agent,
        customer=customer_a,
        product=product,
        batch="B3",
        times=[now - datetime.timedelta(hours=h + 1) for h in range(7)],
        category="usage",
    )
    for n in range(40):
        Unit.objects.create(product=product, serial_number=f"SN-B1-{n}", batch_number="B1")

    flagged = spikes.spikes_detect(now=now)
    assert [(b.product_model, b.batch_number) for b in flagged] == [("KFR-35GW", "B1")]
    b1 = flagged[0]
    assert (b1.count, b1.baseline_count, b1.units) == (6, 8, 40)
    assert b1.expected == pytest.approx(1.0)
    assert b1.per_100_units == pytest.approx(15.0)
    assert len(b1.request_ids) == 6

    every = spikes.spikes_detect(now=now, include_all=True)
    assert {b.batch_number: b.flagged for b in every} == {"B1": True, "B2": False}
    # A week later the spike is history: nothing new this week.
    assert spikes.spikes_detect(now=now + datetime.timedelta(days=8)) == []


@pytest.mark.django_db
def test_the_daily_task_tells_quality_supervisors_once_a_week(
    agent, supervisor, customer_a, product, qc_team
):
    from aftersales.notifications.models import Notification
    from aftersales.quality import services, tasks

    qc_team.supervisor = supervisor
    qc_team.save()
    now = timezone.now()
    make_batch_requests(
        by=agent,
        customer=customer_a,
        product=product,
        batch="B-DAILY",
        times=[now - datetime.timedelta(hours=h + 1) for h in range(6)],
    )
    assert tasks.spikes_notify_task.apply().get() == 1
    note = Notification.objects.get(recipient=supervisor)
    assert "B-DAILY" in note.title and note.url == "/quality/spikes/"
    assert services.spikes_notify() == 0  # the same week: told once
    # Covered by a record: no more news about it.
    services.problem_open_from_spike(by=supervisor, product=product, batch_number="B-DAILY")
    Notification.objects.all().delete()
    assert services.spikes_notify() == 0


@pytest.mark.django_db
def test_the_spike_settings_change_what_is_flagged(settings, agent, customer_a, product):
    now = timezone.now()
    week = datetime.timedelta(weeks=1)
    # Batch B1: five a week from three to eight weeks ago, none in the last two weeks, then
    # six this week.
    make_batch_requests(
        by=agent,
        customer=customer_a,
        product=product,
        batch="B1",
        times=[
            now - week * (w + 1) - datetime.timedelta(days=1, hours=h)
            for w in range(2, 8)
            for h in range(5)
        ]
        + [now - datetime.timedelta(hours=h + 1) for h in range(6)],
    )
    settings.SPIKE_MIN_REQUESTS, settings.SPIKE_P_VALUE, settings.SPIKE_BASE_WEEKS = 5, 0.001, 8
    # Against eight weeks (3.75 a week) six is ordinary.
    assert spikes.spikes_detect(now=now) == []
    # Against the two quiet weeks (the floor of 0.5 a week) six is a spike.
    settings.SPIKE_BASE_WEEKS = 2
    (b1,) = spikes.spikes_detect(now=now)
    assert (b1.batch_number, b1.baseline_weeks, b1.baseline_count) == ("B1", 2, 0)
    # ... unless more requests are needed, or a smaller p-value.
    settings.SPIKE_MIN_REQUESTS = 7
    assert spikes.spikes_detect(now=now) == []
    settings.SPIKE_MIN_REQUESTS = 5
    settings.SPIKE_P_VALUE = b1.p_value / 2
    assert spikes.spikes_detect(now=now) == []
    assert not spikes.evaluate(6, 0).flagged
    settings.SPIKE_P_VALUE = b1.p_value * 2
    assert spikes.evaluate(6, 0).flagged


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("AFTERSALES_SPIKE_MIN_REQUESTS", "0"),
        ("AFTERSALES_SPIKE_MIN_REQUESTS", "five"),
        ("AFTERSALES_SPIKE_P_VALUE", "1.5"),
        ("AFTERSALES_SPIKE_P_VALUE", "nan"),
        ("AFTERSALES_SPIKE_BASE_WEEKS", "0"),
    ],
)
def test_a_bad_spike_setting_stops_the_start_naming_it(tmp_path, name, value):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "aftersales.config.settings",
        "AFTERSALES_DATA_DIR": str(tmp_path),
        "AFTERSALES_SECRET_KEY": "x" * 50,
        name: value,
    }
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr
    assert name in done.stderr
