"""The Django admin: webhooks checked like the API, the delivery log read-only, resending."""

import pytest

from aftersales.webhooks import services
from aftersales.webhooks.models import WebhookDelivery, WebhookSubscription
from aftersales.webhooks.tests.factories import make_subscription

pytestmark = pytest.mark.django_db
ADD = "/admin/webhooks/webhooksubscription/add/"


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def _form(url, **extra):
    return {
        "name": "经销商系统",
        "url": url,
        "events": '["service_request.created"]',
        "secret": "whsec_given_by_admin_0123456789abcdef",
        "is_active": "on",
        **extra,
    }


def test_a_loopback_url_is_refused_unless_private_addresses_are_allowed(admin_client, receiver):
    refused = admin_client.post(ADD, _form(receiver.url()))
    assert refused.status_code == 200
    assert "url" in refused.context["adminform"].form.errors
    assert not WebhookSubscription.objects.exists()
    saved = admin_client.post(ADD, _form(receiver.url(), allow_private="on"))
    assert saved.status_code == 302
    hook = WebhookSubscription.objects.get()
    assert hook.created_by.username == "admin1"


def test_unknown_events_are_refused(admin_client, receiver):
    response = admin_client.post(ADD, _form(receiver.url(), allow_private="on", events='["nope"]'))
    assert "events" in response.context["adminform"].form.errors


def test_the_log_lists_deliveries_and_resends_failed_ones(
    admin_client, receiver, django_capture_on_commit_callbacks
):
    hook = make_subscription(receiver.url())
    services.event_publish("sla.breached", key="k", data=dict)
    delivery = WebhookDelivery.objects.get()
    receiver.answers = [(404, {}, b""), (200, {}, b"ok")]
    services.delivery_deliver(delivery.pk)
    listing = admin_client.get("/admin/webhooks/webhookdelivery/")
    assert listing.status_code == 200 and hook.name in listing.content.decode()
    assert (
        admin_client.get(f"/admin/webhooks/webhookdelivery/{delivery.pk}/change/").status_code
        == 200
    )
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            "/admin/webhooks/webhookdelivery/",
            {"action": "retry", "_selected_action": [delivery.pk]},
        )
    delivery.refresh_from_db()
    assert delivery.status == "delivered"
    assert admin_client.get("/admin/webhooks/webhooksubscription/").status_code == 200
