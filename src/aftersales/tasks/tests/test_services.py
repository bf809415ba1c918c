"""Internal tasks: who sees and works them, their progress, and what the history says."""

import pytest
from django.urls import reverse

from aftersales.accounts.models import Team, User
from aftersales.core.errors import Conflict, DomainError, InvalidTransition, NotAllowed
from aftersales.notifications.models import Notification
from aftersales.service_requests.models import ServiceRequestEvent
from aftersales.service_requests.tests.factories import make_request
from aftersales.tasks import access, selectors, services, signals
from aftersales.tasks.models import Task


@pytest.fixture
def warehouse(db):
    team = Team.objects.create(name="仓库", name_en="Warehouse", kind=Team.Kind.WAREHOUSE)
    boss = User.objects.create(username="wh-lead", role=User.Role.SUPERVISOR)
    boss.teams.add(team)
    team.supervisor = boss
    team.save()
    return team


@pytest.fixture
def clerk(warehouse):
    person = User.objects.create(username="wh1", role=User.Role.DEPARTMENT, first_name="王")
    person.teams.add(warehouse)
    return person


@pytest.fixture
def task(agent, customer_a, warehouse):
    request = make_request(by=agent, customer=customer_a)
    return services.task_open(
        title="寄送补偿产品：滤网 ×2",
        description="收件地址：上海市浦东新区…",
        team=warehouse,
        source="test",
        source_id=7,
        service_request=request,
        by=agent,
    )


def test_opening_a_task_writes_history_and_tells_the_supervisor(task, warehouse):
    assert task.status == "open" and task.version == 1
    line = ServiceRequestEvent.objects.filter(request=task.service_request).latest("id")
    assert line.action == "task.opened" and line.is_internal
    note = Notification.objects.get(recipient=warehouse.supervisor)
    assert note.url == reverse("tasks:detail", args=[task.pk])


def test_a_task_needs_a_title_and_an_assignee_from_its_team(warehouse, agent, technician):
    with pytest.raises(DomainError) as caught:
        services.task_open(title="  ", team=warehouse, source="test", by=agent)
    assert "title" in caught.value.fields
    with pytest.raises(DomainError) as caught:
        services.task_open(
            title="寄送", team=warehouse, source="test", by=agent, assignee=technician
        )
    assert "assignee" in caught.value.fields
    assert not Task.objects.exists()


def test_department_staff_see_only_their_departments_tasks(
    task, clerk, department, agent, technician, analyst, customer_user
):
    assert access.can_view(clerk, task)
    assert not access.can_view(department, task)  # another department (R&D)
    assert access.can_view(agent, task)  # agents see every request, so its tasks
    assert access.can_view(analyst, task)
    assert not access.can_view(customer_user, task)
    # A technician of another team sees neither the request nor its task.
    assert not access.can_view(technician, task)


def test_a_member_takes_starts_and_finishes_with_a_reference(task, clerk):
    finished = []
    signals.task_finished.connect(lambda sender, task, **kw: finished.append(task.pk), weak=False)
    task = services.task_assign(task, assignee=clerk, by=clerk)
    task = services.task_start(task, by=clerk)
    assert task.status == "in_progress" and task.started_at is not None
    with pytest.raises(DomainError) as caught:
        services.task_finish(task, by=clerk, data={"outcome": ""})
    assert "outcome" in caught.value.fields
    task = services.task_finish(
        task, by=clerk, data={"outcome": "已发顺丰", "reference": "SF1234567890"}
    )
    assert (task.status, task.reference, task.finished_by) == ("done", "SF1234567890", clerk)
    assert task.pk in finished
    with pytest.raises(InvalidTransition):
        services.task_cancel(task, by=None, reason="不需要了")
    actions = list(
        ServiceRequestEvent.objects.filter(request=task.service_request)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions[-4:] == ["task.opened", "task.assigned", "task.started", "task.done"]


def test_only_the_supervisor_or_opener_cancels_and_with_a_reason(task, clerk, agent):
    with pytest.raises(NotAllowed):
        services.task_cancel(task, by=clerk, reason="不想做")
    with pytest.raises(DomainError):
        services.task_cancel(task, by=agent, reason=" ")
    task = services.task_cancel(task, by=agent, reason="客户撤回投诉")
    assert task.status == "cancelled" and task.outcome == "客户撤回投诉"


def test_a_stale_version_is_refused(task, clerk):
    services.task_start(task, by=clerk, expected_version=1)
    with pytest.raises(Conflict):
        services.task_finish(task, by=clerk, data={"outcome": "x"}, expected_version=1)


def test_outsiders_cannot_work_it(task, department, technician):
    for person in (department, technician):
        with pytest.raises(NotAllowed):
            services.task_start(task, by=person)


def test_the_queues(task, clerk, warehouse):
    assert list(selectors.task_list(clerk, view="mine")) == [task]
    assert list(selectors.task_list(warehouse.supervisor, view="team")) == [task]
    assert list(selectors.task_list(clerk, view="done")) == []
    services.task_finish(task, by=clerk, data={"outcome": "done"})
    assert list(selectors.task_list(clerk, view="mine")) == []
    assert list(selectors.task_list(clerk, view="done")) == [task]
