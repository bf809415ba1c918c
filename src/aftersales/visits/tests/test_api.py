"""The visits API: booking and the visit's steps, errors naming fields, what customers see,
filters, free slots, leave."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from aftersales.service_requests.models import ServiceRequest
from aftersales.visits.models import Visit
from aftersales.visits.tests.factories import MONDAY, book, local

TUESDAY = MONDAY.replace(day=3)


def client_for(user) -> APIClient:
    client = APIClient(headers={"accept-language": "en"})
    client.force_authenticate(user)
    return client


def booking(sr, **extra):
    return {
        "service_request": sr.number,
        "technicians": ["tech1"],
        "window_start": "2026-03-02T10:00:00+08:00",
        "window_end": "2026-03-02T12:00:00+08:00",
        **extra,
    }


def test_a_dispatcher_books_a_visit(sr, agent, technician):
    response = client_for(agent).post("/api/v1/visits/", booking(sr, notes="带梯子"), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["service_request"] == sr.number and body["status"] == "booked"
    assert body["technicians"] == [{"username": "tech1", "name": technician.display_name}]
    assert body["window_start"] == "2026-03-02T10:00:00+08:00"
    assert body["address"] == sr.address and body["notes"] == "带梯子"
    assert body["booked_by"] == "agent1" and body["actions"] == ["reschedule", "cancel"]
    sr.refresh_from_db()
    assert sr.status == ServiceRequest.Status.SCHEDULED


@pytest.mark.parametrize(
    ("change", "field", "status"),
    [
        ({"technicians": ["nobody"]}, "technicians", 400),
        ({"technicians": []}, "technicians", 400),
        ({"service_request": "SR-20990101-0001"}, "service_request", 400),
        ({"window_end": "2026-03-02T09:00:00+08:00"}, "window_end", 400),
        (
            {
                "window_start": "2026-03-02T12:00:00+08:00",
                "window_end": "2026-03-02T14:00:00+08:00",
            },
            "window_start",
            400,
        ),
        ({"window_start": "yesterday"}, "window_start", 400),
        ({"status": "done"}, "status", 400),
    ],
)
def test_bad_input_is_refused_naming_the_field(sr, agent, change, field, status):
    response = client_for(agent).post("/api/v1/visits/", booking(sr, **change), format="json")
    assert response.status_code == status, response.content
    body = response.json()
    assert field in body["fields"] and body["message"]
    assert not Visit.objects.exists()


def test_a_double_booking_is_a_conflict_naming_technician_and_visit(sr, second_sr, agent):
    client = client_for(agent)
    first = client.post("/api/v1/visits/", booking(sr), format="json").json()
    response = client.post(
        "/api/v1/visits/",
        booking(
            second_sr,
            window_start="2026-03-02T11:00:00+08:00",
            window_end="2026-03-02T12:00:00+08:00",
        ),
        format="json",
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conflict" and "tech1" in body["extra"]["technician"]
    assert body["extra"]["visit"] == first["id"]
    assert "technicians" in body["fields"]


def test_outside_hours_is_booked_when_asked(sr, agent):
    response = client_for(agent).post(
        "/api/v1/visits/",
        booking(
            sr,
            window_start="2026-03-07T10:00:00+08:00",
            window_end="2026-03-07T12:00:00+08:00",
            outside_hours=True,
        ),
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["outside_hours"] is True


def test_customers_see_their_own_visits_without_staff_details(
    sr, agent, technician, customer_user, other_customer_user
):
    visit = book(sr, by=agent, technicians=[technician], notes="客户家有狗")
    body = client_for(customer_user).get(f"/api/v1/visits/{visit.pk}/").json()
    assert body == {
        "id": visit.pk,
        "service_request": sr.number,
        "status": "booked",
        "window_start": "2026-03-02T10:00:00+08:00",
        "window_end": "2026-03-02T12:00:00+08:00",
        "address": sr.address,
    }
    listed = client_for(customer_user).get("/api/v1/visits/").json()
    assert [v["id"] for v in listed["results"]] == [visit.pk]
    assert "有狗" not in str(listed)
    other = client_for(other_customer_user)
    assert other.get(f"/api/v1/visits/{visit.pk}/").status_code == 404
    assert other.get("/api/v1/visits/").json()["count"] == 0


def test_the_visit_steps(sr, agent, technician, customer_user):
    visit = book(sr, by=agent, technicians=[technician])
    tech = client_for(technician)
    assert (
        tech.post(f"/api/v1/visits/{visit.pk}/start/", {}, format="json").json()["status"]
        == "en_route"
    )
    on_site = tech.post(f"/api/v1/visits/{visit.pk}/start/", {"on_site": True}, format="json")
    assert on_site.json()["status"] == "in_progress"
    assert on_site.json()["actions"] == ["record", "no_one_home", "finish"]
    again = tech.post(f"/api/v1/visits/{visit.pk}/start/", {}, format="json")
    assert again.status_code == 409
    done = tech.post(f"/api/v1/visits/{visit.pk}/finish/", {"summary": "已修好"}, format="json")
    assert done.json()["status"] == "done" and done.json()["summary"] == "已修好"
    assert (
        client_for(customer_user)
        .post(f"/api/v1/visits/{visit.pk}/finish/", {}, format="json")
        .status_code
        == 403
    )


def test_no_one_home_needs_a_note(sr, agent, technician):
    visit = book(sr, by=agent, technicians=[technician])
    tech = client_for(technician)
    missing = tech.post(f"/api/v1/visits/{visit.pk}/no-one-home/", {}, format="json")
    assert missing.status_code == 400 and "note" in missing.json()["fields"]
    ok = tech.post(f"/api/v1/visits/{visit.pk}/no-one-home/", {"note": "无人应门"}, format="json")
    assert ok.json()["status"] == "no_one_home" and ok.json()["reason"] == "无人应门"


def test_rescheduling_answers_with_the_new_visit(sr, agent, technician):
    visit = book(sr, by=agent, technicians=[technician])
    response = client_for(agent).post(
        f"/api/v1/visits/{visit.pk}/reschedule/",
        {
            "window_start": "2026-03-03T14:00:00+08:00",
            "window_end": "2026-03-03T16:00:00+08:00",
            "reason": "客户改约",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["rescheduled_from"] == visit.pk and body["status"] == "booked"
    old = client_for(agent).get(f"/api/v1/visits/{visit.pk}/").json()
    assert old["status"] == "rescheduled" and old["rescheduled_to"] == body["id"]
    assert old["reason"] == "客户改约"


def test_cancel_needs_a_reason(sr, agent, technician):
    visit = book(sr, by=agent, technicians=[technician])
    client = client_for(agent)
    missing = client.post(f"/api/v1/visits/{visit.pk}/cancel/", {}, format="json")
    assert missing.status_code == 400 and "reason" in missing.json()["fields"]
    assert (
        client.post(
            f"/api/v1/visits/{visit.pk}/cancel/", {"reason": "不需要了"}, format="json"
        ).json()["status"]
        == "cancelled"
    )


def test_the_list_filters(sr, second_sr, agent, technician, supervisor):
    first = book(sr, by=agent, technicians=[technician])
    second = book(second_sr, by=agent, technicians=[supervisor], day=TUESDAY)
    client = client_for(agent)

    def ids(**params):
        return [v["id"] for v in client.get("/api/v1/visits/", params).json()["results"]]

    assert ids() == [first.pk, second.pk]
    assert ids(technician="tech1") == [first.pk]
    assert ids(date="2026-03-03") == [second.pk]
    assert ids(date="1900-01-01") == []
    assert ids(service_request=second_sr.number.lower()) == [second.pk]
    client_for(technician).post(f"/api/v1/visits/{first.pk}/start/", {}, format="json")
    assert ids(status=["en_route", "in_progress"]) == [first.pk]
    assert client.get("/api/v1/visits/", {"date": "not-a-date"}).status_code == 400


def test_the_list_costs_the_same_queries_for_more_visits(now, agent, technician, customer_a):
    from aftersales.service_requests.tests.factories import make_request
    from aftersales.visits.tests.factories import make_visit_rows

    client = client_for(agent)

    def add_visits(count, day):
        for hour in range(count):
            request = make_request(by=agent, customer=customer_a)
            make_visit_rows(
                request,
                technicians=[technician],
                window_start=local(day, 8 + hour),
                window_end=local(day, 9 + hour),
            )

    add_visits(1, MONDAY)
    with CaptureQueriesContext(connection) as one:
        assert client.get("/api/v1/visits/").status_code == 200
    add_visits(6, TUESDAY)
    with CaptureQueriesContext(connection) as seven:
        assert client.get("/api/v1/visits/").json()["count"] == 7
    assert len(seven) == len(one)


def test_free_slots(sr, agent, technician, customer_user):
    book(sr, by=agent, technicians=[technician], start=(10, 0), end=(12, 0))
    response = client_for(agent).get(
        "/api/v1/technicians/tech1/free-slots/", {"date": "2026-03-02", "duration": 180}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["technician"] == "tech1" and body["time_zone"] == "Asia/Shanghai"
    assert body["free"] == [
        {"start": "2026-03-02T09:00:00+08:00", "end": "2026-03-02T10:00:00+08:00"},
        {"start": "2026-03-02T13:00:00+08:00", "end": "2026-03-02T18:00:00+08:00"},
    ]
    assert body["suggested"][0] == {
        "start": "2026-03-02T13:00:00+08:00",
        "end": "2026-03-02T16:00:00+08:00",
    }
    assert client_for(agent).get("/api/v1/technicians/tech1/free-slots/").status_code == 400
    bad = client_for(agent).get("/api/v1/technicians/tech1/free-slots/", {"date": "9999-12-31"})
    assert bad.status_code == 400 and "date" in bad.json()["fields"]
    assert (
        client_for(agent)
        .get("/api/v1/technicians/nobody/free-slots/", {"date": "2026-03-02"})
        .status_code
        == 404
    )
    assert (
        client_for(customer_user)
        .get("/api/v1/technicians/tech1/free-slots/", {"date": "2026-03-02"})
        .status_code
        == 403
    )


def test_leave_through_the_api(sr, agent, technician, supervisor):
    visit = book(sr, by=agent, technicians=[technician])
    payload = {
        "technician": "tech1",
        "start": "2026-03-02T00:00:00+08:00",
        "end": "2026-03-03T00:00:00+08:00",
        "reason": "病假",
    }
    assert client_for(technician).post("/api/v1/leaves/", payload, format="json").status_code == 403
    created = client_for(supervisor).post("/api/v1/leaves/", payload, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["clashing_visits"] == [visit.pk]
    listed = client_for(technician).get(
        "/api/v1/leaves/", {"technician": "tech1", "date": "2026-03-02"}
    )
    assert listed.json()["count"] == 1
    wrong = client_for(supervisor).post(
        "/api/v1/leaves/", {**payload, "end": payload["start"]}, format="json"
    )
    assert wrong.status_code == 400 and "end" in wrong.json()["fields"]
    leave_id = created.json()["id"]
    assert client_for(agent).delete(f"/api/v1/leaves/{leave_id}/").status_code == 403
    assert client_for(supervisor).delete(f"/api/v1/leaves/{leave_id}/").status_code == 204
