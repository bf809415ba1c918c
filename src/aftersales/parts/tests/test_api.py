"""The parts API: what it answers, and how it refuses (the roles × routes matrix is in
api/tests/test_permissions.py)."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from aftersales.catalog.models import Product
from aftersales.parts import services
from aftersales.parts.models import StockLevel, StockMovement, StockReservation
from aftersales.parts.tests.factories import make_part, stocked


def client_for(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_admins_keep_the_catalogue(admin_user, agent):
    product = Product.objects.create(model="KFR-35GW/BP3", name="变频壁挂式空调 1.5匹")
    admin = client_for(admin_user)
    created = admin.post(
        "/api/v1/parts/",
        {
            "part_number": "CAP-35UF",
            "name": "压缩机启动电容 35μF",
            "unit_price": "18.50",
            "products": [product.pk],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["part_number"], body["unit_price"], body["products"]) == (
        "CAP-35UF",
        "18.50",
        [product.pk],
    )
    again = admin.post("/api/v1/parts/", {"part_number": "CAP-35UF", "name": "x"}, format="json")
    assert again.status_code == 400
    assert "part_number" in again.json()["fields"]
    patched = admin.patch(
        f"/api/v1/parts/{body['id']}/", {"is_active": False, "products": []}, format="json"
    )
    assert patched.status_code == 200
    assert (patched.json()["is_active"], patched.json()["products"]) == (False, [])
    assert client_for(agent).get("/api/v1/parts/", {"product": product.pk}).json()["count"] == 0


def test_parts_are_found_by_number_name_product_and_state(agent):
    fits = Product.objects.create(model="JSQ25-13A1", name="燃气热水器")
    make_part(part_number="IGN-01", name="点火针", name_en="Ignition electrode", products=[fits])
    make_part(part_number="FAN-02", name="风机", name_en="Fan motor", is_active=False)
    client = client_for(agent)

    def numbers(**query):
        return [p["part_number"] for p in client.get("/api/v1/parts/", query).json()["results"]]

    assert numbers(search="点火") == ["IGN-01"]
    assert numbers(search="motor") == ["FAN-02"]
    assert numbers(search="ign-0") == ["IGN-01"]
    assert numbers(product=fits.pk) == ["IGN-01"]
    assert numbers(active="false") == ["FAN-02"]
    assert client.get("/api/v1/parts/", {"search": "a\x00b"}).status_code == 400


def test_warehouses_vans_need_a_technician(admin_user, technician):
    admin = client_for(admin_user)
    response = admin.post(
        "/api/v1/warehouses/", {"code": "VAN-9", "name": "服务车", "kind": "van"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["technician"]
    response = admin.post(
        "/api/v1/warehouses/",
        {"code": "VAN-9", "name": "服务车", "kind": "van", "technician": technician.username},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["technician"] == technician.username
    listed = admin.get("/api/v1/warehouses/", {"technician": technician.username}).json()
    assert [w["code"] for w in listed["results"]] == ["VAN-9"]


def test_receiving_answers_the_level_and_refuses_bad_input(central, part, supervisor):
    client = client_for(supervisor)
    response = client.post(
        "/api/v1/stock/receive/",
        {"warehouse": central.pk, "part": part.pk, "quantity": 6, "note": "PO-7"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert {k: response.json()[k] for k in ("on_hand", "reserved", "available", "low")} == {
        "on_hand": 6,
        "reserved": 0,
        "available": 6,
        "low": False,
    }
    for payload, field in [
        ({"warehouse": central.pk, "part": part.pk, "quantity": 0}, "quantity"),
        ({"warehouse": central.pk, "part": part.pk, "quantity": "many"}, "quantity"),
        ({"warehouse": central.pk, "part": part.pk, "quantity": 1, "on_hand": 99}, "on_hand"),
        ({"warehouse": 999999, "part": part.pk, "quantity": 1}, "warehouse"),
        ({"warehouse": central.pk, "part": part.pk, "quantity": 1, "note": "\u202e"}, "note"),
    ]:
        refused = client.post("/api/v1/stock/receive/", payload, format="json")
        assert refused.status_code == 400, payload
        assert field in refused.json()["fields"], payload
    assert StockLevel.objects.get().on_hand == 6


def test_adjust_and_transfer(central, van, part, admin_user):
    stocked(central, part, 10)
    client = client_for(admin_user)
    adjusted = client.post(
        "/api/v1/stock/adjust/",
        {"warehouse": central.pk, "part": part.pk, "counted": 9, "reason": "盘点少 1"},
        format="json",
    )
    assert adjusted.status_code == 200
    assert adjusted.json()["on_hand"] == 9
    no_reason = client.post(
        "/api/v1/stock/adjust/",
        {"warehouse": central.pk, "part": part.pk, "counted": 9, "reason": " "},
        format="json",
    )
    assert no_reason.status_code == 400
    assert "reason" in no_reason.json()["fields"]
    moved = client.post(
        "/api/v1/stock/transfer/",
        {"source": central.pk, "destination": van.pk, "part": part.pk, "quantity": 4},
        format="json",
    )
    assert moved.status_code == 200
    assert (moved.json()["source"]["on_hand"], moved.json()["destination"]["on_hand"]) == (5, 4)
    too_many = client.post(
        "/api/v1/stock/transfer/",
        {"source": central.pk, "destination": van.pk, "part": part.pk, "quantity": 6},
        format="json",
    )
    assert too_many.status_code == 400
    body = too_many.json()
    assert list(body["fields"]) == ["quantity"]
    assert body["extra"] == {"available": 5}
    assert "5 of CAP-35UF available" in body["message"]


def test_reserve_consume_and_release_through_the_api(central, part, sr, technician):
    stocked(central, part, 5)
    client = client_for(technician)
    reserved = client.post(
        "/api/v1/stock-reservations/",
        {
            "warehouse": central.pk,
            "part": part.pk,
            "quantity": 3,
            "service_request": sr.number.lower(),
        },
        format="json",
    )
    assert reserved.status_code == 201, reserved.content
    reservation = reserved.json()
    assert (reservation["status"], reservation["service_request"]) == ("active", sr.number)
    short = client.post(
        "/api/v1/stock-reservations/",
        {"warehouse": central.pk, "part": part.pk, "quantity": 3, "service_request": sr.number},
        format="json",
    )
    assert short.status_code == 400
    assert short.json()["fields"]["quantity"] and short.json()["extra"]["available"] == 2
    unknown = client.post(
        "/api/v1/stock-reservations/",
        {"warehouse": central.pk, "part": part.pk, "quantity": 1, "service_request": "SR-1"},
        format="json",
    )
    assert unknown.status_code == 400
    assert list(unknown.json()["fields"]) == ["service_request"]

    used = client.post(
        f"/api/v1/stock-reservations/{reservation['id']}/consume/", {"quantity": 2}, format="json"
    )
    assert used.status_code == 200
    assert (used.json()["status"], used.json()["consumed_quantity"]) == ("consumed", 2)
    again = client.post(
        f"/api/v1/stock-reservations/{reservation['id']}/release/", {}, format="json"
    )
    assert again.status_code == 409
    level = StockLevel.objects.get()
    assert (level.on_hand, level.reserved) == (3, 0)

    listed = client.get("/api/v1/stock-reservations/", {"service_request": sr.number}).json()
    assert [r["id"] for r in listed["results"]] == [reservation["id"]]
    assert client.get("/api/v1/stock-reservations/abc/").status_code == 404


def test_direct_use_from_the_van(van, central, part, sr, technician):
    stocked(van, part, 1)
    stocked(central, part, 1)
    client = client_for(technician)
    payload = {"warehouse": van.pk, "part": part.pk, "quantity": 1, "service_request": sr.number}
    used = client.post("/api/v1/stock/consume/", payload, format="json")
    assert used.status_code == 201
    assert (used.json()["kind"], used.json()["on_hand_change"]) == ("consumption", -1)
    assert used.json()["service_request"] == sr.number
    empty = client.post("/api/v1/stock/consume/", payload, format="json")
    assert empty.status_code == 400
    assert empty.json()["extra"] == {"available": 0}
    not_mine = client.post(
        "/api/v1/stock/consume/", {**payload, "warehouse": central.pk}, format="json"
    )
    assert not_mine.status_code == 403


def test_low_levels_and_the_ledger(central, van, part, sr, agent, department):
    stocked(central, part, 3)
    services.stock_set_reorder_level(warehouse=central, part=part, reorder_level=2, by=None)
    stocked(van, part, 9)
    client = client_for(agent)
    assert client.get("/api/v1/stock-levels/", {"low": "true"}).json()["count"] == 0
    services.stock_reserve(warehouse=central, part=part, quantity=1, service_request=sr, by=agent)
    low = client.get("/api/v1/stock-levels/", {"low": "true"}).json()
    assert [(lv["warehouse"]["code"], lv["available"]) for lv in low["results"]] == [
        ("WH-CENTRAL", 2)
    ]
    assert client.get("/api/v1/stock-levels/", {"low": "false"}).json()["count"] == 1
    mine = client.get("/api/v1/stock-movements/", {"service_request": sr.number}).json()
    assert [(m["kind"], m["service_request"]) for m in mine["results"]] == [
        ("reservation", sr.number)
    ]
    by_warehouse = client.get("/api/v1/stock-movements/", {"warehouse": van.pk}).json()
    assert [m["kind"] for m in by_warehouse["results"]] == ["receipt"]

    # Department staff outside the request's team read the ledger but not the request number.
    other = client_for(department)
    lines = other.get("/api/v1/stock-movements/", {"kind": "reservation"}).json()["results"]
    assert len(lines) == 1 and lines[0]["service_request"] is None
    assert sr.number not in str(lines)
    assert (
        other.get("/api/v1/stock-movements/", {"service_request": sr.number}).json()["count"] == 0
    )
    assert StockReservation.objects.count() == 1
    assert StockMovement.objects.count() == 3


def test_list_queries_do_not_grow_with_rows(
    central, part, sr, agent, django_assert_max_num_queries
):
    for i in range(5):
        other = make_part(part_number=f"BULK-{i}")
        stocked(central, other, 2)
        services.stock_reserve(
            warehouse=central, part=other, quantity=1, service_request=sr, by=agent
        )
    client = client_for(agent)
    for path in (
        "/api/v1/stock-levels/",
        "/api/v1/stock-movements/",
        "/api/v1/stock-reservations/",
    ):
        with django_assert_max_num_queries(8):
            assert client.get(path).status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/parts/", "/api/v1/stock-levels/"])
def test_customers_get_nothing(customer_user, path):
    response = client_for(customer_user).get(path)
    assert response.status_code == 403
    assert "message" in response.json()
