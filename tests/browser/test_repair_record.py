"""A technician writes the repair record with a part from their van on the request's page
(htmx), opens the printable PDF and resolves; the customer, from the tracking page, says it
is not fixed; the request is reopened and the next record is a repeat repair. In headless
Debian Chromium."""

import datetime
import os
import re
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from aftersales.parts.tests.factories import make_part, make_van, stocked
from aftersales.repair_records.models import Confirmation, PartUsed, RepairRecord
from aftersales.service_requests.models import ServiceRequest
from aftersales.service_requests.tests.factories import make_request, move_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("AFTERSALES_SCREENSHOTS", "")


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def _login(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pass-{username}")
    page.locator("button[type=submit]").click()
    page.wait_for_url(f"{base}/")


def test_record_resolve_not_fixed_and_repeat(
    live_server, new_page, agent, technician, customer_a, team_a
):
    part = make_part(part_number="CAP-35UF", name="启动电容")
    van = make_van(technician)
    stocked(van, part, 2)
    sr = move_to(
        make_request(by=agent, customer=customer_a, team=team_a),
        "in_progress",
        by=agent,
        assignee=technician,
    )
    base = live_server.url

    staff = new_page()
    _login(staff, base, "tech1")
    staff.goto(f"{base}/{sr.number}/")
    card = staff.locator("#repair-records-panel")
    card.locator("textarea[name=record-work_done]").fill("更换启动电容 <b>bold</b>")
    # The form reads times in the user's zone: the service's, for tech1.
    zone = ZoneInfo(settings.SERVICE_TIME_ZONE)
    started = (timezone.localtime(timezone=zone) - datetime.timedelta(hours=1)).strftime(
        "%Y-%m-%dT%H:%M"
    )
    card.locator("input[name=record-started_at]").fill(started)
    card.locator("select[name=record-test_outcome]").select_option("passed")
    card.locator("textarea[name=record-test_result]").fill("试机 30 分钟正常")
    card.locator("[data-form=record-new] button[type=submit]").click()
    expect(staff.locator("#repair-records-panel [data-record]")).to_have_count(1)
    record = RepairRecord.objects.get()
    assert 55 <= record.labour_minutes <= 65

    parts = staff.locator(f"[data-form=part-{record.pk}]")
    parts.locator("summary").click()
    parts.locator("select[name$=-source]").select_option(f"warehouse:{van.pk}")
    parts.locator("select[name$=-part]").select_option(str(part.pk))
    parts.locator("input[name$=-quantity]").fill("5")
    parts.locator("button[type=submit]").click()
    # Only two in the van: the refusal is shown on the card, nothing is recorded.
    expect(staff.locator(f"#record-{record.pk}-part-errors .error-box")).to_be_visible()
    assert not PartUsed.objects.exists()
    parts = staff.locator(f"[data-form=part-{record.pk}]")
    if not parts.locator("select[name$=-source]").is_visible():
        parts.locator("summary").click()
    parts.locator("select[name$=-source]").select_option(f"warehouse:{van.pk}")
    parts.locator("select[name$=-part]").select_option(str(part.pk))
    parts.locator("input[name$=-quantity]").fill("1")
    parts.locator("input[name$=-old_serial]").fill("OLD-1")
    parts.locator("input[name$=-new_serial]").fill("NEW-1")
    parts.locator("button[type=submit]").click()
    expect(staff.locator("#repair-records-panel [data-parts]")).to_contain_text("NEW-1")
    _shot(staff, "repair-record-card")

    pdf = staff.request.get(f"{base}/repair-records/records/{record.pk}/pdf/?lang=zh-hans")
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF-")

    resolve = staff.locator("[data-action=resolve]")
    if resolve.locator("summary").count():
        resolve.locator("summary").click()
    resolve.locator("textarea[name=resolution]").fill("更换启动电容后恢复制冷")
    resolve.locator("button[type=submit]").click()
    expect(staff.locator("[data-status]").first).to_have_attribute("data-status", "resolved")

    customer = new_page(viewport={"width": 390, "height": 844})  # a phone
    customer.goto(f"{base}/portal/track/")
    customer.fill("#id_number", sr.number)
    customer.fill("#id_contact", "13800138000")
    customer.locator("button.portal-submit").click()
    customer.locator("[data-track-confirm] button[type=submit]").click()
    expect(customer.locator("[data-confirm-question]")).to_be_visible()
    _shot(customer, "portal-is-it-fixed")
    customer.locator("#not-fixed-comment").fill("第二天又不制冷了")
    customer.locator("[data-answer=not_fixed] button[type=submit]").click()
    expect(customer.locator("[data-confirm-answered]")).to_have_attribute(
        "data-confirm-answered", "not_fixed"
    )

    sr.refresh_from_db()
    assert sr.status == ServiceRequest.Status.REOPENED
    assert Confirmation.objects.get().satisfied is False
    staff.goto(f"{base}/{sr.number}/")
    expect(staff.locator("#repair-records-panel [data-repeat-repair]")).to_be_visible()
    assert re.search(r"第二天又不制冷了", staff.content())
    assert staff.dialogs == [] and customer.dialogs == []
