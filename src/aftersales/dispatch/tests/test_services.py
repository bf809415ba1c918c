"""Routing at intake, automatic assignment by each strategy, taking, the assignment table
and the task force — through the real services."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from aftersales.accounts.models import Team, User
from aftersales.catalog.models import Product
from aftersales.core.errors import Conflict, DomainError, NotAllowed
from aftersales.dispatch import services
from aftersales.dispatch.models import RoutingRule, TechnicianProfile
from aftersales.service_requests import access, assignments
from aftersales.service_requests import services as requests
from aftersales.service_requests.models import Assignment, ServiceRequest
from aftersales.service_requests.tests.factories import make_request

Strategy = Team.Strategy


def staff(username, role=User.Role.TECHNICIAN, teams=()):
    user = User.objects.create(username=username, role=role, first_name=username)
    user.teams.set(teams)
    return user


@pytest.fixture
def qc(db):
    return Team.objects.create(name="质检部", name_en="Quality control", kind=Team.Kind.QUALITY)


@pytest.fixture
def quality_rule(qc):
    return RoutingRule.objects.create(
        name="产品质量 → 质检", order=10, categories=["product_quality"], team=qc
    )


def test_a_new_request_goes_to_the_team_of_the_first_matching_rule(
    agent, customer_a, qc, quality_rule, team_b
):
    RoutingRule.objects.create(name="兜底", order=100, team=team_b)
    request = make_request(by=agent, customer=customer_a, category="product_quality")
    assert request.team == qc and request.assignee is None and request.status == "new"
    routed = request.events.get(kind="updated")
    assert routed.actor is None and "产品质量 → 质检" in routed.note
    other = make_request(by=agent, customer=customer_a, category="usage")
    assert other.team == team_b


def test_rules_read_product_line_and_region(agent, customer_a, qc, team_b):
    customer_a.region = "上海"
    customer_a.save()
    product = Product.objects.create(model="KFR-35", name="空调", category="空调")
    RoutingRule.objects.create(
        name="上海空调", order=1, product_lines=["空调"], regions=["上海"], team=qc
    )
    assert make_request(by=agent, customer=customer_a, product=product).team == qc
    assert make_request(by=agent, customer=customer_a).team is None  # no product line


def test_inactive_rules_and_no_match_leave_the_request_for_a_dispatcher(agent, customer_a, qc):
    RoutingRule.objects.create(name="停用", is_active=False, team=qc)
    request = make_request(by=agent, customer=customer_a)
    assert request.team is None and not request.events.filter(kind="updated").exists()


def test_a_team_chosen_at_intake_is_kept(agent, customer_a, quality_rule, team_b):
    request = make_request(by=agent, customer=customer_a, category="product_quality", team=team_b)
    assert request.team == team_b


def test_round_robin_hands_out_in_turn_and_records_the_table(agent, customer_a, qc, quality_rule):
    qc.assignment_strategy = Strategy.ROUND_ROBIN
    qc.save()
    people = [staff(f"qc-tech{i}", teams=[qc]) for i in range(3)]
    staff("qc-lead", role=User.Role.SUPERVISOR, teams=[qc])  # supervisors are not handed work
    got = [
        make_request(by=agent, customer=customer_a, category="product_quality").assignee
        for _ in range(4)
    ]
    assert got == [*people, people[0]]
    line = Assignment.objects.filter(assignee=people[1]).get()
    assert line.method == "round_robin" and line.assigned_by is None and line.team == qc
    assert line.due_at == line.request.resolution_due_at and line.ended_at is None


def test_least_open_and_capacity(agent, customer_a, qc, quality_rule):
    qc.assignment_strategy = Strategy.LEAST_OPEN
    qc.save()
    busy, free, full = (staff(n, teams=[qc]) for n in ("busy", "free", "full"))
    for _ in range(2):
        requests.service_request_act(
            make_request(by=agent, customer=customer_a), "assign", by=agent, data={"assignee": busy}
        )
    TechnicianProfile.objects.create(user=full, capacity=0)
    assert make_request(by=agent, customer=customer_a, category="product_quality").assignee == free
    assert make_request(by=agent, customer=customer_a, category="product_quality").assignee == free
    # free has 2 now, as busy: the lower id wins the tie.
    assert make_request(by=agent, customer=customer_a, category="product_quality").assignee == busy


def test_skill_match_prefers_the_category_and_product_line(agent, customer_a, qc, quality_rule):
    qc.assignment_strategy = Strategy.SKILL_MATCH
    qc.save()
    staff("generalist", teams=[qc])
    specialist = staff("specialist", teams=[qc])
    TechnicianProfile.objects.create(user=specialist, skills=["product_quality"])
    on_leave = staff("expert", teams=[qc])
    TechnicianProfile.objects.create(
        user=on_leave, skills=["product_quality"], product_lines=["空调"], available=False
    )
    request = make_request(by=agent, customer=customer_a, category="product_quality")
    assert request.assignee == specialist


def test_nobody_with_room_leaves_the_request_routed_but_unassigned(
    agent, customer_a, qc, quality_rule
):
    qc.assignment_strategy = Strategy.LEAST_OPEN
    qc.save()
    request = make_request(by=agent, customer=customer_a, category="product_quality")
    assert request.team == qc and request.assignee is None and request.status == "new"
    with pytest.raises(DomainError) as caught:
        services.service_request_auto_assign(request, by=agent)
    assert "assignee" in caught.value.fields


def test_auto_assign_by_a_dispatcher_and_who_may(agent, technician, customer_a, team_a):
    request = make_request(by=agent, customer=customer_a, team=team_a)
    with pytest.raises(NotAllowed):
        services.service_request_auto_assign(request, by=technician)
    done = services.service_request_auto_assign(request, by=agent)
    assert done.assignee == technician and done.status == "assigned"
    line = done.assignments.get()
    assert line.assigned_by == agent and line.method == "least_open"  # manual team: least loaded


def test_auto_assign_without_team_or_rule_names_the_team(agent, customer_a):
    request = make_request(by=agent, customer=customer_a)
    with pytest.raises(DomainError) as caught:
        services.service_request_auto_assign(request, by=agent)
    assert "team" in caught.value.fields


def test_reassignment_ends_the_previous_line(agent, technician, supervisor, customer_a, team_a):
    request = make_request(by=agent, customer=customer_a, team=team_a)
    request = requests.service_request_act(
        request, "assign", by=agent, data={"assignee": technician, "note": "熟悉该型号"}
    )
    request = requests.service_request_act(
        request, "assign", by=agent, data={"assignee": supervisor, "note": "需要主管处理"}
    )
    first, second = request.assignments.all()
    assert (first.assignee, first.reason, first.assigned_by) == (technician, "熟悉该型号", agent)
    assert first.ended_at == second.assigned_at and second.ended_at is None


def test_take_an_unassigned_request(agent, technician, other_technician, customer_a, team_a):
    request = make_request(by=agent, customer=customer_a, team=team_a)
    with pytest.raises(NotAllowed):  # not their team's
        requests.service_request_act(request, "take", by=other_technician)
    taken = requests.service_request_act(request, "take", by=technician)
    assert taken.assignee == technician and taken.status == "assigned" and taken.team == team_a
    assert taken.assignments.get().method == "take"
    with pytest.raises(Conflict) as caught:
        requests.service_request_act(request, "take", by=agent)
    assert caught.value.extra["assignee"] == technician.username


def test_two_people_taking_at_once_one_wins(transactional_db, agent, customer_a, team_a):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL); SQLite serialises writers by itself")
    takers = [staff(f"taker{i}", teams=[team_a]) for i in range(4)]
    request = make_request(by=agent, customer=customer_a, team=team_a)
    barrier = threading.Barrier(len(takers))

    def take(user):
        try:
            barrier.wait()
            requests.service_request_act(ServiceRequest.objects.get(pk=request.pk), "take", by=user)
            return "took"
        except Conflict:
            return "told"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(takers)) as pool:
        outcomes = sorted(pool.map(take, takers))
    assert outcomes == ["told", "told", "told", "took"]
    request.refresh_from_db()
    assert request.assignee in takers and request.assignments.count() == 1


def test_task_force_members_see_and_work_the_request(
    agent, technician, other_technician, customer_a, team_a
):
    request = make_request(by=agent, customer=customer_a, team=team_a)
    request = requests.service_request_act(
        request, "assign", by=agent, data={"assignee": technician}
    )
    assert not access.can_view(other_technician, request)
    with pytest.raises(NotAllowed):  # only dispatchers and the owner form the task force
        assignments.participant_add(request, user=technician, by=other_technician)
    assignments.participant_add(request, user=other_technician, by=technician)
    with pytest.raises(Conflict):
        assignments.participant_add(request, user=other_technician, by=technician)
    assert access.can_view(other_technician, request)
    assert list(access.visible_to(other_technician)) == [request]
    requests.comment_add(request, by=other_technician, body="研发已复现", internal=True)
    assignments.participant_remove(request, user=other_technician, by=agent)
    fresh = User.objects.get(pk=other_technician.pk)
    assert not access.can_view(fresh, request)


def test_a_request_with_several_members_is_listed_once(agent, technician, customer_a, team_a):
    request = make_request(by=agent, customer=customer_a, team=team_a)
    for name in ("m1", "m2", "m3"):
        assignments.participant_add(request, user=staff(name), by=agent)
    assert access.visible_to(technician).filter(pk=request.pk).count() == 1


def test_the_owner_cannot_be_added_and_customers_cannot_join(
    agent, technician, customer_user, customer_a, team_a
):
    request = make_request(by=agent, customer=customer_a, team=team_a)
    request = requests.service_request_act(
        request, "assign", by=agent, data={"assignee": technician}
    )
    for user in (technician, customer_user):
        with pytest.raises(DomainError):
            assignments.participant_add(request, user=user, by=agent)
