"""Races on a real PostgreSQL server: numbers under parallel intake, stale writers."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from aftersales.core.errors import Conflict
from aftersales.service_requests import services
from aftersales.service_requests.models import ServiceRequest
from aftersales.service_requests.tests.factories import make_request

pytestmark = pytest.mark.postgres


@pytest.fixture
def postgres(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL); SQLite serialises writers by itself")


def _in_thread(fn):
    def run(*args):
        try:
            return fn(*args)
        finally:
            connections.close_all()

    return run


def test_fifty_parallel_creations_get_fifty_numbers(postgres, agent, customer_a):
    barrier = threading.Barrier(10)

    @_in_thread
    def create(i):
        if i < 10:
            barrier.wait()
        return make_request(by=agent, customer=customer_a, title=f"并发 {i}").number

    with ThreadPoolExecutor(max_workers=10) as pool:
        numbers = list(pool.map(create, range(50)))
    assert len(set(numbers)) == 50
    assert ServiceRequest.objects.count() == 50
    sequences = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
    assert sequences == list(range(1, 51))


def test_two_stale_writers_one_wins_one_conflicts(postgres, agent, supervisor, customer_a):
    request = make_request(by=agent, customer=customer_a)
    barrier = threading.Barrier(2)

    @_in_thread
    def write(user, title):
        barrier.wait()
        try:
            services.service_request_update(
                request, by=user, data={"title": title}, expected_version=1
            )
        except Conflict:
            return "conflict"
        return "ok"

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = sorted(pool.map(write, [agent, supervisor], ["甲", "乙"]))
    assert results == ["conflict", "ok"]
    request.refresh_from_db()
    assert request.version == 2
    assert request.events.filter(kind="updated").count() == 1


def test_two_agents_assigning_at_once_one_wins(postgres, agent, supervisor, technician, customer_a):
    request = make_request(by=agent, customer=customer_a)
    barrier = threading.Barrier(2)

    @_in_thread
    def assign(user):
        barrier.wait()
        try:
            services.service_request_act(
                request, "assign", by=user, data={"assignee": technician}, expected_version=1
            )
        except Conflict:
            return "conflict"
        return "ok"

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = sorted(pool.map(assign, [agent, supervisor]))
    assert results == ["conflict", "ok"]
    assert request.events.filter(action="assign").count() == 1
