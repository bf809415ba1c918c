"""No double booking on a real PostgreSQL server (RELIABILITY C04): two dispatchers book the
same technician for overlapping windows at once; the exclusion constraint lets one through
and the other gets a clear conflict."""

import datetime
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from aftersales.core.errors import Conflict
from aftersales.service_requests import services as request_services
from aftersales.service_requests.tests.factories import make_request
from aftersales.visits import services
from aftersales.visits.models import NO_OVERLAP_CONSTRAINT, Visit, VisitTechnician
from aftersales.visits.tests.factories import make_visit_rows

pytestmark = pytest.mark.postgres
H = datetime.timedelta(hours=1)


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
def two_requests(postgres, agent, technician, customer_a, customer_b, team_a):
    requests = []
    for customer in (customer_a, customer_b):
        request = make_request(by=agent, customer=customer, team=team_a)
        requests.append(
            request_services.service_request_act(
                request, "assign", by=agent, data={"assignee": technician}
            )
        )
    return requests


def _start() -> datetime.datetime:
    return (timezone.now() + datetime.timedelta(days=3)).replace(minute=0, second=0, microsecond=0)


def _race(requests, dispatchers, technician, starts):
    barrier = threading.Barrier(len(requests))

    @_in_thread
    def book(request, dispatcher, start):
        barrier.wait()
        try:
            visit = services.visit_book(
                service_request=request,
                technicians=[technician],
                window_start=start,
                window_end=start + 2 * H,
                outside_hours=True,
                by=dispatcher,
            )
        except Conflict as exc:
            return ("conflict", exc)
        return ("ok", visit)

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(book, requests, dispatchers, starts))


def test_two_dispatchers_booking_one_technician_at_once_one_wins(
    two_requests, agent, supervisor, technician
):
    start = _start()
    results = _race(two_requests, [agent, supervisor], technician, [start, start + H])
    assert sorted(kind for kind, _ in results) == ["conflict", "ok"]
    winner = next(value for kind, value in results if kind == "ok")
    conflict = next(value for kind, value in results if kind == "conflict")
    assert technician.display_name in conflict.message
    assert conflict.extra["visit"] == winner.pk
    assert VisitTechnician.objects.filter(technician=technician, active=True).count() == 1
    assert Visit.objects.count() == 1


def test_the_database_refuses_what_the_service_check_let_through(
    two_requests, agent, supervisor, technician, monkeypatch
):
    # Both bookings pass the service's check, as two transactions can on PostgreSQL: the
    # exclusion constraint alone decides, and the loser is told who has the time. Inserts at
    # the same instant sometimes deadlock on each other's check; the rounds make that likely
    # to happen at least once, and it must end the same way.
    monkeypatch.setattr(services, "_check_free", lambda *args, **kwargs: None)
    start = _start()
    for _round in range(10):
        VisitTechnician.objects.all().delete()
        Visit.objects.all().delete()
        results = _race(two_requests, [agent, supervisor], technician, [start, start])
        assert sorted(kind for kind, _ in results) == ["conflict", "ok"]
        winner = next(value for kind, value in results if kind == "ok")
        conflict = next(value for kind, value in results if kind == "conflict")
        assert conflict.extra == {"technician": technician.username, "visit": winner.pk}
        assert conflict.fields["technicians"] == [conflict.message]
        assert VisitTechnician.objects.filter(active=True).count() == 1


def test_the_constraint_allows_touching_and_inactive_bookings_only(two_requests, technician):
    first, second = two_requests
    start = _start()
    make_visit_rows(first, technicians=[technician], window_start=start, window_end=start + 2 * H)
    # Touching: 12:00 ends one, 12:00 starts the next.
    make_visit_rows(
        second, technicians=[technician], window_start=start + 2 * H, window_end=start + 3 * H
    )
    with pytest.raises(IntegrityError, match=NO_OVERLAP_CONSTRAINT), transaction.atomic():
        make_visit_rows(
            second, technicians=[technician], window_start=start + H, window_end=start + 3 * H
        )
    # An ended visit's booking (inactive) no longer takes the time.
    VisitTechnician.objects.filter(window_start=start).update(active=False)
    make_visit_rows(
        second, technicians=[technician], window_start=start + H, window_end=start + 2 * H
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        VisitTechnician.objects.filter(window_start=start).update(active=True)
