"""Escalation rules applied by the SLA sweep on a breach: priority one step up, reassignment."""

import datetime
import threading
import zoneinfo
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from aftersales.accounts.models import User
from aftersales.notifications.models import Notification
from aftersales.service_requests import services
from aftersales.service_requests.escalation import service_request_escalate
from aftersales.service_requests.models import ServiceRequest, ServiceRequestEvent
from aftersales.service_requests.sla_sweep import sla_sweep
from aftersales.service_requests.tests.factories import make_request, move_to
from aftersales.sla.models import EscalationRule

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
UPDATED = ServiceRequestEvent.Kind.UPDATED


def local(*args):
    return datetime.datetime(*args, tzinfo=SHANGHAI)


def rule(name="超时升级", *, teams=(), **fields):
    escalation = EscalationRule.objects.create(name=name, **fields)
    escalation.teams.set(teams)
    return escalation


def escalations(request):
    return request.events.filter(kind=UPDATED, actor=None, note__contains="超时升级")


@pytest.fixture
def led_team(team_a, supervisor):
    team_a.supervisor = supervisor
    team_a.save()
    return team_a


@pytest.fixture
def monday(time_machine):
    time_machine.move_to(local(2026, 11, 2, 10, 0), tick=False)
    return time_machine


@pytest.fixture
def medium(agent, technician, led_team, customer_a, monday):
    """Received Monday 10:00, medium: first response in 8 service hours (18:00), resolution
    in 24 working hours (Thursday 10:00)."""
    request = make_request(by=agent, customer=customer_a)
    return services.service_request_act(request, "assign", by=agent, data={"assignee": technician})


@pytest.fixture
def urgent(agent, technician, led_team, customer_a, monday):
    """Received Monday 10:00, urgent: first response due 11:00, around the clock."""
    request = make_request(by=agent, customer=customer_a, impact="high", urgency="high")
    return services.service_request_act(request, "assign", by=agent, data={"assignee": technician})


def test_a_breach_raises_the_priority_and_recomputes_the_due_times(medium, monday):
    rule(targets=["first_response"], raise_priority=True)
    assert medium.resolution_due_at == local(2026, 11, 5, 10, 0)
    version = medium.version
    monday.move_to(local(2026, 11, 2, 18, 1), tick=False)
    assert sla_sweep() == 2  # first response: at risk, then missed
    medium.refresh_from_db()
    assert (medium.priority, medium.escalated_priority) == ("high", "high")
    # High: 4 service hours (Monday 14:00) and 16 working hours (Wednesday 10:00).
    assert medium.first_response_due_at == local(2026, 11, 2, 14, 0)
    assert medium.resolution_due_at == local(2026, 11, 4, 10, 0)
    assert medium.version > version
    event = escalations(medium).get()
    assert event.changes == {"priority": ["medium", "high"]}
    assert "超时升级" in event.note  # the rule's name
    assert event.is_internal
    assert medium.events.filter(kind="sla.breached").count() == 1


def test_a_later_reclassification_does_not_undo_an_escalation(medium, agent, monday):
    rule(raise_priority=True)
    monday.move_to(local(2026, 11, 2, 18, 1), tick=False)
    sla_sweep()
    medium.refresh_from_db()
    assert medium.priority == "high"
    medium = services.service_request_update(
        medium, by=agent, data={"urgency": "low"}, expected_version=medium.version
    )
    assert medium.priority == "high"  # the matrix says low; the escalation is the floor
    assert medium.resolution_due_at == local(2026, 11, 4, 10, 0)
    medium = services.service_request_update(
        medium,
        by=agent,
        data={"impact": "high", "urgency": "high"},
        expected_version=medium.version,
    )
    assert medium.priority == "urgent"  # a floor, not a ceiling


def test_an_escalated_breach_is_not_announced_again_under_the_tighter_policy(
    agent, led_team, customer_a, monday
):
    high = make_request(by=agent, customer=customer_a, impact="high", urgency="medium")
    assert high.resolution_due_at == local(2026, 11, 4, 10, 0)  # 16 working hours
    rule(targets=["resolution"], raise_priority=True)
    monday.move_to(local(2026, 11, 4, 10, 1), tick=False)
    assert sla_sweep() == 4
    high.refresh_from_db()
    assert high.priority == "urgent"
    # Urgent: resolution within 24 hours around the clock, i.e. Tuesday 10:00, long past; the
    # announcement of this breach stands for the tighter deadline too.
    assert high.resolution_due_at == local(2026, 11, 3, 10, 0)
    assert high.resolution_breached_at is not None
    monday.move_to(local(2026, 11, 4, 10, 2), tick=False)
    assert sla_sweep() == 0
    assert high.events.filter(kind="sla.breached", changes__target="resolution").count() == 1
    assert escalations(high).count() == 1


