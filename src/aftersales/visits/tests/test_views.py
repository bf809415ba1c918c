"""The visit pages through the test client: who sees them, the technician's day with and
without htmx, the schedule board, booking and moving, the request's card, the portal."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from aftersales.service_requests.models import Comment, ServiceRequest
from aftersales.visits.models import Visit
from aftersales.visits.tests.factories import book

HTMX = {"HTTP_HX_REQUEST": "true"}
V = Visit.Status


@pytest.fixture
def client():
    """A browser asking for English, the language the assertions are written in."""
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def visit(sr, agent, technician):
    return book(sr, by=agent, technicians=[technician], notes="带梯子")


def pages(visit):
    return [
        reverse("visits:today"),
        reverse("visits:schedule"),
    ]


def test_strangers_are_sent_to_sign_in(client, visit):
    for page in [*pages(visit), reverse("visits:book")]:
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_customers_are_refused(client, visit, customer_user):
    client.force_login(customer_user)
    for page in [
        *pages(visit),
        reverse("visits:book"),
        reverse("visits:reschedule", args=[visit.pk]),
    ]:
        assert client.get(page).status_code == 403
    step = reverse("visits:step", args=[visit.pk, "start"])
    assert client.post(step).status_code == 403


def test_the_technicians_day_lists_the_visits_with_what_to_do(client, visit, sr, technician):
    client.force_login(technician)
    response = client.get(reverse("visits:today"))
    assert response.status_code == 200
    html = response.content.decode()
    assert sr.number in html and sr.title in html
    assert 'href="tel:13800138000"' in html
    assert sr.address in html and "带梯子" in html
    assert "10:00–12:00" in html
    for step in ("start", "arrive", "record", "no-one-home", "finish"):
        assert reverse("visits:step", args=[visit.pk, step]) in html
    assert 'name="viewport"' in html


def test_another_day_and_an_empty_day(client, visit, technician):
    client.force_login(technician)
    html = client.get(reverse("visits:today"), {"date": "2026-03-03"}).content.decode()
    assert "data-no-visits" in html
    assert client.get(reverse("visits:today"), {"date": "garbage"}).status_code == 200


def test_steps_without_javascript_redirect_back_to_the_day(client, visit, sr, technician):
    client.force_login(technician)
    response = client.post(reverse("visits:step", args=[visit.pk, "start"]))
    assert response.status_code == 302
    assert response["Location"] == reverse("visits:today") + "?date=2026-03-02"
    visit.refresh_from_db()
    assert visit.status == V.EN_ROUTE
    prefix = f"v{visit.pk}"
    client.post(reverse("visits:step", args=[visit.pk, "arrive"]))
    client.post(
        reverse("visits:step", args=[visit.pk, "record"]), {f"{prefix}-body": "更换电容，试机正常"}
    )
    assert Comment.objects.get(request=sr).is_internal
    client.post(reverse("visits:step", args=[visit.pk, "finish"]), {f"{prefix}-summary": "已修好"})
    visit.refresh_from_db()
    assert visit.status == V.DONE and visit.summary == "已修好"


def test_steps_with_htmx_answer_the_refreshed_day(client, visit, technician):
    client.force_login(technician)
    response = client.post(reverse("visits:step", args=[visit.pk, "start"]), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="day-visits"')
    assert 'data-visit-status="en_route"' in html


def test_a_refused_step_is_shown_on_the_visit(client, visit, technician):
    client.force_login(technician)
    url = reverse("visits:step", args=[visit.pk, "no-one-home"])
    response = client.post(url, {f"v{visit.pk}-note": ""}, **HTMX)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    response = client.post(url, {f"v{visit.pk}-note": ""})
    assert response.status_code == 302
    assert list(get_messages(response.wsgi_request))


def test_someone_not_on_the_visit_is_refused(client, visit, supervisor):
    client.force_login(supervisor)
    response = client.post(reverse("visits:step", args=[visit.pk, "start"]), **HTMX)
    assert response.status_code == 403
    visit.refresh_from_db()
    assert visit.status == V.BOOKED


def test_an_unknown_step_or_visit_is_not_found(client, visit, technician, other_technician):
    client.force_login(technician)
    assert client.post(reverse("visits:step", args=[visit.pk, "explode"])).status_code == 404
    client.force_login(other_technician)
    assert client.post(reverse("visits:step", args=[visit.pk, "start"])).status_code == 404


def test_steps_reject_get(client, visit, technician):
    client.force_login(technician)
    assert client.get(reverse("visits:step", args=[visit.pk, "start"])).status_code == 405
    assert client.get(reverse("visits:cancel", args=[visit.pk])).status_code == 405


def test_the_schedule_board(client, visit, sr, agent, technician, other_technician):
    client.force_login(agent)
    response = client.get(reverse("visits:schedule"), {"date": "2026-03-02"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-technician="tech1"' in html and sr.number in html
    client.force_login(other_technician)  # cannot see the request: sees the time taken
    html = client.get(reverse("visits:schedule"), {"date": "2026-03-02"}).content.decode()
    assert sr.number not in html and "Busy" in html


def test_booking_page_suggests_windows_and_books(client, sr, agent, technician):
    client.force_login(agent)
    page = client.get(reverse("visits:book"), {"number": sr.number})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'value="tech1" checked' in html  # the request's assignee, chosen already
    page = client.get(
        reverse("visits:book"),
        {"number": sr.number, "technicians": "tech1", "date": "2026-03-02", "duration": "120"},
    )
    html = page.content.decode()
    assert "data-suggestions" in html and "09:00–11:00" in html and "13:00–15:00" in html
    response = client.post(
        reverse("visits:book"),
        {
            "number": sr.number,
            "technicians": ["tech1"],
            "date": "2026-03-02",
            "start": "13:00",
            "end": "15:00",
            "address": "",
            "notes": "",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("service_requests:detail", args=[sr.number])
    visit = Visit.objects.get()
    assert visit.window_start.hour == 5  # 13:00 in Shanghai is 05:00 UTC
    sr.refresh_from_db()
    assert sr.status == ServiceRequest.Status.SCHEDULED


def test_booking_page_shows_refusals_on_the_fields(client, sr, agent, visit):
    client.force_login(agent)
    form = {
        "number": sr.number,
        "technicians": ["tech1"],
        "date": "2026-03-02",
        "start": "11:00",
        "end": "12:00",
    }
    response = client.post(reverse("visits:book"), form)
    assert response.status_code == 409
    assert "already booked" in response.content.decode()
    response = client.post(reverse("visits:book"), {**form, "start": "12:00", "end": "13:00"})
    assert response.status_code == 400
    assert "outside the working hours" in response.content.decode()
    response = client.post(reverse("visits:book"), {**form, "number": "SR-20990101-0001"})
    assert response.status_code == 400
    assert "No service request with this number" in response.content.decode()


def test_technicians_cannot_open_the_booking_page(client, technician):
    client.force_login(technician)
    assert client.get(reverse("visits:book")).status_code == 403


def test_reschedule_and_cancel_pages(client, visit, sr, agent):
    client.force_login(agent)
    page = client.get(reverse("visits:reschedule", args=[visit.pk]))
    assert page.status_code == 200 and "10:00–12:00" in page.content.decode()
    response = client.post(
        reverse("visits:reschedule", args=[visit.pk]),
        {
            "technicians": ["tech1"],
            "date": "2026-03-03",
            "start": "09:00",
            "end": "11:00",
            "reason": "客户改约",
        },
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.status == V.RESCHEDULED
    new = visit.rescheduled_to
    response = client.post(reverse("visits:cancel", args=[new.pk]), {"reason": "不需要了"})
    assert response.status_code == 302
    new.refresh_from_db()
    assert new.status == V.CANCELLED


def test_the_requests_page_shows_its_visits(client, visit, sr, agent, technician, customer_user):
    client.force_login(agent)
    html = client.get(reverse("service_requests:detail", args=[sr.number])).content.decode()
    assert 'id="visits-panel"' in html and f'data-visit="{visit.pk}"' in html
    assert reverse("visits:reschedule", args=[visit.pk]) in html
    assert reverse("visits:cancel", args=[visit.pk]) in html
    assert "Book a visit" in html
    client.force_login(customer_user)
    html = client.get(reverse("service_requests:detail", args=[sr.number])).content.decode()
    assert f'data-visit="{visit.pk}"' in html and "带梯子" not in html
    assert technician.display_name not in html.split('id="visits-panel"')[1].split("</section>")[0]
    assert reverse("visits:cancel", args=[visit.pk]) not in html


def test_the_requests_page_card_refreshes_with_htmx(client, visit, sr, agent):
    client.force_login(agent)
    response = client.get(reverse("service_requests:detail", args=[sr.number]), **HTMX)
    assert 'id="visits-panel"' in response.content.decode()


def test_the_portal_shows_the_next_visit(client, visit, sr):
    response = client.post(reverse("portal:track"), {"number": sr.number, "contact": "13800138000"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-next-visit" in html and "2026-03-02 10:00–12:00" in html
