"""A technician works their day on a phone (390×844): signs in, sees today's visits in
order, sets off, arrives, records what they did and finishes; the same step also works
without JavaScript. In headless Debian Chromium."""

import datetime
import re
import zoneinfo

import pytest
import time_machine
from playwright.sync_api import expect

from aftersales.service_requests import services as request_services
from aftersales.service_requests.models import Comment, ServiceRequest
from aftersales.service_requests.tests.factories import make_request
from aftersales.visits import services
from aftersales.visits.models import Visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def _today_at(hour: int) -> datetime.datetime:
    today = datetime.datetime.now(SHANGHAI).date()
    return datetime.datetime.combine(today, datetime.time(hour), tzinfo=SHANGHAI)


def _book(agent, technician, customer, team, *, title, hour):
    request = make_request(
        by=agent, customer=customer, team=team, title=title, address="北京市海淀区中关村大街 1 号"
    )
    request = request_services.service_request_act(
        request, "assign", by=agent, data={"assignee": technician}
    )
    # Booked early this morning, so the window lies ahead whatever the time of the test.
    with time_machine.travel(_today_at(0) + datetime.timedelta(minutes=5), tick=False):
        return services.visit_book(
            service_request=request,
            technicians=[technician],
            window_start=_today_at(hour),
            window_end=_today_at(hour + 2),
            outside_hours=True,
            notes="小区东门进，提前电话联系",
            by=agent,
        )


def _sign_in(page, url, username):
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pass-{username}")
    page.locator("form:has(#id_username) button[type=submit]").click()
    page.wait_for_url(f"{url}/")


def test_a_technician_works_the_day_on_a_phone(
    live_server, browser, new_page, agent, technician, customer_a, team_a
):
    afternoon = _book(agent, technician, customer_a, team_a, title="热水器不点火", hour=14)
    morning = _book(agent, technician, customer_a, team_a, title="空调不制冷", hour=9)

    phone = new_page(viewport=PHONE)
    _sign_in(phone, live_server.url, "tech1")
    phone.goto(f"{live_server.url}/visits/today/")

    cards = phone.locator("[data-visit]")
    expect(cards).to_have_count(2)
    # In the order of the day, with what the technician needs at the door.
    expect(cards.nth(0)).to_have_attribute("data-visit", str(morning.pk))
    expect(cards.nth(1)).to_have_attribute("data-visit", str(afternoon.pk))
    first = cards.nth(0)
    expect(first).to_contain_text("09:00–11:00")
    expect(first).to_contain_text("空调不制冷")
    expect(first).to_contain_text("中关村大街")
    expect(first.locator("a.visit-tel")).to_have_attribute("href", "tel:13800138000")
    # Nothing wider than the phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    button = first.locator("[data-step=start]")
    assert button.bounding_box()["height"] >= 44  # big enough for a thumb

    button.click()
    first = phone.locator(f"[data-visit='{morning.pk}']")
    expect(first).to_have_attribute("data-visit-status", "en_route")
    first.locator("[data-step=arrive]").click()
    first = phone.locator(f"[data-visit='{morning.pk}']")
    expect(first).to_have_attribute("data-visit-status", "in_progress")

    first.locator("[data-step-panel=record] summary").click()
    first.locator("[data-step-panel=record] textarea").fill("更换启动电容，试机制冷正常")
    first.locator("[data-step=record]").click()
    expect(phone.locator("#day-visits [data-done=record]")).to_be_visible()

    first = phone.locator(f"[data-visit='{morning.pk}']")
    first.locator("[data-step-panel=finish] summary").click()
    first.locator("[data-step-panel=finish] textarea").fill("已修好，客户确认")
    first.locator("[data-step=finish]").click()
    expect(phone.locator(f"[data-visit='{morning.pk}']")).to_have_attribute(
        "data-visit-status", "done"
    )

    morning.refresh_from_db()
    assert morning.status == Visit.Status.DONE and morning.summary == "已修好，客户确认"
    note = Comment.objects.get(request=morning.service_request)
    assert note.is_internal and note.body == "更换启动电容，试机制冷正常"
    request = ServiceRequest.objects.get(pk=morning.service_request_id)
    assert request.status == ServiceRequest.Status.IN_PROGRESS
    assert phone.dialogs == []

    # The same steps work without JavaScript: the form posts and the page comes back.
    context = browser.new_context(locale="zh-CN", viewport=PHONE, java_script_enabled=False)
    try:
        page = context.new_page()
        _sign_in(page, live_server.url, "tech1")
        page.goto(f"{live_server.url}/visits/today/")
        page.locator(f"[data-visit='{afternoon.pk}'] [data-step=start]").click()
        page.wait_for_url(re.compile(r".*/visits/today/\?date=\d{4}-\d{2}-\d{2}$"))
        expect(page.locator(f"[data-visit='{afternoon.pk}']")).to_have_attribute(
            "data-visit-status", "en_route"
        )
    finally:
        context.close()