def test_escalation_stops_at_urgent(urgent, monday):
    rule(raise_priority=True)
    monday.move_to(local(2026, 11, 3, 12, 0), tick=False)  # both targets missed
    assert sla_sweep() == 4
    urgent.refresh_from_db()
    assert (urgent.priority, urgent.escalated_priority) == ("urgent", "")
    assert not escalations(urgent).exists()


def test_a_rule_fires_once_per_breach(medium, monday):
    rule(targets=["first_response"], raise_priority=True)
    monday.move_to(local(2026, 11, 2, 18, 1), tick=False)
    sla_sweep()
    monday.move_to(local(2026, 11, 2, 18, 30), tick=False)
    assert sla_sweep() == 0
    medium.refresh_from_db()
    assert medium.priority == "high"  # one step, not two
    assert escalations(medium).count() == 1


def test_reassigning_to_the_supervisor_from_in_progress_goes_through_assign(
    urgent, technician, supervisor, monday
):
    urgent = services.service_request_act(urgent, "start", by=technician)
    rule(reassign="supervisor")
    monday.move_to(local(2026, 11, 2, 11, 1), tick=False)
    assert sla_sweep() == 2
    urgent.refresh_from_db()
    assert (urgent.status, urgent.assignee, urgent.team) == ("assigned", supervisor, urgent.team)
    assign = urgent.events.filter(kind="status_changed", action="assign").last()
    assert assign.actor is None and assign.from_status == "in_progress"
    assert escalations(urgent).get().changes == {"assignee": ["tech1", "lead1"]}
    told = Notification.objects.get(recipient=supervisor, key__startswith="escalated:")
    due = urgent.first_response_due_at
    assert due == local(2026, 11, 2, 11, 0)
    assert told.key == f"escalated:{urgent.pk}:first_response:{due.isoformat()}"
    assert told.url == f"/{urgent.number}/" and told.body == urgent.title


def test_reassigning_a_scheduled_request_keeps_its_status(
    agent, technician, supervisor, led_team, customer_a, monday
):
    request = make_request(by=agent, customer=customer_a, impact="high", urgency="high")
    request = move_to(request, "scheduled", by=agent, assignee=technician)
    version = request.version
    rule(reassign="supervisor")
    monday.move_to(local(2026, 11, 2, 11, 1), tick=False)
    sla_sweep()
    request.refresh_from_db()
    assert (request.status, request.assignee) == ("scheduled", supervisor)
    assert request.version > version
    assert not request.events.filter(kind="status_changed", actor=None).exists()
    assert escalations(request).get().changes == {"assignee": ["tech1", "lead1"]}


def test_reassigning_to_another_team_hands_it_to_that_teams_supervisor(
    urgent, technician, team_a, team_b, monday
):
    lead2 = User.objects.create(username="lead2", role=User.Role.SUPERVISOR)
    team_b.supervisor = lead2
    team_b.save()
    urgent = services.service_request_act(urgent, "start", by=technician)
    rule(reassign="team", reassign_team=team_b)
    monday.move_to(local(2026, 11, 2, 11, 1), tick=False)
    sla_sweep()
    urgent.refresh_from_db()
    assert (urgent.status, urgent.team, urgent.assignee) == ("assigned", team_b, lead2)
    assert escalations(urgent).get().changes == {
        "team": [team_a.pk, team_b.pk],
        "assignee": ["tech1", "lead2"],
    }
    assert Notification.objects.filter(recipient=lead2, key__startswith="escalated:").count() == 1


@pytest.mark.parametrize(
    ("status", "keeps_assignee"), [("in_progress", False), ("assigned", True), ("scheduled", False)]
)
def test_a_team_without_supervisor_gets_the_request_but_nobody_is_assigned(
    status, keeps_assignee, urgent, agent, technician, team_a, team_b, monday
):
    urgent = (
        move_to(urgent, status, by=agent, assignee=technician) if status != "assigned" else urgent
    )
    rule(reassign="team", reassign_team=team_b)
    monday.move_to(local(2026, 11, 2, 11, 1), tick=False)
    sla_sweep()
    urgent.refresh_from_db()
    assert (urgent.status, urgent.team) == (status, team_b)
    assert urgent.assignee == (technician if keeps_assignee else None)
    expected = {"team": [team_a.pk, team_b.pk]}
    if not keeps_assignee:
        expected["assignee"] = ["tech1", None]
    assert escalations(urgent).get().changes == expected


