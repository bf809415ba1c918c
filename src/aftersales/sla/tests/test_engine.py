"""Due times of real requests under the shipped policies and the 2026 Chinese calendar."""

import datetime
import zoneinfo

import pytest

from aftersales.service_requests import selectors, services
from aftersales.service_requests.tests.factories import make_request
from aftersales.sla import engine
from aftersales.sla.models import Calendar, CalendarException, SlaPolicy

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def local(*args):
    return datetime.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def frozen(time_machine):
    def to(moment):
        time_machine.move_to(moment, tick=False)

    return to


def test_high_priority_repair_across_national_day(agent, customer_a, frozen):
    """The issue's example: received Wed 30 Sep 2026 17:00, 16 working hours → Fri 9 Oct 17:00."""
    frozen(local(2026, 9, 30, 17, 0))
    request = make_request(by=agent, customer=customer_a, impact="high", urgency="medium")
    assert request.priority == "high"
    assert request.resolution_due_at == local(2026, 10, 9, 17, 0)
    # First response: 4 hours of service hours (08:00–22:00 every day) → 21:00 the same day.
    assert request.first_response_due_at == local(2026, 9, 30, 21, 0)
    assert request.sla_policy.name == "标准"
    assert request.resolution_calendar.name == "工作时间"


def test_make_up_saturday_counts_as_a_working_day(agent, customer_a, frozen):
    # Fri 9 Oct 2026 16:00, medium (24 working hours); Sat 10 Oct is a make-up working day.
    frozen(local(2026, 10, 9, 16, 0))
    request = make_request(by=agent, customer=customer_a)
    # Fri 2 h, Sat 8 h, Mon 12 Oct 8 h, Tue 13 Oct 6 h (09–12, 13–16) → 16:00.
    assert request.resolution_due_at == local(2026, 10, 13, 16, 0)


def test_urgent_runs_around_the_clock(agent, customer_a, frozen):
    frozen(local(2026, 10, 1, 3, 0))  # a holiday, at night
    request = make_request(by=agent, customer=customer_a, impact="high", urgency="high")
    assert request.first_response_due_at == local(2026, 10, 1, 4, 0)
    assert request.resolution_due_at == local(2026, 10, 2, 3, 0)


def test_complaints_and_email_get_their_own_policies(agent, customer_a, frozen):
    frozen(local(2026, 11, 2, 10, 0))
    complaint = make_request(by=agent, customer=customer_a, kind="complaint")
    assert complaint.sla_policy.name == "投诉"
    assert complaint.first_response_due_at == local(2026, 11, 3, 10, 0)
    email = make_request(
        by=agent, customer=customer_a, channel="email", impact="low", urgency="low"
    )
    assert email.sla_policy.name == "电子邮件"
    assert email.first_response_due_at == local(2026, 11, 3, 10, 0)  # within 24 hours


def test_changing_priority_recomputes_from_received_at(agent, customer_a, frozen):
    frozen(local(2026, 11, 2, 10, 0))  # Monday
    request = make_request(by=agent, customer=customer_a, impact="low", urgency="low")
    # 40 working hours: Mon 7 h, Tue–Fri 32 h, next Monday 1 h → 10:00.
    assert request.resolution_due_at == local(2026, 11, 9, 10, 0)
    frozen(local(2026, 11, 2, 15, 0))
    request = services.service_request_update(
        request,
        by=agent,
        data={"impact": "high", "urgency": "medium"},
        expected_version=request.version,
    )
    # From the time received, not from the change: Mon 10:00 + 16 working hours → Wed 10:00.
    assert request.resolution_due_at == local(2026, 11, 4, 10, 0)


def test_changing_the_category_to_one_with_its_own_policy_recomputes(agent, customer_a, frozen):
    frozen(local(2026, 11, 2, 10, 0))
    working = Calendar.objects.get(name="工作时间")
    policy = SlaPolicy.objects.create(name="软件", order=5, categories=["software"])
    policy.targets.create(
        priority="medium",
        first_response_minutes=30,
        first_response_calendar=working,
        resolution_minutes=120,
        resolution_calendar=working,
    )
    request = make_request(by=agent, customer=customer_a)
    request = services.service_request_update(
        request, by=agent, data={"category": "software"}, expected_version=request.version
    )
    assert request.sla_policy == policy
    assert request.resolution_due_at == local(2026, 11, 2, 12, 0)  # two working hours from 10:00


def test_warning_and_breach_states(agent, customer_a, frozen):
    frozen(local(2026, 11, 2, 10, 0))
    request = make_request(
        by=agent, customer=customer_a, impact="high", urgency="high"
    )  # urgent: 1 h
    assert request.first_response_warn_at == local(2026, 11, 2, 10, 45)
    frozen(local(2026, 11, 2, 10, 50))
    assert selectors.sla_block(request)["first_response"]["state"] == "warning"
    assert selectors.sla_block(request)["first_response"]["remaining_seconds"] == 10 * 60
    frozen(local(2026, 11, 2, 11, 5))
    assert selectors.sla_block(request)["first_response"]["state"] == "breached"
    services.comment_add(request, by=agent, body="您好", internal=False)
    request.refresh_from_db()
    assert selectors.sla_block(request)["first_response"]["state"] == "missed"


def test_a_changed_calendar_gives_a_new_clock(db):
    working = Calendar.objects.get(name="工作时间")
    clock = engine.clock_for(working)
    CalendarException.objects.create(
        calendar=working, date=datetime.date(2026, 11, 2), working=False
    )
    working.refresh_from_db()
    assert engine.clock_for(working) is not clock
    assert not engine.clock_for(working).is_open(local(2026, 11, 2, 10, 0))


