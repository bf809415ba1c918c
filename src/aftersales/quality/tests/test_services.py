"""Problem records: opening, the lifecycle and its rules, actions, links and who may."""

import datetime

import pytest
from django.utils import timezone

from aftersales.core.errors import Conflict, DomainError, InvalidTransition, NotAllowed
from aftersales.notifications.models import Notification
from aftersales.quality import services
from aftersales.quality.models import ProblemEvent, Status
from aftersales.quality.tests.factories import make_batch_requests, make_problem
from aftersales.service_requests.models import ServiceRequestEvent
from aftersales.service_requests.tests.factories import make_request

TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


@pytest.fixture
def problem(supervisor, qc_team, qc_staff, product):
    return make_problem(by=supervisor, team=qc_team, products=[product], batches="B2601, B2602")


def test_opening_numbers_it_records_the_batches_and_tells_the_department(
    problem, qc_staff, product
):
    assert problem.number.startswith("PR-") and problem.status == Status.OPEN
    assert sorted(problem.batches.values_list("batch_number", flat=True)) == ["B2601", "B2602"]
    assert all(b.product == product for b in problem.batches.all())
    assert list(problem.products.all()) == [product]
    assert ProblemEvent.objects.filter(problem=problem, action="opened").exists()
    assert Notification.objects.filter(recipient=qc_staff, url__contains=problem.number).exists()


def test_only_supervisors_and_admins_open_records(agent, department, analyst, qc_team):
    for person in (agent, department, analyst):
        with pytest.raises(NotAllowed):
            make_problem(by=person, team=qc_team)


def test_the_owner_must_be_a_quality_rnd_or_training_department(supervisor, team_a, team_b):
    with pytest.raises(DomainError) as refused:
        make_problem(by=supervisor, team=team_a)
    assert "team" in refused.value.fields
    assert make_problem(by=supervisor, team=team_b).team == team_b  # R&D


def test_bad_input_names_the_field(supervisor, qc_team):
    with pytest.raises(DomainError) as refused:
        make_problem(by=supervisor, team=qc_team, title="  ")
    assert "title" in refused.value.fields
    with pytest.raises(DomainError) as refused:
        make_problem(by=supervisor, team=qc_team, batches=["B\x00"])
    assert "batches" in refused.value.fields


def test_the_lifecycle_needs_a_root_cause_actions_done_and_a_manager_to_verify(
    problem, supervisor, qc_staff
):
    problem = services.problem_transition(problem, "investigate", by=qc_staff)
    with pytest.raises(DomainError) as refused:
        services.problem_transition(problem, "act", by=qc_staff)
    assert "root_cause" in refused.value.fields
    problem = services.problem_update(problem, by=qc_staff, data={"root_cause": "焊点虚焊"})
    with pytest.raises(DomainError) as refused:
        services.problem_transition(problem, "act", by=qc_staff)
    assert "actions" in refused.value.fields
    action = services.problem_action_add(
        problem,
        by=qc_staff,
        data={
            "kind": "corrective",
            "description": "返工该批次焊点",
            "owner": qc_staff,
            "due_on": TOMORROW,
        },
    )
    problem = services.problem_transition(problem, "act", by=qc_staff)
    assert problem.status == Status.ACTIONS
    with pytest.raises(NotAllowed):
        services.problem_transition(problem, "verify", by=qc_staff)
    with pytest.raises(DomainError) as refused:
        services.problem_transition(problem, "verify", by=supervisor)
    assert "actions" in refused.value.fields
    services.problem_action_done(action, by=qc_staff, result="已返工 320 台")
    problem = services.problem_transition(problem, "verify", by=supervisor)
    assert problem.verified_by == supervisor and problem.verified_at is not None
    with pytest.raises(DomainError):
        services.problem_transition(problem, "reopen", by=supervisor)  # needs a reason
    problem = services.problem_transition(problem, "close", by=supervisor)
    assert problem.status == Status.CLOSED and problem.closed_at is not None
    with pytest.raises(InvalidTransition):
        services.problem_transition(problem, "close", by=supervisor)
    actions = list(ProblemEvent.objects.filter(problem=problem).values_list("action", flat=True))
    assert actions == [
        "opened",
        "investigate",
        "updated",
        "action.added",
        "act",
        "action.done",
        "verify",
        "close",
    ]


