"""The plan API: the whole path through JSON, what customers see, errors naming the field."""

import pytest
from rest_framework.test import APIClient

from aftersales.repairs.models import SolutionPlan
from aftersales.service_requests.models import ServiceRequest

P = SolutionPlan.Status


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def plan_json(part, central):
    return {
        "summary": "更换压缩机",
        "estimated_minutes": 120,
        "steps": ["回收冷媒", "更换压缩机", "抽真空加冷媒"],
        "people": ["tech1"],
        "tools": "真空泵",
        "needs_visit": True,
        "parts": [{"part": part.pk, "warehouse": central.pk, "quantity": 1}],
        "fee_lines": [
            {"kind": "parts", "description": "压缩机", "quantity": "1", "unit_price": "420.00"},
            {"kind": "labour", "description": "人工", "quantity": "2.5", "unit_price": "60.00"},
        ],
    }


def test_the_whole_path_through_the_api(
    sr, technician, supervisor, agent, customer_user, plan_json, stock
):
    base = f"/api/v1/service-requests/{sr.number}"
    assert api(technician).get(f"{base}/diagnosis/").status_code == 404
    diagnosis = {
        "cause": "压缩机卡缸",
        "severity": "critical",
        "handling": "on_site",
        "expected_minutes": 120,
    }
    response = api(technician).put(f"{base}/diagnosis/", diagnosis, format="json")
    assert response.status_code == 200 and response.json()["version"] == 1
    assert api(technician).get(f"{base}/diagnosis/").json()["cause"] == "压缩机卡缸"

    response = api(technician).post(f"{base}/plans/", plan_json, format="json")
    assert response.status_code == 201, response.json()
    plan = response.json()
    assert plan["total"] == "570.00" and plan["currency"] == "CNY"
    assert [line["amount"] for line in plan["fee_lines"]] == ["420.00", "150.00"]
    assert plan["people"] == ["tech1"] and plan["status"] == "draft"

    response = api(technician).post(f"/api/v1/plans/{plan['id']}/submit/", {}, format="json")
    assert response.json()["status"] == "pending_approval"
    assert response.json()["approval_reasons"][0]["condition"] == "total_above"
    queue = api(supervisor).get("/api/v1/approvals/pending/").json()
    assert [p["id"] for p in queue["results"]] == [plan["id"]]

    response = api(supervisor).post(
        f"/api/v1/plans/{plan['id']}/approve/", {"comment": "同意"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "pending_consent"
    assert response.json()["parts"][0]["reservation_status"] == "active"
    sr.refresh_from_db()
    assert sr.status == ServiceRequest.Status.PENDING_CUSTOMER

    seen = api(customer_user).get(f"{base}/plans/").json()
    assert len(seen) == 1 and seen[0]["total"] == "570.00"
    for internal in ("people", "parts", "decision_comment", "approval_reasons", "tools"):
        assert internal not in seen[0]
    assert api(customer_user).get(f"{base}/diagnosis/").status_code == 403
    # The customer answers on the portal, never through staff's consent route.
    refused = api(customer_user).post(
        f"/api/v1/plans/{plan['id']}/consent/", {"agreed": True, "statement": "好"}, format="json"
    )
    assert refused.status_code == 403

    response = api(agent).post(
        f"/api/v1/plans/{plan['id']}/consent/",
        {"agreed": True, "statement": "客户电话同意"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["status"] == "approved"
    sr.refresh_from_db()
    assert sr.status == ServiceRequest.Status.IN_PROGRESS


def test_input_errors_name_the_field(sr, technician, plan_json):
    base = f"/api/v1/service-requests/{sr.number}/plans/"
    bad = {**plan_json, "fee_lines": [{**plan_json["fee_lines"][0], "unit_price": "1.005"}]}
    response = api(technician).post(base, bad, format="json")
    assert response.status_code == 400
    assert "fee_lines.0.unit_price" in response.json()["fields"]
    response = api(technician).post(base, {**plan_json, "status": "approved"}, format="json")
    assert response.status_code == 400 and "status" in response.json()["fields"]
    response = api(technician).post(
        base, {**plan_json, "parts": [{**plan_json["parts"][0], "quantity": 0}]}, format="json"
    )
    assert "parts.0.quantity" in response.json()["fields"]


def test_a_draft_is_patched_and_a_stale_version_refused(sr, technician, plan_json):
    plan = (
        api(technician)
        .post(f"/api/v1/service-requests/{sr.number}/plans/", plan_json, format="json")
        .json()
    )
    url = f"/api/v1/plans/{plan['id']}/"
    response = api(technician).patch(
        url, {"fee_lines": [], "version": plan["version"]}, format="json"
    )
    assert response.status_code == 200 and response.json()["total"] == "0.00"
    stale = api(technician).patch(url, {"tools": "x", "version": plan["version"]}, format="json")
    assert stale.status_code == 409


def test_approval_refused_for_short_stock_names_the_part(sr, technician, supervisor, plan_json):
    plan = (
        api(technician)
        .post(f"/api/v1/service-requests/{sr.number}/plans/", plan_json, format="json")
        .json()
    )
    api(technician).post(f"/api/v1/plans/{plan['id']}/submit/", {}, format="json")
    response = api(supervisor).post(f"/api/v1/plans/{plan['id']}/approve/", {}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert "CMP-1" in body["message"] and "parts" in body["fields"]


def test_the_schema_documents_the_plan_routes(client):
    schema = client.get("/api/schema/?format=json").json()
    for path in (
        "/api/v1/service-requests/{number}/diagnosis/",
        "/api/v1/service-requests/{number}/plans/",
        "/api/v1/plans/{plan_id}/",
        "/api/v1/plans/{plan_id}/approve/",
        "/api/v1/plans/{plan_id}/consent/",
        "/api/v1/approval-rules/",
        "/api/v1/approvals/pending/",
    ):
        assert path in schema["paths"], path