def test_without_a_matching_rule_nothing_changes(urgent, monday):
    rule(kinds=["complaint"], raise_priority=True, reassign="supervisor")
    rule("停用的规则", is_active=False, raise_priority=True)
    before = ServiceRequest.objects.values().get(pk=urgent.pk)
    monday.move_to(local(2026, 11, 2, 11, 1), tick=False)
    assert sla_sweep() == 2
    after = ServiceRequest.objects.values().get(pk=urgent.pk)
    changed = {k for k in before if before[k] != after[k]}
    assert changed == {"first_response_warned_at", "first_response_breached_at"}
    assert not urgent.events.filter(kind=UPDATED).exists()


def test_the_first_matching_rule_by_order_is_the_one_applied(urgent, technician, monday):
    urgent = services.service_request_act(urgent, "start", by=technician)
    rule("后", order=20, reassign="supervisor")
    first = rule(
        "先", order=10, targets=["first_response"], priorities=["urgent"], raise_priority=True
    )
    rule("不匹配", order=1, targets=["resolution"], reassign="supervisor")
    applied = service_request_escalate(
        urgent, target="first_response", due_at=urgent.first_response_due_at
    )
    assert applied == first
    urgent.refresh_from_db()
    assert (urgent.status, urgent.assignee) == ("in_progress", technician)  # not reassigned


def test_warnings_do_not_escalate(urgent, monday):
    rule(raise_priority=True, reassign="supervisor")
    monday.move_to(local(2026, 11, 2, 10, 50), tick=False)
    assert sla_sweep() == 1  # first response at risk only
    assert not urgent.events.filter(kind=UPDATED).exists()


def test_customers_do_not_see_the_escalation(urgent, customer_user, supervisor, monday, client):
    rule(reassign="supervisor")
    monday.move_to(local(2026, 11, 2, 11, 1), tick=False)
    sla_sweep()
    client.force_login(customer_user)
    events = client.get(f"/api/v1/service-requests/{urgent.number}/events/").json()
    assert not [e for e in events if "超时升级" in e["note"]]
    client.force_login(supervisor)
    page = client.get(f"/{urgent.number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "超时升级" in page


def test_a_team_condition_matches_the_current_team(urgent, team_a, team_b):
    rule("B 组", order=1, teams=[team_b], raise_priority=True)
    for_a = rule("A 组", order=2, teams=[team_a, team_b], reassign="supervisor")
    due = urgent.first_response_due_at
    assert service_request_escalate(urgent, target="first_response", due_at=due) == for_a


def test_a_request_done_in_the_meantime_is_not_escalated(urgent, agent, technician):
    rule(raise_priority=True, reassign="supervisor")
    done = move_to(urgent, "resolved", by=agent, assignee=technician)
    due = done.first_response_due_at
    assert service_request_escalate(urgent, target="first_response", due_at=due) is None
    after = ServiceRequest.objects.get(pk=urgent.pk)
    assert (after.assignee, after.version) == (technician, done.version)


def test_two_workers_sweeping_at_once_escalate_once(
    transactional_db, agent, supervisor, team_a, customer_a, time_machine
):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")
    team_a.supervisor = supervisor
    team_a.save()
    time_machine.move_to(local(2026, 11, 2, 10, 0), tick=False)
    requests = [
        make_request(by=agent, customer=customer_a, team=team_a, impact="high", urgency="medium")
        for _ in range(3)
    ]
    rule(targets=["first_response"], raise_priority=True, reassign="supervisor")
    time_machine.move_to(local(2026, 11, 2, 14, 1), tick=False)  # high: 4 service hours
    barrier = threading.Barrier(2)

    def sweep(_):
        try:
            barrier.wait()
            return sla_sweep()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(sweep, range(2)))
    for request in requests:
        request.refresh_from_db()
        assert (request.priority, request.status, request.assignee) == (
            "urgent",
            "assigned",
            supervisor,
        )
        assert escalations(request).count() == 1
    assert Notification.objects.filter(key__startswith="escalated:").count() == 3
