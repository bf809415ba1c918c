"""The repair-records API: records with parts, photos, the confirmation, a unit's history;
errors that name the fields; and the endpoints in the OpenAPI document."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from aftersales.parts.models import StockLevel
from aftersales.parts.tests.factories import stocked
from aftersales.repair_records.models import PartUsed, RepairRecord
from aftersales.repair_records.tests.factories import PNG, make_record
from aftersales.service_requests import services as requests
from aftersales.service_requests.tests.factories import make_request, move_to


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def payload(**overrides) -> dict:
    now = timezone.now()
    data = {
        "work_done": "更换启动电容",
        "started_at": (now - timezone.timedelta(hours=2)).isoformat(),
        "finished_at": (now - timezone.timedelta(hours=1)).isoformat(),
        "test_outcome": "passed",
        "test_result": "试机正常",
    }
    data.update(overrides)
    return data


def test_a_record_with_parts_through_the_api(sr, technician, supervisor, van, part, reservation):
    stocked(van, part, 2)
    response = api(technician).post(
        f"/api/v1/service-requests/{sr.number}/repair-records/",
        payload(
            technicians=["tech1", "lead1"],
            parts=[
                {"reservation": reservation.pk, "quantity": 1},
                {"warehouse": van.pk, "part": part.pk, "old_serial": "O-1", "new_serial": "N-1"},
                {"part_number": "LOCAL-7", "description": "本地购买的保险丝"},
            ],
        ),
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["service_request"] == sr.number
    assert body["labour_minutes"] == 60
    assert sorted(body["technicians"]) == ["lead1", "tech1"]
    assert [p["source"] for p in body["parts"]] == ["reservation", "stock", "outside"]
    assert body["parts"][1]["old_serial"] == "O-1"
    assert body["pdf_url"].endswith(f"/api/v1/repair-records/{body['id']}/pdf/")
    assert response["ETag"] == '"1"'
    listed = api(technician).get(f"/api/v1/service-requests/{sr.number}/repair-records/").json()
    assert [r["id"] for r in listed] == [body["id"]]


def test_errors_name_the_fields(sr, technician, van, part):
    client = api(technician)
    url = f"/api/v1/service-requests/{sr.number}/repair-records/"
    response = client.post(url, {"started_at": "yesterday", "status": "x"}, format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) >= {"status"}
    response = client.post(url, {"started_at": "nonsense", "work_done": "x"}, format="json")
    assert "started_at" in response.json()["fields"]
    stocked(van, part, 1)
    response = client.post(
        url,
        payload(parts=[{"warehouse": van.pk, "part": part.pk, "quantity": 3}]),
        format="json",
    )
    assert response.status_code == 400
    assert "parts.0.quantity" in response.json()["fields"]
    assert not RepairRecord.objects.exists()
    assert StockLevel.objects.get(warehouse=van, part=part).on_hand == 1


def test_patch_with_version_and_if_match(sr, agent, technician):
    record = make_record(sr, by=technician)
    client = api(technician)
    response = client.patch(
        f"/api/v1/repair-records/{record.pk}/", {"test_outcome": "failed"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["version"] == 2
    stale = client.patch(
        f"/api/v1/repair-records/{record.pk}/",
        {"test_result": "改"},
        format="json",
        HTTP_IF_MATCH='"1"',
    )
    assert stale.status_code == 409
    closed = move_to(sr, "closed", by=agent, assignee=technician)
    assert closed.status == "closed"
    final = client.patch(
        f"/api/v1/repair-records/{record.pk}/", {"test_result": "改"}, format="json"
    )
    assert final.status_code == 409


def test_a_part_posted_to_a_record(sr, technician, van, part):
    stocked(van, part, 1)
    record = make_record(sr, by=technician)
    client = api(technician)
    url = f"/api/v1/repair-records/{record.pk}/parts/"
    response = client.post(url, {"warehouse": van.pk, "part": part.pk}, format="json")
    assert response.status_code == 201
    assert response.json()["warehouse"] == van.pk
    again = client.post(url, {"warehouse": van.pk, "part": part.pk}, format="json")
    assert again.status_code == 400
    assert "quantity" in again.json()["fields"]
    assert PartUsed.objects.count() == 1


def test_photos_by_content(sr, technician):
    record = make_record(sr, by=technician)
    client = api(technician)
    url = f"/api/v1/repair-records/{record.pk}/photos/"
    ok = client.post(url, {"photos": [SimpleUploadedFile("a.png", PNG)]}, format="multipart")
    assert ok.status_code == 201
    assert ok.json()[0]["content_type"] == "image/png"
    bad = client.post(
        url,
        {"photos": [SimpleUploadedFile("b.png", b"<html><script>x</script></html>")]},
        format="multipart",
    )
    assert bad.status_code == 400
    assert "photos" in bad.json()["fields"]
    empty = client.post(url, {}, format="multipart")
    assert empty.status_code == 400


def test_customers_read_their_records_without_staff_details(
    sr, technician, van, part, customer_user
):
    stocked(van, part, 1)
    record = make_record(sr, by=technician, parts=[{"warehouse": van, "part": part}])
    body = api(customer_user).get(f"/api/v1/repair-records/{record.pk}/").json()
    assert body["technicians"] == []
    assert body["written_by"] is None
    assert body["parts"][0]["warehouse"] is None
    assert body["parts"][0]["part_number"] == "CAP-35UF"


def test_confirmation_by_phone_through_the_api(sr, technician, agent):
    client = api(agent)
    url = f"/api/v1/service-requests/{sr.number}/confirmation/"
    assert client.get(url).json() == {
        "awaiting": False,
        "repeat": {"is_repeat": False, "reopened": 0, "earlier": []},
        "confirmations": [],
    }
    early = client.post(url, {"satisfied": True}, format="json")
    assert early.status_code == 409
    requests.service_request_act(sr, "resolve", by=technician, data={"resolution": "好"})
    assert client.get(url).json()["awaiting"] is True
    missing_reason = client.post(url, {"satisfied": False}, format="json")
    assert missing_reason.status_code == 400
    assert "comment" in missing_reason.json()["fields"]
    response = client.post(url, {"satisfied": False, "comment": "又坏了"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["awaiting"] is False
    assert body["repeat"] == {"is_repeat": True, "reopened": 1, "earlier": []}
    assert body["confirmations"][0]["method"] == "phone"
    assert body["confirmations"][0]["recorded_by"] == "agent1"
    sr.refresh_from_db()
    assert sr.status == "reopened"


def test_unit_history_through_the_api(
    sr, agent, technician, other_technician, other_customer_user, customer_a, team_b, unit
):
    make_record(sr, by=technician)
    other = make_request(by=agent, customer=customer_a, team=team_b, unit=unit)
    body = api(agent).get(f"/api/v1/units/{unit.pk}/history/").json()
    assert body["unit"]["serial_number"] == "SN-AC-0001"
    assert body["repeat_window_days"] == 90
    assert [r["number"] for r in body["requests"]] == [other.number, sr.number]
    assert body["requests"][1]["repair_records"][0]["work_done"].startswith("更换启动电容")
    assert body["summary"]["requests"] == 2
    seen = api(technician).get(f"/api/v1/units/{unit.pk}/history/").json()
    assert [r["number"] for r in seen["requests"]] == [sr.number]
    assert api(other_customer_user).get(f"/api/v1/units/{unit.pk}/history/").status_code == 404
    theirs = api(other_technician).get(f"/api/v1/units/{unit.pk}/history/").json()
    assert [r["number"] for r in theirs["requests"]] == [other.number]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/service-requests/{number}/repair-records/",
        "/api/v1/service-requests/{number}/confirmation/",
        "/api/v1/repair-records/{record_id}/",
        "/api/v1/repair-records/{record_id}/parts/",
        "/api/v1/repair-records/{record_id}/photos/",
        "/api/v1/repair-records/{record_id}/pdf/",
        "/api/v1/units/{unit_id}/history/",
    ],
)
def test_the_endpoints_are_in_the_openapi_document(agent, path):
    schema = api(agent).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert path in schema["paths"]
    if path.endswith("/pdf/"):
        content = schema["paths"][path]["get"]["responses"]["200"]["content"]
        assert "application/pdf" in content


def test_a_unit_links_to_its_history(agent, customer_a):
    from rest_framework.test import APIClient

    from aftersales.catalog.models import Product, Unit

    product = Product.objects.create(model="LINK-1", name="空调")
    unit = Unit.objects.create(product=product, customer=customer_a, serial_number="SN-LINK")
    client = APIClient()
    client.force_authenticate(agent)
    link = client.get(f"/api/v1/units/{unit.pk}/").json()["history"]
    assert link == f"/api/v1/units/{unit.pk}/history/"
    assert client.get(link).status_code == 200
