"""The task pages: the queues, a task's page and its actions, for the right people only."""

import pytest
from django.urls import reverse

from aftersales.accounts.models import Team, User
from aftersales.service_requests.tests.factories import make_request
from aftersales.tasks import services


@pytest.fixture
def marketing(db):
    return Team.objects.create(name="市场部", name_en="Marketing", kind=Team.Kind.MARKETING)


@pytest.fixture
def marketer(marketing):
    person = User.objects.create(username="mk1", role=User.Role.DEPARTMENT, first_name="李")
    person.teams.add(marketing)
    return person


@pytest.fixture
def task(agent, customer_a, marketing):
    request = make_request(by=agent, customer=customer_a)
    return services.task_open(
        title="寄送礼品：保温杯", team=marketing, source="test", service_request=request, by=agent
    )


def test_the_department_sees_its_queue_and_finishes_a_task(client, marketer, task):
    client.force_login(marketer)
    page = client.get(reverse("tasks:list"))
    assert page.status_code == 200 and "寄送礼品：保温杯" in page.content.decode()
    detail = client.get(reverse("tasks:detail", args=[task.pk]))
    # A department member sees the request's number, not a link into a request they cannot open.
    assert task.service_request.number in detail.content.decode()
    assert reverse("service_requests:detail", args=[task.service_request.number]) not in (
        detail.content.decode()
    )
    url = reverse("tasks:action", args=[task.pk, "finish"])
    refused = client.post(url, {"outcome": "", "version": task.version})
    assert refused.status_code == 400 and "data-task-error" in refused.content.decode()
    done = client.post(url, {"outcome": "已寄出", "reference": "YT123", "version": task.version})
    assert done.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.reference) == ("done", "YT123")
    stale = client.post(reverse("tasks:action", args=[task.pk, "start"]), {"version": 1})
    assert stale.status_code == 409


def test_others_do_not_find_the_task(client, department, customer_user, task):
    client.force_login(department)  # R&D, not marketing
    assert client.get(reverse("tasks:detail", args=[task.pk])).status_code == 404
    assert "寄送礼品" not in client.get(reverse("tasks:list") + "?view=all").content.decode()
    client.force_login(customer_user)
    assert client.get(reverse("tasks:list")).status_code == 403


def test_an_agent_who_opened_it_may_cancel_it_with_a_reason(client, agent, task):
    client.force_login(agent)
    page = client.get(reverse("tasks:detail", args=[task.pk])).content.decode()
    assert "data-task-manage" in page
    url = reverse("tasks:action", args=[task.pk, "cancel"])
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "客户不要礼品"}).status_code == 302
    task.refresh_from_db()
    assert task.status == "cancelled"


def test_the_request_page_lists_its_tasks_for_staff_only(client, agent, customer_user, task):
    url = reverse("service_requests:detail", args=[task.service_request.number])
    client.force_login(agent)
    assert "data-request-tasks" in client.get(url).content.decode()
    client.force_login(customer_user)
    page = client.get(url)
    assert page.status_code == 200 and "data-request-tasks" not in page.content.decode()


def test_the_api_list_refuses_a_team_id_out_of_range(agent, task):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(agent)
    response = api.get("/api/v1/tasks/", {"team": str(10**30)})
    assert response.status_code == 400 and "team" in response.json()["fields"]
    assert api.get("/api/v1/tasks/", {"team": task.team_id}).json()["count"] == 1
