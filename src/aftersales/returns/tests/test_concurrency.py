"""Races on a real PostgreSQL server: RMA numbers under parallel authorisation, two people
deciding on one request, two recording the same step."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.utils import translation

from aftersales.core.errors import Conflict, InvalidTransition
from aftersales.returns import services
from aftersales.returns.models import ReturnAuthorisation
from aftersales.returns.tests.factories import make_rma_request, make_unit

pytestmark = pytest.mark.postgres


@pytest.fixture
def postgres(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL); SQLite serialises writers by itself")


def _in_thread(fn):
    def run(*args):
        try:
            with translation.override("en"):
                return fn(*args)
        finally:
            connections.close_all()

    return run


def test_parallel_authorisations_get_distinct_numbers(postgres, agent, customer_a):
    requests = [
        make_rma_request(by=agent, unit=make_unit(customer=customer_a, serial=f"SN-P{i}"))
        for i in range(30)
    ]
    barrier = threading.Barrier(10)

    @_in_thread
    def authorise(i):
        if i < 10:
            barrier.wait()
        return services.rma_authorise(requests[i], by=agent, decision="refund").number

    with ThreadPoolExecutor(max_workers=10) as pool:
        numbers = list(pool.map(authorise, range(30)))
    assert len(set(numbers)) == 30
    assert sorted(int(n.rsplit("-", 1)[1]) for n in numbers) == list(range(1, 31))
    assert ReturnAuthorisation.objects.count() == 30


def test_two_decisions_on_one_request_one_wins(postgres, agent, supervisor, customer_a):
    sr = make_rma_request(by=agent, unit=make_unit(customer=customer_a, serial="SN-RACE"))
    barrier = threading.Barrier(2)

    @_in_thread
    def decide(user, decision):
        barrier.wait()
        try:
            return services.rma_authorise(sr, by=user, decision=decision).number
        except Conflict as exc:
            return exc

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(decide, [agent, supervisor], ["refund", "replacement"]))
    won = [r for r in results if isinstance(r, str)]
    lost = [r for r in results if isinstance(r, Conflict)]
    assert len(won) == 1 and len(lost) == 1
    assert ReturnAuthorisation.objects.filter(request=sr).count() == 1


def test_the_same_step_twice_at_once_is_recorded_once(postgres, agent, supervisor, customer_a):
    sr = make_rma_request(by=agent, unit=make_unit(customer=customer_a, serial="SN-TWICE"))
    rma = services.rma_authorise(sr, by=agent, decision="refund")
    barrier = threading.Barrier(2)

    @_in_thread
    def receive(user):
        barrier.wait()
        try:
            return services.rma_receive(rma, by=user).status
        except InvalidTransition as exc:
            return exc

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(receive, [agent, supervisor]))
    assert sorted(map(type, results), key=str) == sorted([str, InvalidTransition], key=str)
    assert ReturnAuthorisation.objects.get().version == 2
