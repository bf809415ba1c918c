"""The SLA sweep: warnings to the owner, breaches to the supervisor, each once."""

import datetime
import threading
import zoneinfo
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from aftersales.notifications.models import Notification
from aftersales.service_requests import services
from aftersales.service_requests.sla_sweep import sla_sweep
from aftersales.service_requests.tests.factories import make_request

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def local(*args):
    return datetime.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def urgent(agent, technician, supervisor, team_a, customer_a, time_machine):
    team_a.supervisor = supervisor
    team_a.save()
    time_machine.move_to(local(2026, 11, 2, 10, 0), tick=False)
    request = make_request(
        by=agent, customer=customer_a, impact="high", urgency="high"
    )  # 1 h / 24 h
    return services.service_request_act(request, "assign", by=agent, data={"assignee": technician})


def test_warning_then_breach_each_once(urgent, technician, supervisor, time_machine):
    time_machine.move_to(local(2026, 11, 2, 10, 30), tick=False)
    assert sla_sweep() == 0
    time_machine.move_to(local(2026, 11, 2, 10, 46), tick=False)
    assert sla_sweep() == 1
    assert sla_sweep() == 0  # a second sweep finds nothing new
    assert urgent.events.filter(kind="sla.warning").count() == 1
    assert Notification.objects.filter(recipient=technician).count() == 1
    time_machine.move_to(local(2026, 11, 2, 11, 1), tick=False)
    assert sla_sweep() == 1
    breach = urgent.events.get(kind="sla.breached")
    assert breach.actor is None and breach.changes["target"] == "first_response"
    assert Notification.objects.filter(recipient=supervisor).count() == 1
    assert sla_sweep() == 0


def test_a_sweep_after_an_outage_announces_everything_missed_once(urgent, time_machine):
    time_machine.move_to(local(2026, 11, 4, 9, 0), tick=False)  # both targets long past
    assert sla_sweep() == 4  # first response and resolution: warning and breach
    assert sla_sweep() == 0
    assert urgent.events.filter(kind__startswith="sla.").count() == 4


def test_answered_requests_are_not_announced(urgent, agent, time_machine):
    services.comment_add(urgent, by=agent, body="已联系客户", internal=False)
    time_machine.move_to(local(2026, 11, 2, 12, 0), tick=False)
    assert sla_sweep() == 0


def test_waiting_for_the_customer_holds_the_resolution_announcements(
    urgent, technician, time_machine
):
    services.service_request_act(urgent, "start", by=technician)
    services.comment_add(urgent, by=technician, body="请提供照片", internal=False)
    services.service_request_act(urgent, "wait-customer", by=technician, data={"note": "等照片"})
    time_machine.move_to(local(2026, 11, 3, 12, 0), tick=False)
    assert sla_sweep() == 0


def test_a_later_deadline_can_be_announced_again(urgent, agent, time_machine):
    time_machine.move_to(local(2026, 11, 2, 10, 50), tick=False)
    assert sla_sweep() == 1  # first response at risk
    urgent.refresh_from_db()
    services.service_request_update(
        urgent, by=agent, data={"urgency": "low"}, expected_version=urgent.version
    )
    urgent.refresh_from_db()
    assert urgent.first_response_warned_at is None  # the new deadline is still ahead
    assert sla_sweep() == 0


def test_two_workers_sweeping_at_once_announce_once(
    transactional_db, agent, customer_a, time_machine
):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")
    time_machine.move_to(local(2026, 11, 2, 10, 0), tick=False)
    for _ in range(5):
        make_request(by=agent, customer=customer_a, impact="high", urgency="high")
    time_machine.move_to(local(2026, 11, 2, 10, 50), tick=False)
    barrier = threading.Barrier(2)

    def sweep(_):
        try:
            barrier.wait()
            return sla_sweep()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        counts = list(pool.map(sweep, range(2)))
    assert sum(counts) == 5


def test_announcements_appear_in_the_history(urgent, agent, time_machine, client):
    time_machine.move_to(local(2026, 11, 2, 10, 50), tick=False)
    sla_sweep()
    client.force_login(agent)
    page = client.get(f"/{urgent.number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "SLA target at risk" in page and "First response" in page
