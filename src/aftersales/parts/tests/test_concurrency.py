"""Races on a real PostgreSQL server: many hands on the same shelf at once."""

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections, transaction
from django.db.models import Sum

from aftersales.core.errors import Conflict, DomainError
from aftersales.parts import services
from aftersales.parts.models import StockLevel, StockMovement, StockReservation
from aftersales.parts.tests.factories import make_part, make_van, make_warehouse, stocked
from aftersales.service_requests import services as request_services
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


@pytest.fixture
def world(postgres, agent, technician, customer_a, team_a):
    request = make_request(by=agent, customer=customer_a, team=team_a)
    request = request_services.service_request_act(
        request, "assign", by=agent, data={"assignee": technician}
    )
    return {
        "request": request,
        "part": make_part(part_number="CAP-35UF"),
        "central": make_warehouse(code="WH-CENTRAL"),
        "van": make_van(technician),
    }


def _ledger_matches(warehouse, part) -> None:
    level = StockLevel.objects.get(warehouse=warehouse, part=part)
    sums = StockMovement.objects.filter(warehouse=warehouse, part=part).aggregate(
        on_hand=Sum("on_hand_change"), reserved=Sum("reserved_change")
    )
    assert (sums["on_hand"], sums["reserved"]) == (level.on_hand, level.reserved)
    assert 0 <= level.reserved <= level.on_hand


def test_twenty_technicians_taking_the_last_ten_units(world, technician):
    van, part, request = world["van"], world["part"], world["request"]
    stocked(van, part, 10)
    barrier = threading.Barrier(20)

    @_in_thread
    def take(_i):
        barrier.wait()
        try:
            services.stock_consume_direct(
                warehouse=van, part=part, quantity=1, service_request=request, by=technician
            )
        except DomainError as exc:
            return f"refused: {', '.join(exc.fields)}"
        return "ok"

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(take, range(20)))
    assert results.count("ok") == 10
    assert results.count("refused: quantity") == 10
    assert StockLevel.objects.get(warehouse=van, part=part).on_hand == 0
    assert StockMovement.objects.filter(kind="consumption").count() == 10
    _ledger_matches(van, part)


def test_parallel_reservations_never_exceed_what_is_on_hand(world, agent, technician, supervisor):
    central, part, request = world["central"], world["part"], world["request"]
    stocked(central, part, 10)
    barrier = threading.Barrier(20)
    rng = random.Random(7)
    asks = [rng.randint(1, 3) for _ in range(20)]
    people = [agent, technician, supervisor]

    @_in_thread
    def reserve(i):
        barrier.wait()
        try:
            services.stock_reserve(
                warehouse=central,
                part=part,
                quantity=asks[i],
                service_request=request,
                by=people[i % 3],
            )
        except DomainError:
            return 0
        return asks[i]

    with ThreadPoolExecutor(max_workers=20) as pool:
        granted = sum(pool.map(reserve, range(20)))
    level = StockLevel.objects.get(warehouse=central, part=part)
    held = StockReservation.objects.filter(status="active").aggregate(total=Sum("quantity"))
    assert level.reserved == granted == held["total"]
    assert 10 - min(asks) < granted <= 10  # it stops only when the smallest ask no longer fits
    _ledger_matches(central, part)


def test_first_receipts_at_once_share_one_level(world, supervisor):
    central, part = world["central"], world["part"]
    barrier = threading.Barrier(10)

    @_in_thread
    def receive(_i):
        barrier.wait()
        services.stock_receive(warehouse=central, part=part, quantity=1, by=supervisor)

    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(receive, range(10)))
    assert StockLevel.objects.filter(warehouse=central, part=part).count() == 1
    assert StockLevel.objects.get(warehouse=central, part=part).on_hand == 10
    _ledger_matches(central, part)


def test_transfers_in_both_directions_at_once_do_not_deadlock(world, supervisor):
    central, van, part = world["central"], world["van"], world["part"]
    stocked(central, part, 50)
    stocked(van, part, 50)
    barrier = threading.Barrier(16)

    @_in_thread
    def transfer(i):
        barrier.wait()
        source, destination = (central, van) if i % 2 else (van, central)
        services.stock_transfer(
            source=source, destination=destination, part=part, quantity=3, by=supervisor
        )

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(transfer, range(16)))  # a deadlock would raise here
    on_hand = sum(StockLevel.objects.filter(part=part).values_list("on_hand", flat=True))
    assert on_hand == 100
    _ledger_matches(central, part)
    _ledger_matches(van, part)


def test_one_reservation_used_or_released_once(world, agent, technician):
    central, part, request = world["central"], world["part"], world["request"]
    stocked(central, part, 5)
    reservation = services.stock_reserve(
        warehouse=central, part=part, quantity=2, service_request=request, by=agent
    )
    barrier = threading.Barrier(6)

    @_in_thread
    def close(i):
        barrier.wait()
        try:
            if i % 2:
                services.stock_consume(reservation, by=technician)
            else:
                services.stock_release(reservation, by=agent)
        except Conflict:
            return "conflict"
        return "ok"

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(close, range(6)))
    assert results.count("ok") == 1
    level = StockLevel.objects.get(warehouse=central, part=part)
    assert level.reserved == 0
    assert level.on_hand in (3, 5)
    _ledger_matches(central, part)


def _wait_until_someone_waits_for_a_lock(timeout: float = 10.0) -> None:
    """Block until another connection of this database is waiting for a row lock."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            # Statistics are a snapshot per transaction unless cleared.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the other transaction never waited for a lock")


def test_a_request_locked_by_its_lifecycle_and_a_reservation_for_it_do_not_deadlock(
    world, agent, technician
):
    """A later approval locks the request (as every transition does), then reserves parts;
    meanwhile a technician reserves the same part for the same request. Each must wait for
    the other in one order only."""
    central, part, request = world["central"], world["part"], world["request"]
    stocked(central, part, 5)
    locked = threading.Event()

    @_in_thread
    def approve():
        with transaction.atomic():
            ServiceRequest.objects.select_for_update().get(pk=request.pk)
            locked.set()
            _wait_until_someone_waits_for_a_lock()
            services.stock_reserve(
                warehouse=central, part=part, quantity=1, service_request=request, by=agent
            )
        return "ok"

    @_in_thread
    def reserve():
        locked.wait()
        services.stock_reserve(
            warehouse=central, part=part, quantity=1, service_request=request, by=technician
        )
        return "ok"

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = [pool.submit(approve), pool.submit(reserve)]
        assert [r.result(timeout=30) for r in results] == ["ok", "ok"]
    assert StockLevel.objects.get(warehouse=central, part=part).reserved == 2
    _ledger_matches(central, part)
