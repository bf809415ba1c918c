"""The RMA API: the contract integrators rely on (codes, fields named, exact money)."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from aftersales.returns import numbering, services
from aftersales.returns.models import ReturnAuthorisation
from aftersales.returns.tests.conftest import PNG
from aftersales.returns.tests.factories import make_rma_request, make_unit

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def test_the_refund_path_through_the_api(sr, agent, technician, supervisor):
    base = f"/api/v1/service-requests/{sr.number}/rma/"
    assert api(agent).get(base).status_code == 404
    created = api(agent).post(
        base, {"decision": "refund", "purchase_price": "1999.50"}, format="json"
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "authorised" and body["number"].startswith("RMA-")
    assert body["purchase_price"] == "1999.50" and body["service_request"] == sr.number
    assert body["eligibility"]["outcome"] == "refund"
    assert body["next_steps"] == ["ship-in", "receive", "cancel"]
    assert created["ETag"] == '"1"'
    rma = f"/api/v1/rmas/{body['id']}/"
    assert api(agent).get(base).json()["id"] == body["id"]

    shipped = api(agent).post(
        rma + "ship-in/",
        {"carrier": "顺丰速运", "tracking_number": "SF1234567890", "version": 1},
        format="json",
    )
    assert shipped.status_code == 200 and shipped.json()["status"] == "awaiting_shipment"
    received = api(agent).post(
        rma + "receive/",
        {"condition_notes": "完好", "photos": [SimpleUploadedFile("p.png", PNG)]},
        format="multipart",
    )
    assert received.status_code == 200, received.content
    assert len(received.json()["photos"]) == 1
    inspected = api(technician).post(rma + "inspect/", {"result": "fault_confirmed"}, format="json")
    assert inspected.status_code == 200
    refunded = api(supervisor).post(
        rma + "refund/",
        {"amount": "1999.50", "method": "bank_transfer", "reference": "TX-9"},
        format="json",
    )
    assert refunded.status_code == 200, refunded.content
    assert refunded.json()["refund_amount"] == "1999.50"
    assert refunded.json()["status"] == "refunded" and refunded.json()["next_steps"] == []
    assert ReturnAuthorisation.objects.get().refund_amount == Decimal("1999.50")


def test_errors_name_the_fields_and_the_order(sr, agent):
    base = f"/api/v1/service-requests/{sr.number}/rma/"
    unknown = api(agent).post(base, {"decision": "refund", "colour": "red"}, format="json")
    assert unknown.status_code == 400 and set(unknown.json()["fields"]) == {"colour"}
    bad = api(agent).post(base, {"decision": "gift"}, format="json")
    assert bad.status_code == 400 and set(bad.json()["fields"]) == {"decision"}
    refused = api(agent).post(base, {"decision": "refused"}, format="json")
    assert refused.status_code == 400 and "reason" in refused.json()["fields"]
    rma = api(agent).post(base, {"decision": "refund"}, format="json").json()
    again = api(agent).post(base, {"decision": "refund"}, format="json")
    assert again.status_code == 409 and rma["number"] in again.json()["message"]
    early = api(agent).post(
        f"/api/v1/rmas/{rma['id']}/refund/", {"amount": "1.00", "method": "cash"}, format="json"
    )
    assert early.status_code == 409
    assert early.json() == {
        "message": "The unit must be received and inspected first.",
        "code": "invalid_transition",
        "extra": {"status": "authorised"},
    }
    stale = api(agent).post(
        f"/api/v1/rmas/{rma['id']}/ship-in/",
        {"carrier": "顺丰", "tracking_number": "SF1"},
        format="json",
        HTTP_IF_MATCH='"7"',
    )
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    missing = api(agent).post(f"/api/v1/rmas/{rma['id']}/ship-in/", {}, format="json")
    assert missing.status_code == 400
    assert set(missing.json()["fields"]) == {"carrier", "tracking_number"}


def test_amounts_are_checked_exactly(sr, agent, technician):
    rma = services.rma_authorise(sr, by=agent, decision="refund")
    rma = services.rma_receive(rma, by=agent)
    services.rma_inspect(rma, by=technician, result="fault_confirmed")
    url = f"/api/v1/rmas/{rma.pk}/refund/"
    three = api(agent).post(url, {"amount": "10.005", "method": "cash"}, format="json")
    assert three.status_code == 400 and "amount" in three.json()["fields"]
    above = api(agent).post(
        url, {"amount": "1000.01", "method": "cash", "reason": "发票遗失"}, format="json"
    )
    assert above.status_code == 403 and "amount" in above.json()["fields"]
    ok = api(agent).post(
        url, {"amount": 0.1, "method": "cash", "reason": "运费补偿"}, format="json"
    )
    assert ok.status_code == 200 and ok.json()["refund_amount"] == "0.10"


def test_the_list_filters_and_is_scoped(
    agent, technician, other_technician, customer_a, customer_b
):
    first = make_rma_request(by=agent, unit=make_unit(customer=customer_a, serial="SN-A"))
    second = make_rma_request(by=agent, unit=make_unit(customer=customer_b, serial="SN-B"))
    a = services.rma_authorise(first, by=agent, decision="refund")
    b = services.rma_authorise(second, by=agent, decision="repair")
    services.rma_ship_in(b, by=agent, carrier="顺丰", tracking_number="SF2")

    def numbers(user, **query):
        response = api(user).get("/api/v1/rmas/", query)
        assert response.status_code == 200, response.content
        return {row["number"] for row in response.json()["results"]}

    assert numbers(agent) == {a.number, b.number}
    assert numbers(agent, status="awaiting_shipment") == {b.number}
    assert numbers(agent, decision="refund") == {a.number}
    assert numbers(agent, number=a.number.lower()) == {a.number}
    assert numbers(agent, number=second.number) == {b.number}
    assert numbers(agent, number="SN-A") == {a.number}
    assert numbers(other_technician) == set()
    bad = api(agent).get("/api/v1/rmas/", {"status": "lost"})
    assert bad.status_code == 400 and "status" in bad.json()["fields"]


def test_customers_read_their_own_without_staff_notes(
    sr, agent, technician, customer_user, other_customer_user
):
    rma = services.rma_authorise(sr, by=agent, decision="refund", purchase_price=Decimal("99"))
    rma = services.rma_receive(rma, by=agent, condition_notes="屏幕有划痕，客户未提及")
    services.rma_inspect(rma, by=technician, result="no_fault_found", notes="内部：疑似二手")
    own = api(customer_user).get(f"/api/v1/rmas/{rma.pk}/")
    assert own.status_code == 200
    body = own.json()
    assert body["inspection_result"] == "no_fault_found"
    for name in ("condition_notes", "inspection_notes", "purchase_price", "eligibility"):
        assert body[name] is None, name
    assert "划痕" not in own.content.decode() and "二手" not in own.content.decode()
    assert api(customer_user).get("/api/v1/rmas/").json()["count"] == 1
    assert api(other_customer_user).get(f"/api/v1/rmas/{rma.pk}/").status_code == 404
    assert api(other_customer_user).get("/api/v1/rmas/").json()["count"] == 0
    events = api(customer_user).get(f"/api/v1/service-requests/{sr.number}/events/").json()
    assert "划痕" not in str(events) and "二手" not in str(events)


def test_warehouse_staff_see_rmas_but_not_the_request_number(sr, agent, warehouse_user):
    rma = services.rma_authorise(sr, by=agent, decision="refund")
    body = api(warehouse_user).get(f"/api/v1/rmas/{rma.pk}/").json()
    assert body["service_request"] is None and body["next_steps"] == ["ship-in", "receive"]
    assert api(warehouse_user).get("/api/v1/rmas/", {"number": sr.number}).json()["count"] == 0
    received = api(warehouse_user).post(f"/api/v1/rmas/{rma.pk}/receive/", {}, format="json")
    assert received.status_code == 200


def test_unit_eligibility(agent, customer_user, other_customer_user, customer_a):
    unit = make_unit(customer=customer_a, serial="SN-E", bought_days_ago=10)
    url = f"/api/v1/units/{unit.pk}/eligibility/"
    today = api(agent).get(url).json()
    assert (today["outcome"], today["refund"], today["replacement"]) == (
        "replacement",
        False,
        True,
    )
    assert today["days_since_purchase"] == 10 and "replacement window" in today["reason"]
    on = (numbering.today() - datetime.timedelta(days=3)).isoformat()
    assert api(agent).get(url, {"on": on}).json()["outcome"] == "refund"
    later = (numbering.today() + datetime.timedelta(days=30)).isoformat()
    assert api(agent).get(url, {"on": later}).json()["outcome"] == "repair"
    assert (
        api(agent).get(url, {"on": later, "quality_fault": "true"}).json()["outcome"]
        == "replacement"
    )
    assert api(customer_user).get(url).status_code == 200
    assert api(other_customer_user).get(url).status_code == 404
    bad = api(agent).get(url, {"on": "yesterday"})
    assert bad.status_code == 400 and "on" in bad.json()["fields"]


def test_the_schema_documents_every_route(agent):
    schema = api(agent).get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in [
        "/api/v1/service-requests/{number}/rma/",
        "/api/v1/rmas/",
        "/api/v1/rmas/{id}/",
        "/api/v1/rmas/{id}/ship-in/",
        "/api/v1/rmas/{id}/receive/",
        "/api/v1/rmas/{id}/inspect/",
        "/api/v1/rmas/{id}/refund/",
        "/api/v1/rmas/{id}/replace/",
        "/api/v1/rmas/{id}/ship-out/",
        "/api/v1/rmas/{id}/cancel/",
        "/api/v1/units/{id}/eligibility/",
    ]:
        assert path in paths, path
    refund = paths["/api/v1/rmas/{id}/refund/"]["post"]
    ref = refund["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    component = schema.json()["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert component["properties"]["amount"]["type"] == "string"
    assert {"amount", "method"} <= set(component["required"])
    list_params = {p["name"] for p in paths["/api/v1/rmas/"]["get"]["parameters"]}
    assert {"status", "decision", "number", "page"} <= list_params
