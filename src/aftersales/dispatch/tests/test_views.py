"""Dispatch in the console: take, assign automatically, the task force and the
assignment table page with its export."""

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import Team
from aftersales.service_requests import services
from aftersales.service_requests.models import ServiceRequest
from aftersales.service_requests.tests.factories import make_request

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def client():
    return Client(headers={"accept-language": "en"})


def detail(number):
    return reverse("service_requests:detail", args=[number])


def test_a_technician_takes_an_unassigned_request_of_the_team(
    client, agent, technician, customer_a, team_a
):
    request = make_request(by=agent, customer=customer_a, team=team_a)
    client.force_login(technician)
    page = client.get(detail(request.number)).content.decode()
    assert 'data-action="take"' in page
    response = client.post(
        reverse("service_requests:act", args=[request.number, "take"]),
        {"version": request.version},
        **HTMX,
    )
    assert response.status_code == 200 and "Take it: done." in response.content.decode()
    assert ServiceRequest.objects.get(pk=request.pk).assignee == technician
    assert "data-assignments" in response.content.decode()


def test_assign_automatically_from_the_request_page(client, agent, technician, customer_a, team_a):
    request = make_request(by=agent, customer=customer_a, team=team_a)
    client.force_login(agent)
    assert 'data-action="auto-assign"' in client.get(detail(request.number)).content.decode()
    url = reverse("dispatch:auto_assign", args=[request.number])
    stale = client.post(url, {"version": request.version + 5}, **HTMX)
    assert stale.status_code == 409 and "reload" in stale.content.decode().lower()
    done = client.post(url, {"version": request.version})
    assert done.status_code == 302
    assert ServiceRequest.objects.get(pk=request.pk).assignee == technician


def test_assign_automatically_shows_why_it_cannot(client, agent, customer_a):
    request = make_request(by=agent, customer=customer_a)
    client.force_login(agent)
    response = client.post(
        reverse("dispatch:auto_assign", args=[request.number]),
        {"version": request.version},
        **HTMX,
    )
    assert response.status_code == 400 and "No team to choose from" in response.content.decode()
    assert response["HX-Retarget"] == "#auto-assign-errors"


def test_technicians_are_not_offered_auto_assign(client, agent, technician, customer_a, team_a):
    request = make_request(by=agent, customer=customer_a, team=team_a)
    client.force_login(technician)
    assert 'data-action="auto-assign"' not in client.get(detail(request.number)).content.decode()
    response = client.post(reverse("dispatch:auto_assign", args=[request.number]), **HTMX)
    assert response.status_code == 403


def test_task_force_on_the_page(client, agent, technician, other_technician, customer_a, team_a):
    request = make_request(by=agent, customer=customer_a, team=team_a)
    services.service_request_act(request, "assign", by=agent, data={"assignee": technician})
    client.force_login(technician)
    page = client.get(detail(request.number)).content.decode()
    assert 'id="task-force-user"' in page and 'value="tech2"' in page
    add = reverse("service_requests:participant_add", args=[request.number])
    response = client.post(add, {"username": "tech2"}, **HTMX)
    assert response.status_code == 200 and "data-task-force" in response.content.decode()
    again = client.post(add, {"username": "tech2"}, **HTMX)
    assert again.status_code == 409 and again["HX-Retarget"] == "#task-force-errors"
    nobody = client.post(add, {"username": ""}, **HTMX)
    assert nobody.status_code == 400
    helper = Client(headers={"accept-language": "en"})
    helper.force_login(other_technician)
    assert helper.get(detail(request.number)).status_code == 200
    remove = reverse("service_requests:participant_remove", args=[request.number])
    assert client.post(remove, {"username": "tech2"}).status_code == 302
    assert helper.get(detail(request.number)).status_code == 404


def test_assignment_table_page_filters_and_exports(
    client, agent, technician, supervisor, customer_a, team_a
):
    team_a.assignment_strategy = Team.Strategy.ROUND_ROBIN
    team_a.save()
    first = make_request(by=agent, customer=customer_a, team=team_a)
    make_request(by=agent, customer=customer_a, team=team_a)
    client.force_login(supervisor)
    page = client.get(reverse("service_requests:assignments"), {"number": first.number})
    body = page.content.decode()
    assert page.status_code == 200 and first.number in body and "Round robin" in body
    assert body.count("<tr>") == 2  # the header and one line
    bad = client.get(reverse("service_requests:assignments"), {"assigned_from": "not a date"})
    assert bad.status_code == 400 and "Some filters are not valid." in bad.content.decode()
    export = client.get(reverse("service_requests:assignments_export"), {"assignee": "tech1"})
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    assert export["Content-Disposition"].startswith("attachment") and text.count("\n") == 3


def test_the_assignment_table_in_chinese_and_not_for_customers(
    agent, customer_user, customer_a, team_a, technician
):
    request = make_request(by=agent, customer=customer_a, team=team_a)
    services.service_request_act(request, "assign", by=agent, data={"assignee": technician})
    chinese = Client(headers={"accept-language": "zh-hans"})
    chinese.force_login(agent)
    body = chinese.get(reverse("service_requests:assignments")).content.decode()
    assert "任务分配表" in body
    customer = Client()
    customer.force_login(customer_user)
    assert customer.get(reverse("service_requests:assignments")).status_code == 403
    assert customer.get(reverse("service_requests:assignments_export")).status_code == 403
    assert "data-assignments" not in customer.get(detail(request.number)).content.decode()
