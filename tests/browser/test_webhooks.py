"""An administrator sets up a webhook in the Django admin, in a real browser: a URL on this
machine is refused until private addresses are allowed, a test event reaches a real
receiver on 127.0.0.1 signed, and a new request appears in the delivery log as delivered.
In headless Debian Chromium."""

import json

import pytest
from playwright.sync_api import expect

from aftersales.service_requests.tests.factories import make_request
from aftersales.webhooks import signing
from aftersales.webhooks.models import WebhookDelivery, WebhookSubscription
from aftersales.webhooks.tests.servers import serve

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def receiver():
    state, server = serve("127.0.0.1")
    yield state
    server.shutdown()
    server.server_close()


def _sign_in(page, url, username):
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pass-{username}")
    page.locator("form:has(#id_username) button[type=submit]").click()
    page.wait_for_url(f"{url}/")


def test_an_admin_sets_up_a_webhook_and_sees_it_deliver(
    live_server, new_page, admin_user, agent, customer_a, receiver
):
    page = new_page(locale="en-US")
    page.set_default_timeout(60000)  # the admin pages are heavier than the console
    _sign_in(page, live_server.url, "admin1")
    page.goto(f"{live_server.url}/admin/webhooks/webhooksubscription/add/")
    page.fill("#id_name", "Dealer system")
    page.fill("#id_url", receiver.url())
    page.fill("#id_events", '["service_request.created"]')
    page.locator("input[name=_save]").click()
    expect(page.locator(".errorlist")).to_contain_text("127.0.0.1")
    assert not WebhookSubscription.objects.exists()

    page.check("#id_allow_private")
    page.locator("input[name=_save]").click()
    page.wait_for_url(f"{live_server.url}/admin/webhooks/webhooksubscription/")
    hook = WebhookSubscription.objects.get()

    page.locator("input[name=_selected_action]").first.check()
    page.select_option("select[name=action]", "send_test")
    page.locator("button[name=index]").click()
    expect(page.locator(".messagelist")).to_contain_text("delivered (HTTP 200)")
    ping = receiver.hits[0]
    assert ping.headers["X-Aftersales-Event"] == "ping"
    assert signing.verify(hook.secret, ping.body, ping.headers["X-Aftersales-Signature"])

    # Committed at once (no surrounding transaction), so sent at once.
    request = make_request(by=agent, customer=customer_a)
    assert json.loads(receiver.hits[-1].body)["data"]["service_request"]["number"] == (
        request.number
    )
    page.goto(f"{live_server.url}/admin/webhooks/webhookdelivery/")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Service request created")
    expect(rows.first).to_contain_text("Delivered")
    assert WebhookDelivery.objects.filter(status="delivered").count() == 2
