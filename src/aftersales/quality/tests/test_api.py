"""The problem-records API: the whole path through it, and its refusals."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from aftersales.quality.tests.factories import make_batch_requests
from aftersales.service_requests.tests.factories import make_request


def _client(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


@pytest.fixture
def request_r(agent, customer_a, product):
    return make_request(by=agent, customer=customer_a, product=product, batch_number="B7")


def test_the_whole_path(supervisor, qc_staff, qc_team, agent, product, request_r):
    lead = _client(supervisor)
    created = lead.post(
        "/api/v1/problem-records/",
        {
            "title": "外机漏水",
            "symptom": "运行两小时后外机漏水",
            "team": qc_team.pk,
            "products": [product.pk],
            "batches": ["B7"],
            "requests": [request_r.number],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    number = body["number"]
    assert body["batches"] == ["B7"] and body["products"] == [
        {"id": product.pk, "model": product.model}
    ]
    assert body["requests"][0]["service_request"] == request_r.number
    # Department staff see the request's number, not its title.
    qc = _client(qc_staff)
    seen = qc.get(f"/api/v1/problem-records/{number}/").json()
    assert seen["requests"][0]["title"] is None
    assert seen["next_steps"] == ["investigate"]
    assert (
        qc.post(
            f"/api/v1/problem-records/{number}/transition/",
            {"action": "investigate"},
            format="json",
        ).status_code
        == 200
    )
    assert (
        qc.patch(
            f"/api/v1/problem-records/{number}/", {"root_cause": "排水管卡扣松动"}, format="json"
        ).status_code
        == 200
    )
    refused = qc.patch(f"/api/v1/problem-records/{number}/", {"title": "x"}, format="json")
    assert refused.status_code == 403
    added = qc.post(
        f"/api/v1/problem-records/{number}/actions/",
        {"kind": "corrective", "description": "更换卡扣", "owner": "qc9", "due_on": "2030-01-01"},
        format="json",
    )
    assert added.status_code == 201
    action_id = added.json()["actions"][0]["id"]
    moved = qc.post(
        f"/api/v1/problem-records/{number}/transition/", {"action": "act"}, format="json"
    )
    assert moved.json()["status"] == "actions"
    early = lead.post(
        f"/api/v1/problem-records/{number}/transition/", {"action": "verify"}, format="json"
    )
    assert early.status_code == 400 and "actions" in early.json()["fields"]
    done = qc.post(
        f"/api/v1/problem-records/{number}/actions/{action_id}/done/",
        {"result": "已更换"},
        format="json",
    )
    assert done.status_code == 200
    stale = lead.post(
        f"/api/v1/problem-records/{number}/transition/",
        {"action": "verify", "version": 1},
        format="json",
    )
    assert stale.status_code == 409
    verified = lead.post(
        f"/api/v1/problem-records/{number}/transition/", {"action": "verify"}, format="json"
    )
    assert verified.json()["status"] == "verified"
    listed = lead.get("/api/v1/problem-records/", {"batch": "B7", "status": "verified"}).json()
    assert [r["number"] for r in listed["results"]] == [number]
    assert (
        lead.get("/api/v1/problem-records/", {"service_request": request_r.number}).json()["count"]
        == 1
    )
    assert lead.get("/api/v1/problem-records/", {"active": "false"}).json()["count"] == 0


def test_bad_input_is_400_naming_the_field(supervisor, qc_team, team_a):
    lead = _client(supervisor)
    for payload, field in [
        ({"title": "x", "symptom": "y", "team": 2**62}, "team"),
        ({"title": "x\x00", "symptom": "y", "team": qc_team.pk}, "title"),
        ({"title": "x", "symptom": "y", "team": team_a.pk}, "team"),
        (
            {"title": "x", "symptom": "y", "team": qc_team.pk, "requests": ["SR-1"]},
            "service_request",
        ),
        ({"title": "x", "symptom": "y", "team": qc_team.pk, "colour": "red"}, "colour"),
    ]:
        answer = lead.post("/api/v1/problem-records/", payload, format="json")
        assert answer.status_code == 400, (payload, answer.content)
        assert field in str(answer.json()), (payload, answer.json())
    assert lead.get("/api/v1/problem-records/", {"team": 2**62}).status_code == 400
    assert lead.get("/api/v1/problem-records/PR-19990101-0001/").status_code == 404


def test_spikes_through_the_api(supervisor, agent, customer_a, product):
    now = timezone.now()
    make_batch_requests(
        by=agent,
        customer=customer_a,
        product=product,
        batch="B-API",
        times=[now - datetime.timedelta(hours=h + 1) for h in range(5)],
    )
    rows = _client(supervisor).get("/api/v1/problem-records/spikes/").json()
    assert [(r["product_model"], r["batch_number"], r["count"]) for r in rows] == [
        (product.model, "B-API", 5)
    ]
    assert len(rows[0]["requests"]) == 5 and rows[0]["problem_record"] is None
    assert _client(agent).get("/api/v1/problem-records/spikes/").status_code == 403
