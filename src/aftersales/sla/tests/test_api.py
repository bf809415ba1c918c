"""calendars/ and sla-policies/ through the API, and the shipped defaults."""

import datetime

import pytest
from rest_framework.test import APIClient

from aftersales.sla.models import Calendar, CalendarException, HolidayYear, SlaPolicy


@pytest.fixture
def admin_api(admin_user):
    client = APIClient()
    client.force_authenticate(admin_user)
    return client


def test_defaults_are_shipped(db):
    assert set(Calendar.objects.values_list("name", flat=True)) >= {
        "服务时间",
        "工作时间",
        "全天候",
    }
    working = Calendar.objects.get(name="工作时间")
    national_day = CalendarException.objects.get(calendar=working, date=datetime.date(2026, 10, 1))
    assert national_day.working is False
    makeup = CalendarException.objects.get(calendar=working, date=datetime.date(2026, 10, 10))
    assert makeup.working is True  # Saturday, a make-up working day
    assert HolidayYear.objects.get(calendar=working, year=2026).complete
    assert not HolidayYear.objects.get(calendar=working, year=2027).complete  # forecast only
    standard = SlaPolicy.objects.get(name="标准")
    high = standard.targets.get(priority="high")
    assert (high.first_response_minutes, high.first_response_calendar.name) == (240, "服务时间")
    assert (high.resolution_minutes, high.resolution_calendar.name) == (960, "工作时间")
    complaints = SlaPolicy.objects.get(name="投诉")
    assert complaints.order < standard.order and complaints.kinds == ["complaint"]


def test_create_a_calendar_with_periods_and_exceptions(admin_api):
    response = admin_api.post(
        "/api/v1/calendars/",
        {
            "name": "柏林工作时间",
            "name_en": "Berlin office",
            "time_zone": "Europe/Berlin",
            "periods": [
                {"weekday": 0, "start": "08:00", "end": "12:00"},
                {"weekday": 0, "start": "13:00", "end": "17:00"},
                {"weekday": 5, "start": "20:00", "end": "24:00"},
            ],
            "exceptions": [
                {"date": "2026-12-25", "working": False, "name": "Weihnachten"},
                {
                    "date": "2026-12-27",
                    "working": True,
                    "name": "Inventur",
                    "periods": [["10:00", "14:00"]],
                },
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [p["end"] for p in body["periods"]] == ["12:00", "17:00", "24:00"]
    assert body["exceptions"][1]["periods"] == [["10:00", "14:00"]]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "x", "time_zone": "Mars/Olympus"}, "time_zone"),
        ({"name": "x", "periods": [{"weekday": 0, "start": "12:00", "end": "09:00"}]}, "periods"),
        (
            {"name": "x", "periods": [{"weekday": 0, "start": "9:00", "end": "12:00"}]},
            "periods.0.start",
        ),
        (
            {"name": "x", "periods": [{"weekday": 7, "start": "09:00", "end": "12:00"}]},
            "periods.0.weekday",
        ),
        (
            {
                "name": "x",
                "periods": [
                    {"weekday": 1, "start": "09:00", "end": "12:00"},
                    {"weekday": 1, "start": "11:00", "end": "13:00"},
                ],
            },
            "periods",
        ),
        (
            {
                "name": "x",
                "exceptions": [
                    {"date": "2026-10-01", "working": False, "periods": [["09:00", "10:00"]]}
                ],
            },
            "exceptions.0.periods",
        ),
        ({"name": "工作时间"}, "name"),
    ],
)
def test_bad_calendars_are_refused_with_the_field_named(payload, field, admin_api):
    before = Calendar.objects.count()
    response = admin_api.post("/api/v1/calendars/", payload, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["fields"], response.json()
    assert Calendar.objects.count() == before


def test_entering_a_years_notice_replaces_it_and_completes_it(admin_api):
    working = Calendar.objects.get(name="工作时间")
    revision = working.revision
    response = admin_api.post(
        f"/api/v1/calendars/{working.pk}/holiday-year/",
        {
            "year": 2027,
            "holidays": ["2027-01-01", "2027-02-08", "2027-02-09"],
            "working_days": ["2027-02-20"],
            "source": "国务院办公厅通知",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    days = CalendarException.objects.filter(calendar=working, date__year=2027)
    assert sorted((d.date.isoformat(), d.working) for d in days) == [
        ("2027-01-01", False),
        ("2027-02-08", False),
        ("2027-02-09", False),
        ("2027-02-20", True),
    ]
    assert HolidayYear.objects.get(calendar=working, year=2027).complete
    working.refresh_from_db()
    assert working.revision > revision
    wrong_year = admin_api.post(
        f"/api/v1/calendars/{working.pk}/holiday-year/",
        {"year": 2027, "holidays": ["2028-01-01"]},
        format="json",
    )
    assert wrong_year.status_code == 400 and "holidays" in wrong_year.json()["fields"]


def test_a_calendar_in_use_cannot_be_deleted(admin_api):
    working = Calendar.objects.get(name="工作时间")
    response = admin_api.delete(f"/api/v1/calendars/{working.pk}/")
    assert response.status_code == 409
    assert Calendar.objects.filter(pk=working.pk).exists()


def test_policies_need_one_target_per_priority(admin_api):
    working = Calendar.objects.get(name="工作时间").pk
    target = {
        "priority": "high",
        "first_response_minutes": 30,
        "first_response_calendar": working,
        "resolution_minutes": 240,
        "resolution_calendar": working,
    }
    twice = admin_api.post(
        "/api/v1/sla-policies/", {"name": "VIP", "targets": [target, target]}, format="json"
    )
    assert twice.status_code == 400 and "targets" in twice.json()["fields"]
    bad_kind = admin_api.post(
        "/api/v1/sla-policies/",
        {"name": "VIP", "kinds": ["teleport"], "targets": [target]},
        format="json",
    )
    assert bad_kind.status_code == 400 and "kinds.0" in bad_kind.json()["fields"]
    created = admin_api.post(
        "/api/v1/sla-policies/", {"name": "VIP", "order": 1, "targets": [target]}, format="json"
    )
    assert created.status_code == 201
    assert created.json()["targets"][0]["first_response_minutes"] == 30