def test_department_staff_change_only_the_root_cause(problem, qc_staff):
    with pytest.raises(NotAllowed):
        services.problem_update(problem, by=qc_staff, data={"title": "新标题"})


def test_other_departments_cannot_work_it(problem, department):
    with pytest.raises(NotAllowed):
        services.problem_transition(problem, "investigate", by=department)


def test_a_stale_version_is_refused(problem, supervisor):
    with pytest.raises(Conflict):
        services.problem_update(
            problem, by=supervisor, data={"title": "x"}, expected_version=problem.version + 1
        )


def test_cancelling_needs_a_reason(problem, supervisor):
    with pytest.raises(DomainError):
        services.problem_transition(problem, "cancel", by=supervisor, reason=" ")
    problem = services.problem_transition(problem, "cancel", by=supervisor, reason="重复记录")
    assert problem.status == Status.CANCELLED and problem.cancel_reason == "重复记录"


def test_an_action_owner_is_told_and_records_it(problem, supervisor, technician):
    action = services.problem_action_add(
        problem,
        by=supervisor,
        data={
            "kind": "preventive",
            "description": "更新装配作业指导书",
            "owner": technician,
            "due_on": TOMORROW,
        },
    )
    assert Notification.objects.filter(recipient=technician, key=f"problem-action:{action.pk}")
    with pytest.raises(DomainError):
        services.problem_action_done(action, by=technician, result="")
    action = services.problem_action_done(action, by=technician, result="已发布 V2")
    assert action.done_by == technician
    with pytest.raises(InvalidTransition):
        services.problem_action_done(action, by=technician, result="再次")


def test_an_analyst_cannot_own_an_action(problem, supervisor, analyst):
    with pytest.raises(DomainError) as refused:
        services.problem_action_add(
            problem,
            by=supervisor,
            data={"kind": "corrective", "description": "x", "owner": analyst, "due_on": TOMORROW},
        )
    assert "owner" in refused.value.fields


def test_linking_writes_history_on_both_sides(problem, agent, technician, customer_a):
    request = make_request(by=agent, customer=customer_a)
    services.problem_link(problem, request, by=agent)
    assert list(problem.requests.all()) == [request]
    event = ServiceRequestEvent.objects.get(request=request, action="quality.linked")
    assert event.is_internal and problem.number in event.note
    with pytest.raises(DomainError):
        services.problem_link(problem, request, by=agent)  # twice
    # tech1 did not link it and does not work the record: they may not unlink it.
    with pytest.raises(NotAllowed):
        services.problem_unlink(problem, request, by=technician)
    services.problem_unlink(problem, request, by=agent)
    assert not problem.requests.exists()
    assert ServiceRequestEvent.objects.filter(request=request, action="quality.unlinked").exists()


def test_a_request_the_linker_cannot_see_is_not_linked(
    problem, agent, other_technician, customer_a
):
    request = make_request(by=agent, customer=customer_a)
    with pytest.raises(DomainError) as refused:
        services.problem_link(problem, request, by=other_technician)
    assert "service_request" in refused.value.fields


def test_one_click_from_a_spike_links_the_weeks_requests(
    supervisor, agent, customer_a, product, qc_team
):
    now = timezone.now()
    requests = make_batch_requests(
        by=agent,
        customer=customer_a,
        product=product,
        batch="B-SPIKE",
        times=[now - datetime.timedelta(hours=h + 1) for h in range(6)],
    )
    problem = services.problem_open_from_spike(
        by=supervisor, product=product, batch_number="B-SPIKE"
    )
    assert problem.source == "spike" and problem.team == qc_team
    assert set(problem.requests.all()) == set(requests)
    assert list(problem.batches.values_list("batch_number", flat=True)) == ["B-SPIKE"]
    assert "6" in problem.symptom
    with pytest.raises(DomainError):
        services.problem_open_from_spike(by=supervisor, product=product, batch_number="B-QUIET")
