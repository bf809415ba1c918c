"""The quality pages, for the right people only: records, steps, actions, links, spikes,
usage questions, and the card on the request page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from aftersales.quality import services
from aftersales.quality.models import ProblemRecord
from aftersales.quality.tests.factories import make_batch_requests, make_problem
from aftersales.service_requests.tests.factories import make_request


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def problem(supervisor, qc_team, qc_staff, product):
    return make_problem(by=supervisor, team=qc_team, products=[product], batches="B2601")


def test_a_supervisor_opens_a_record_from_the_form(client, supervisor, qc_team, product):
    client.force_login(supervisor)
    assert client.get(reverse("quality:new")).status_code == 200
    refused = client.post(reverse("quality:new"), {"title": "", "symptom": "x", "team": qc_team.pk})
    assert refused.status_code == 400
    done = client.post(
        reverse("quality:new"),
        {
            "title": "显示屏闪烁",
            "symptom": "开机后屏幕闪烁",
            "team": qc_team.pk,
            "products": [product.pk],
            "batches": "B1\nB2",
        },
    )
    problem = ProblemRecord.objects.get(title="显示屏闪烁")
    assert done.status_code == 302 and done["Location"].endswith(f"/quality/{problem.number}/")
    page = client.get(reverse("quality:list")).content.decode()
    assert problem.number in page and "B1, B2" in page


def test_who_may_open_and_see(
    client, problem, agent, technician, analyst, department, qc_staff, customer_user
):
    url = reverse("quality:detail", args=[problem.number])
    for person in (agent, technician, analyst, qc_staff):
        client.force_login(person)
        assert client.get(url).status_code == 200, person
        assert client.get(reverse("quality:new")).status_code == 403, person
    client.force_login(department)  # R&D, not the owner department
    assert client.get(url).status_code == 404
    assert problem.number not in client.get(reverse("quality:list")).content.decode()
    client.force_login(customer_user)
    assert client.get(url).status_code == 403
    assert client.get(reverse("quality:list")).status_code == 403


def test_the_department_works_its_record(client, problem, qc_staff, supervisor):
    client.force_login(qc_staff)
    step = reverse("quality:step", args=[problem.number, "investigate"])
    assert client.post(step, {"version": problem.version}).status_code == 302
    problem.refresh_from_db()
    assert problem.status == "investigating"
    stale = client.post(step, {"version": 1})
    assert stale.status_code == 409
    cause = client.post(
        reverse("quality:root_cause", args=[problem.number]), {"root_cause": "电容批次不良"}
    )
    assert cause.status_code == 302
    due = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    added = client.post(
        reverse("quality:action_add", args=[problem.number]),
        {"kind": "corrective", "description": "更换供应商", "owner": qc_staff.pk, "due_on": due},
    )
    assert added.status_code == 302
    action = problem.actions.get()
    done = client.post(
        reverse("quality:action_step", args=[problem.number, action.pk, "done"]),
        {"result": "已更换"},
    )
    assert done.status_code == 302
    # Verifying is a supervisor's: the department is refused.
    refused = client.post(reverse("quality:step", args=[problem.number, "act"]))
    assert refused.status_code == 302
    assert client.post(reverse("quality:step", args=[problem.number, "verify"])).status_code == 403
    assert client.get(reverse("quality:edit", args=[problem.number])).status_code == 403
    client.force_login(supervisor)
    assert client.post(reverse("quality:step", args=[problem.number, "verify"])).status_code == 302
    problem.refresh_from_db()
    assert problem.status == "verified"
    page = client.get(reverse("quality:detail", args=[problem.number])).content.decode()
    assert "Action done" in page and "已更换" in page


def test_get_does_not_change_anything(client, problem, supervisor):
    client.force_login(supervisor)
    assert client.get(reverse("quality:step", args=[problem.number, "cancel"])).status_code == 405


def test_an_agent_links_a_request_and_its_page_shows_the_record(client, problem, agent, customer_a):
    request = make_request(by=agent, customer=customer_a)
    client.force_login(agent)
    linked = client.post(
        reverse("quality:link", args=[problem.number, "link"]),
        {"service_request": request.number.lower()},
    )
    assert linked.status_code == 302
    page = client.get(reverse("service_requests:detail", args=[request.number])).content.decode()
    assert "data-request-problems" in page and problem.number in page
    unknown = client.post(
        reverse("quality:link", args=[problem.number, "link"]),
        {"service_request": "SR-19990101-0001"},
    )
    assert unknown.status_code == 400
    # An analyst reads, and may not link.
    assert problem.requests.count() == 1


def test_department_staff_see_the_number_but_not_the_request(
    client, problem, agent, customer_a, qc_staff
):
    request = make_request(by=agent, customer=customer_a, title="客户王先生的空调")
    services.problem_link(problem, request, by=agent)
    client.force_login(qc_staff)
    page = client.get(reverse("quality:detail", args=[problem.number])).content.decode()
    assert request.number in page
    assert "客户王先生的空调" not in page
    assert reverse("service_requests:detail", args=[request.number]) not in page


def test_the_spikes_page_shows_the_evidence_and_opens_a_record(
    client, supervisor, agent, analyst, customer_a, product, qc_team
):
    now = timezone.now()
    make_batch_requests(
        by=agent,
        customer=customer_a,
        product=product,
        batch="B-HOT",
        times=[now - datetime.timedelta(hours=h + 1) for h in range(7)],
    )
    client.force_login(analyst)
    page = client.get(reverse("quality:spikes")).content.decode()
    assert "B-HOT" in page and "data-spike-open" not in page  # analysts read only
    assert (
        client.post(
            reverse("quality:spike_open"), {"product": product.pk, "batch_number": "B-HOT"}
        ).status_code
        == 403
    )
    client.force_login(supervisor)
    page = client.get(reverse("quality:spikes")).content.decode()
    assert "data-spike-open" in page
    opened = client.post(
        reverse("quality:spike_open"), {"product": product.pk, "batch_number": "B-HOT"}
    )
    problem = ProblemRecord.objects.get()
    assert opened.status_code == 302 and problem.requests.count() == 7
    page = client.get(reverse("quality:spikes")).content.decode()
    assert "data-spike-problem" in page and problem.number in page


def test_the_usage_questions_per_model(client, supervisor, agent, technician, customer_a, product):
    for title in ["如何设置定时？", "如何设置定时", "遥控器怎么配对", "如何设置定时?"]:
        make_request(by=agent, customer=customer_a, product=product, category="usage", title=title)
    make_request(by=agent, customer=customer_a, product=product, category="product_quality")
    client.force_login(supervisor)
    page = client.get(reverse("quality:usage")).content.decode()
    assert "如何设置定时？ (3)" in page and "遥控器怎么配对 (1)" in page
    client.force_login(technician)
    assert client.get(reverse("quality:usage")).status_code == 403