def test_years_without_complete_holiday_data_are_reported(db):
    working = Calendar.objects.get(name="工作时间")
    assert engine.missing_holiday_years(
        working, local(2026, 12, 30, 9, 0), local(2027, 1, 5, 9, 0)
    ) == [2027]
    assert (
        engine.missing_holiday_years(working, local(2026, 3, 1, 9, 0), local(2026, 3, 5, 9, 0))
        == []
    )
    around = Calendar.objects.get(name="全天候")
    assert (
        engine.missing_holiday_years(around, local(2030, 1, 1, 0, 0), local(2031, 1, 1, 0, 0)) == []
    )


def test_staff_are_warned_when_a_target_runs_into_a_year_without_holiday_data(
    agent, customer_a, frozen, client
):
    frozen(local(2026, 12, 31, 17, 0))
    request = make_request(
        by=agent, customer=customer_a, impact="low", urgency="low"
    )  # 40 working hours
    client.force_login(agent)
    page = client.get(f"/{request.number}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "data-holiday-gaps" in page and "2027" in page
    frozen(local(2026, 3, 2, 10, 0))
    current = make_request(by=agent, customer=customer_a, impact="low", urgency="low")
    assert "data-holiday-gaps" not in client.get(f"/{current.number}/").content.decode()


def test_a_calendar_change_recomputes_open_requests_once(
    agent, customer_a, frozen, admin_user, django_capture_on_commit_callbacks
):
    from rest_framework.test import APIClient

    frozen(local(2026, 11, 2, 10, 0))  # Monday
    request = make_request(by=agent, customer=customer_a)  # medium: 24 working hours → Thu 10:00
    closed = make_request(by=agent, customer=customer_a)
    services.service_request_act(closed, "resolve", by=agent, data={"resolution": "电话指导解决"})
    assert request.resolution_due_at == local(2026, 11, 5, 10, 0)
    working = Calendar.objects.get(name="工作时间")
    api = APIClient()
    api.force_authenticate(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"/api/v1/calendars/{working.pk}/holiday-year/",
            {"year": 2026, "holidays": ["2026-11-03"], "working_days": []},
            format="json",
        )
    assert response.status_code == 200
    request.refresh_from_db()
    assert request.resolution_due_at == local(2026, 11, 6, 10, 0)  # Tuesday closed: one day later
    event = request.events.filter(kind="updated", actor__isnull=True).get()
    assert "resolution_due_at" in event.changes
    closed.refresh_from_db()
    # Resolved requests keep theirs: no recompute line (only its follow-up was planned).
    assert not closed.events.filter(kind="updated", changes__has_key="resolution_due_at").exists()


def test_sla_state_filter_and_the_at_risk_view(agent, customer_a, frozen):
    from rest_framework.test import APIClient

    frozen(local(2026, 11, 2, 10, 0))
    urgent = make_request(
        by=agent, customer=customer_a, impact="high", urgency="high"
    )  # 1 h first response
    calm = make_request(by=agent, customer=customer_a, impact="low", urgency="low")
    api = APIClient()
    api.force_authenticate(agent)

    def numbers(**params):
        return {r["number"] for r in api.get("/api/v1/service-requests/", params).json()["results"]}

    assert numbers(sla_state="ok") == {urgent.number, calm.number}
    frozen(local(2026, 11, 2, 10, 50))
    assert numbers(sla_state="warning") == {urgent.number}
    assert numbers(view="at_risk") == {urgent.number}
    frozen(local(2026, 11, 2, 11, 30))
    assert numbers(sla_state="breached") == {urgent.number}
    assert numbers(overdue="true") == {urgent.number}
    assert numbers(sla_state="ok") == {calm.number}
    assert api.get("/api/v1/service-requests/", {"sla_state": "late"}).status_code == 400


def test_the_console_filters_by_sla_state(agent, customer_a, frozen, client):
    frozen(local(2026, 11, 2, 10, 0))
    urgent = make_request(by=agent, customer=customer_a, impact="high", urgency="high")
    calm = make_request(by=agent, customer=customer_a, impact="low", urgency="low")
    frozen(local(2026, 11, 2, 10, 50))
    client.force_login(agent)
    page = client.get("/", {"sla_state": "warning"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert urgent.number in page and calm.number not in page
    assert 'name="sla_state"' in page


def test_a_new_calendar_with_a_reused_id_gets_its_own_clock(db):
    """SQLite gives a new row the id of a deleted last one; the cached clock of the old
    calendar must not answer for the new one."""
    from aftersales.sla.models import CalendarPeriod

    saturday = datetime.date(2026, 3, 7)
    old = Calendar.objects.create(name="旧日历", time_zone="Asia/Shanghai")
    CalendarPeriod.objects.create(
        calendar=old, weekday=5, start=datetime.time(9), end=datetime.time(10)
    )
    old.refresh_from_db()
    assert engine.clock_for(old).spec.periods_on(saturday) == ((540, 600),)
    pk = old.pk
    old.delete()
    new = Calendar.objects.create(pk=pk, name="新日历", time_zone="Asia/Shanghai")
    CalendarPeriod.objects.create(
        calendar=new, weekday=5, start=datetime.time(8), end=datetime.time(20)
    )
    new.refresh_from_db()
    assert new.revision == old.revision  # the same id and revision as the old one
    assert engine.clock_for(new).spec.periods_on(saturday) == ((480, 1200),)
