"""A customer reports a problem in Chinese on the portal, gets a receipt, tracks it; an agent
finds it in the console and assigns it to a technician. In headless Debian Chromium."""

import re

import pytest
from playwright.sync_api import expect

from aftersales.service_requests.models import ServiceRequest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
HOSTILE = '<script>alert("xss")</script><img src=x onerror=alert(1)>'


def test_portal_submission_is_tracked_and_assigned(
    live_server, new_page, agent, technician, tmp_path
):
    photo = tmp_path / "空调照片.png"
    photo.write_bytes(PNG)

    customer = new_page(viewport={"width": 390, "height": 844})  # a phone
    customer.goto(f"{live_server.url}/portal/submit/")
    customer.fill("#id_name", "王小明")
    customer.fill("#id_phone", "13712345678")
    customer.fill("#id_email", "wang@example.com")
    customer.select_option("#id_kind", "repair")
    customer.fill("#id_title", "空调不制冷")
    customer.fill("#id_description", f"客厅空调开机后不制冷，外机有异响。{HOSTILE}")
    customer.set_input_files("#id_attachments", str(photo))
    customer.locator("button.portal-submit").click()

    number = customer.locator("#service-number").inner_text().strip()
    assert re.fullmatch(r"SR-\d{8}-\d{4}", number)
    request = ServiceRequest.objects.get(number=number)
    assert request.channel == "web"
    assert request.attachments.count() == 1

    customer.goto(f"{live_server.url}/portal/track/")
    customer.fill("#id_number", number.lower())
    customer.fill("#id_contact", "137 1234 5678")
    customer.locator("button.portal-submit").click()
    expect(customer.locator("body")).to_contain_text(number)
    expect(customer.locator("body")).to_contain_text("空调不制冷")

    staff = new_page()
    staff.goto(f"{live_server.url}/accounts/login/")
    staff.fill("#id_username", "agent1")
    staff.fill("#id_password", "pass-agent1")
    staff.locator("button[type=submit]").click()
    staff.wait_for_url(f"{live_server.url}/")
    staff.fill("input[name=search]", "制冷")
    staff.keyboard.press("Enter")
    staff.locator(f"a:has-text('{number}')").first.click()
    staff.wait_for_url(re.compile(rf".*/{number}/$"))
    expect(staff.locator("body")).to_contain_text("外机有异响")

    assign = staff.locator("[data-action=assign]")
    if assign.locator("summary").count():
        assign.locator("summary").click()
    assign.locator("select[name=assignee]").select_option("tech1")
    assign.locator("button[type=submit]").click()
    expect(staff.locator("[data-status]")).to_have_attribute("data-status", "assigned")

    request.refresh_from_db()
    assert request.status == "assigned"
    assert request.assignee == technician
    assert customer.dialogs == [] and staff.dialogs == [], "a script in the description ran"
