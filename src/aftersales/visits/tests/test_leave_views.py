"""The leave page: supervisors and admins enter and remove technicians' leave (and are shown
the visits booked in it); technicians see their own; customers are refused."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.visits.models import Leave
from aftersales.visits.tests.factories import MONDAY, book, local


@pytest.fixture
def client():
    return Client(headers={"accept-language": "en"})


def _form(technician, *, first="2026-03-04", last="2026-03-05", start="00:00", end="23:59"):
    return {
        "technician": technician.username,
        "start_date": first,
        "start_time": start,
        "end_date": last,
        "end_time": end,
        "reason": "年假",
    }


def test_a_supervisor_enters_leave_and_sees_the_visits_in_it(
    client, now, sr, agent, supervisor, technician
):
    wednesday = MONDAY + datetime.timedelta(days=2)
    booked = book(sr, by=agent, technicians=[technician], day=wednesday)
    client.force_login(supervisor)
    page = client.post(reverse("visits:leave"), _form(technician))
    assert page.status_code == 200
    html = page.content.decode()
    assert "data-leave-clashes" in html and sr.number in html
    assert reverse("visits:reschedule", args=[booked.pk]) in html
    leave = Leave.objects.get(technician=technician)
    assert leave.start == local(wednesday, 0, 0) and leave.reason == "年假"
    assert f'data-leave="{leave.pk}"' in client.get(reverse("visits:leave")).content.decode()


def test_a_leave_that_ends_before_it_starts_is_refused_on_the_form(
    client, now, supervisor, technician
):
    client.force_login(supervisor)
    page = client.post(
        reverse("visits:leave"), _form(technician, first="2026-03-05", last="2026-03-04")
    )
    assert page.status_code == 400
    assert "The leave must end after it starts." in page.content.decode()
    assert not Leave.objects.exists()


def test_a_supervisor_cannot_enter_leave_for_another_team(
    client, now, supervisor, other_technician
):
    client.force_login(supervisor)
    page = client.post(reverse("visits:leave"), _form(other_technician))
    assert page.status_code == 400  # not among the choices offered
    assert not Leave.objects.exists()


def test_technicians_see_their_own_leave_and_cannot_enter_or_remove_any(
    client, now, admin_user, technician, other_technician
):
    mine = Leave.objects.create(
        technician=technician,
        start=local(MONDAY, 9, 0),
        end=local(MONDAY, 18, 0),
        created_by=admin_user,
    )
    theirs = Leave.objects.create(
        technician=other_technician,
        start=local(MONDAY, 9, 0),
        end=local(MONDAY, 18, 0),
        created_by=admin_user,
    )
    client.force_login(technician)
    html = client.get(reverse("visits:leave")).content.decode()
    assert f'data-leave="{mine.pk}"' in html and f'data-leave="{theirs.pk}"' not in html
    assert "data-leave-form" not in html
    assert client.post(reverse("visits:leave"), _form(technician)).status_code == 403
    assert client.post(reverse("visits:leave_delete", args=[mine.pk])).status_code == 403
    assert Leave.objects.count() == 2


def test_an_admin_removes_leave(client, now, admin_user, technician):
    leave = Leave.objects.create(
        technician=technician,
        start=local(MONDAY, 9, 0),
        end=local(MONDAY, 18, 0),
        created_by=admin_user,
    )
    client.force_login(admin_user)
    assert client.post(reverse("visits:leave_delete", args=[leave.pk])).status_code == 302
    assert not Leave.objects.exists()
    assert client.post(reverse("visits:leave_delete", args=[leave.pk])).status_code == 404


def test_customers_are_refused(client, now, customer_user):
    client.force_login(customer_user)
    assert client.get(reverse("visits:leave")).status_code == 403
