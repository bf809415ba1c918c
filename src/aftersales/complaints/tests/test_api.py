"""The whole complaint path through the API and the portal page, and who may do what."""

import datetime
import re

import pytest
from django.core import mail  # noqa: F401 - the outbox is ours, read below
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from aftersales.complaints.models import Agreement, Complaint
from aftersales.complaints.tests.conftest import signature_url
from aftersales.notifications.models import Notification, OutboxMessage
from aftersales.service_requests.models import ServiceRequest

pytestmark = pytest.mark.django_db


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def _link(complaint_number: str) -> str:
    message = OutboxMessage.objects.filter(reference=complaint_number).order_by("-id").first()
    return re.search(r"/portal/complaints/[^/\s]+/", message.body).group(0)


def test_the_whole_path_register_approve_sign_warehouse_satisfied(
    agent,
    customer_a,
    unit,
    product,
    complaints_team,
    complaint_lead,
    warehouse_user,
    marketing_user,
    client,
):
    staff = client_for(agent)
    earlier = ServiceRequest.objects.create(
        number="SR-20260101-0001",
        customer=customer_a,
        title="漏水",
        contact_name="张三",
        received_at=timezone.now() - datetime.timedelta(days=30),
    )
    response = staff.post(
        "/api/v1/complaints/",
        {
            "customer": customer_a.pk,
            "subject": "热水器漏水，两次维修未解决",
            "wanted": "换新机",
            "unit": unit.pk,
            "related_requests": [earlier.number],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["stage"] == "registered"
    assert body["recorded_by"] == "agent1"
    assert body["product"] == product.pk and body["batch_number"] == "B2026-07"
    assert body["related_requests"] == [earlier.number]
    number = body["service_request"]
    sr = ServiceRequest.objects.get(number=number)
    assert (sr.kind, sr.team) == ("complaint", complaints_team)
    assert Notification.objects.filter(recipient=complaint_lead).exists()
    # The resolution clock waits for the agreement; the first response runs (24 h).
    assert sr.resolution_due_at is None
    assert sr.first_response_due_at == sr.received_at + datetime.timedelta(hours=24)
    detail = staff.get(f"/api/v1/service-requests/{number}/").json()
    assert detail["sla"]["resolution"]["state"] == "paused"

    cid = body["id"]
    response = staff.post(
        f"/api/v1/complaints/{cid}/contacts/",
        {"method": "phone", "facts": "客户说进水口一直滴水"},
        format="json",
    )
    assert response.status_code == 201
    sr.refresh_from_db()
    assert sr.first_responded_at is not None and sr.status == "in_progress"
    response = staff.post(
        f"/api/v1/complaints/{cid}/investigation/",
        {"severity": "major", "fault": "partial", "fault_percent": 60, "founded": True},
        format="json",
    )
    assert response.status_code == 200, response.content
    response = staff.post(
        f"/api/v1/complaints/{cid}/proposals/",
        {
            "reasoning": "老客户，安装过失",
            "lines": [
                {"kind": "compensation_product", "product": product.pk, "unit_value": "1999.00"},
                {"kind": "gift", "description": "保温杯", "quantity": 2, "unit_value": "49.50"},
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    proposal = response.json()
    assert proposal["total"] == "2098.00"
    pid = proposal["id"]
    assert (
        staff.post(f"/api/v1/complaint-proposals/{pid}/submit/", {}, format="json").status_code
        == 200
    )
    sr.refresh_from_db()
    assert sr.status == "pending_approval"
    # The agent may not approve; the complaint team's supervisor does, and it is offered.
    assert (
        staff.post(f"/api/v1/complaint-proposals/{pid}/approve/", {}, format="json").status_code
        == 403
    )
    response = client_for(complaint_lead).post(
        f"/api/v1/complaint-proposals/{pid}/approve/", {"comment": "同意"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "offered"
    sr.refresh_from_db()
    assert sr.status == "pending_customer"

    # The customer, on a phone, without an account.
    link = _link(number)
    assert client.get(link).status_code == 200
    assert not Agreement.objects.exists()  # a GET records nothing
    assert client.post(link, {"contact": "13900000000"}).status_code == 404
    page = client.post(link, {"contact": "13800138000"})
    assert page.status_code == 200 and "2,098.00" in page.content.decode()
    signed = client.post(
        link,
        {
            "contact": "13800138000",
            "action": "sign",
            "signer_name": "张三",
            "signature": signature_url(),
        },
        HTTP_USER_AGENT="Mobile Safari",
        REMOTE_ADDR="203.0.113.9",
    )
    assert signed.status_code == 200, signed.content.decode()[:500]
    agreement = Agreement.objects.get()
    assert (agreement.signer_name, agreement.ip_address, agreement.user_agent) == (
        "张三",
        "203.0.113.9",
        "Mobile Safari",
    )
    assert len(agreement.content_sha256) == 64 and bytes(agreement.signature_png)[:4] == b"\x89PNG"
    complaint = Complaint.objects.get(pk=cid)
    sr.refresh_from_db()
    assert complaint.stage == "implementing" and sr.status == "in_progress"
    # Resolution within 48 hours of the agreement, around the clock (the wait for the
    # customer ends a moment after the signature, in the same transaction).
    expected = complaint.agreed_at + datetime.timedelta(hours=48)
    assert abs(sr.resolution_due_at - expected) < datetime.timedelta(seconds=1)
    # Signing again is refused and changes nothing.
    again = client.post(
        link,
        {
            "contact": "13800138000",
            "action": "sign",
            "signer_name": "李",
            "signature": signature_url(),
        },
    )
    assert again.status_code == 409
    assert Agreement.objects.count() == 1
    pdf = client.post(link, {"contact": "13800138000", "action": "pdf", "lang": "en"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"

    # The warehouse sees its task with what to ship, and nothing of the complaint.
    warehouse = client_for(warehouse_user)
    tasks = warehouse.get("/api/v1/tasks/").json()["results"]
    assert len(tasks) == 1
    task = tasks[0]
    assert "JSQ-16" in task["description"] and "Quantity: 1" in task["description"]
    assert warehouse.get(f"/api/v1/complaints/{cid}/").status_code == 404
    assert warehouse.get("/api/v1/complaints/").status_code == 403
    assert warehouse.get(f"/api/v1/service-requests/{number}/").status_code == 404
    finished = warehouse.post(
        f"/api/v1/tasks/{task['id']}/finish/",
        {"outcome": "已发货", "reference": "SF1234567890"},
        format="json",
    )
    assert finished.status_code == 200, finished.content
    lines = staff.get(f"/api/v1/complaints/{cid}/").json()["proposals"][0]["lines"]
    assert lines[0]["task"]["reference"] == "SF1234567890"
    assert Complaint.objects.get(pk=cid).stage == "implementing"  # the gift is still to go
    marketing = client_for(marketing_user)
    gift = marketing.get("/api/v1/tasks/").json()["results"][0]
    marketing.post(f"/api/v1/tasks/{gift['id']}/finish/", {"outcome": "已寄出"}, format="json")
    assert Complaint.objects.get(pk=cid).stage == "awaiting_satisfaction"

    # Closing before the customer is satisfied is refused.
    assert (
        staff.post(f"/api/v1/service-requests/{number}/close/", {}, format="json").status_code
        == 409
    )
    happy = client.post(link, {"contact": "13800138000", "action": "satisfied"})
    assert happy.status_code == 200
    sr.refresh_from_db()
    assert sr.status == "resolved"
    assert (
        staff.post(f"/api/v1/service-requests/{number}/close/", {}, format="json").status_code
        == 200
    )


def test_the_proposer_may_not_approve_their_own_proposal(
    customer_a, product, complaints_team, complaint_lead, other_lead, warehouse_user, marketing_user
):
    from aftersales.complaints.tests.factories import proposed

    proposal = proposed(complaint_lead, customer_a, product)
    lead = client_for(complaint_lead)
    assert (
        lead.post(
            f"/api/v1/complaint-proposals/{proposal.pk}/submit/", {}, format="json"
        ).status_code
        == 200
    )
    refused = lead.post(f"/api/v1/complaint-proposals/{proposal.pk}/approve/", {}, format="json")
    assert refused.status_code == 403
    # Nor through the request's own approve button.
    number = proposal.complaint.request.number
    assert (
        lead.post(f"/api/v1/service-requests/{number}/approve/", {}, format="json").status_code
        == 403
    )
    other = client_for(other_lead)
    back = other.post(
        f"/api/v1/complaint-proposals/{proposal.pk}/send-back/", {"comment": ""}, format="json"
    )
    assert (
        back.status_code == 400 and "comment" in back.json()["extra"]["fields"]
        if "extra" in back.json()
        else back.status_code == 400
    )
    back = other.post(
        f"/api/v1/complaint-proposals/{proposal.pk}/send-back/",
        {"comment": "赠品太多"},
        format="json",
    )
    assert back.status_code == 200 and back.json()["status"] == "sent_back"
    assert back.json()["decision_comment"] == "赠品太多"


def test_bad_input_names_the_field(agent, customer_a, complaints_team):
    staff = client_for(agent)
    response = staff.post("/api/v1/complaints/", {"customer": customer_a.pk}, format="json")
    assert response.status_code == 400 and "subject" in str(response.json())
    response = staff.post(
        "/api/v1/complaints/",
        {"customer": customer_a.pk, "subject": "x", "status": "closed"},
        format="json",
    )
    assert response.status_code == 400 and "status" in str(response.json())
    cid = staff.post(
        "/api/v1/complaints/", {"customer": customer_a.pk, "subject": "服务态度差"}, format="json"
    ).json()["id"]
    response = staff.post(
        f"/api/v1/complaints/{cid}/investigation/",
        {"severity": "minor", "fault": "partial", "founded": True},
        format="json",
    )
    assert response.status_code == 400 and "fault_percent" in str(response.json())
    response = staff.post(
        f"/api/v1/complaints/{cid}/proposals/",
        {"reasoning": "r", "lines": [{"kind": "gift", "quantity": 1}]},
        format="json",
    )
    assert response.status_code == 400 and "investigation" in str(response.json())


def test_customers_and_analysts_do_not_use_this_api(
    customer_user, analyst, agent, customer_a, complaints_team
):
    cid = (
        client_for(agent)
        .post(
            "/api/v1/complaints/",
            {"customer": customer_a.pk, "subject": "服务态度差"},
            format="json",
        )
        .json()["id"]
    )
    customer = client_for(customer_user)
    assert customer.get("/api/v1/complaints/").status_code == 403
    assert customer.get(f"/api/v1/complaints/{cid}/").status_code == 404
    reader = client_for(analyst)
    assert reader.get(f"/api/v1/complaints/{cid}/").status_code == 200
    response = reader.post(
        f"/api/v1/complaints/{cid}/contacts/", {"method": "phone", "facts": "x"}, format="json"
    )
    assert response.status_code == 403


def test_the_schema_describes_the_complaint_routes(agent):
    schema = client_for(agent).get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    assert "/api/v1/complaints/" in paths
    assert "/api/v1/complaint-proposals/{proposal_id}/approve/" in paths
