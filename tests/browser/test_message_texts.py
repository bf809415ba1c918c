"""An administrator rewrites the receipt's Chinese text in a real browser: the page starts
from the product's text with its values, the preview follows the typing (htmx) with sample
values, a wrong value name is named before saving, and the saved text is what the next
customer receives. In headless Debian Chromium."""

import pytest
from playwright.sync_api import expect

from aftersales.notices.models import MessageTemplate
from aftersales.notifications.models import OutboxMessage
from aftersales.service_requests.tests.factories import make_request

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, url, username):
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pass-{username}")
    page.locator("form:has(#id_username) button[type=submit]").click()
    page.wait_for_url(f"{url}/")


def test_an_admin_rewrites_the_receipt_with_a_live_preview(
    live_server, new_page, admin_user, agent, customer_a
):
    page = new_page(locale="zh-CN")
    _sign_in(page, live_server.url, "admin1")
    page.goto(f"{live_server.url}/notices/templates/")
    page.locator("tr[data-event=receipt] a[data-cell=email-zh-hans]").click()
    body = page.locator("#id_body")
    expect(body).to_contain_text("{{ number }}")
    preview = page.locator("[data-preview]")
    expect(preview).to_contain_text("SR-2026-000123")  # the sample, not a placeholder

    body.fill("{{ name }}您好，服务单 {{ numbr }} 已受理。")
    expect(page.locator("[data-preview] [role=alert]")).to_contain_text("numbr")
    body.fill("{{ name }}您好，服务单 {{ number }} 已受理，{{ response_due }} 前答复。")
    expect(preview).to_contain_text("王芳您好，服务单 SR-2026-000123 已受理")
    page.fill("#id_subject", "【受理】{{ number }}")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".messages")).to_be_visible()
    assert MessageTemplate.objects.get().subject == "【受理】{{ number }}"

    request = make_request(by=agent, customer=customer_a)  # no language: Simplified Chinese
    receipt = OutboxMessage.objects.get(event="receipt")
    assert receipt.subject == f"【受理】{request.number}"
    assert receipt.body.startswith(f"{request.contact_name}您好，服务单 {request.number} 已受理")
