"""The webhook API, for administrators."""

import json

import pytest
from rest_framework.test import APIClient

from aftersales.webhooks import signing
from aftersales.webhooks.models import WebhookDelivery, WebhookSubscription
from aftersales.webhooks.tests.factories import make_subscription

pytestmark = pytest.mark.django_db
URL = "/api/v1/webhooks/"


@pytest.fixture
def admin_api(admin_user):
    client = APIClient()
    client.force_authenticate(admin_user)
    return client


def _new(receiver, **extra):
    return {
        "name": "客服聊天系统",
        "url": receiver.url(),
        "events": ["service_request.created", "service_request.commented"],
        "allow_private": True,
        **extra,
    }


def test_an_administrator_subscribes_and_sees_the_secret_once_created(admin_api, receiver):
    response = admin_api.post(URL, _new(receiver), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["secret"].startswith("whsec_") and len(body["secret"]) > 30
    assert body["events"] == ["service_request.commented", "service_request.created"]
    assert body["created_by"] == "admin1"
    listed = admin_api.get(URL).json()["results"]
    assert [h["id"] for h in listed] == [body["id"]]


@pytest.mark.parametrize(
    ("url", "allow_private"),
    [
        ("http://127.0.0.1:8080/hook", False),
        ("http://[::1]/hook", False),
        ("http://169.254.169.254/", True),
        ("http://0x7f000001/", False),
        ("file:///etc/passwd", True),
        ("gopher://example.com/", True),
        ("not a url", True),
        ("http://nowhere.example.test/", True),
    ],
)
def test_urls_that_may_not_be_called_are_refused_naming_url(
    admin_api, receiver, url, allow_private
):
    response = admin_api.post(
        URL, _new(receiver, url=url, allow_private=allow_private), format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"url"}
    assert not WebhookSubscription.objects.exists()


def test_a_name_resolving_inside_is_refused_unless_allowed(admin_api, receiver, dns):
    dns["hooks.dealer.test"] = ["10.20.30.40"]
    data = _new(receiver, url="https://hooks.dealer.test/aftersales", allow_private=False)
    refused = admin_api.post(URL, data, format="json")
    assert refused.status_code == 400
    assert "10.20.30.40" in refused.json()["fields"]["url"][0]
    data["allow_private"] = True
    assert admin_api.post(URL, data, format="json").status_code == 201


def test_unknown_events_and_fields_are_refused(admin_api, receiver):
    bad_event = admin_api.post(URL, _new(receiver, events=["ticket.deleted"]), format="json")
    assert bad_event.status_code == 400 and "events.0" in bad_event.json()["fields"]
    no_event = admin_api.post(URL, _new(receiver, events=[]), format="json")
    assert no_event.status_code == 400 and "events" in no_event.json()["fields"]
    extra = admin_api.post(URL, _new(receiver, secret="mine"), format="json")
    assert extra.status_code == 400 and "secret" in extra.json()["fields"]


def test_changing_the_url_is_checked_again(admin_api, receiver):
    hook = make_subscription(receiver.url())
    response = admin_api.patch(f"{URL}{hook.pk}/", {"allow_private": False}, format="json")
    assert response.status_code == 400 and "url" in response.json()["fields"]
    ok = admin_api.patch(f"{URL}{hook.pk}/", {"is_active": False}, format="json")
    assert ok.status_code == 200 and ok.json()["is_active"] is False


def test_the_test_button_sends_a_signed_ping_and_shows_the_outcome(admin_api, receiver):
    hook = make_subscription(receiver.url())
    response = admin_api.post(f"{URL}{hook.pk}/test/")
    assert response.status_code == 200
    assert response.json()["status"] == "delivered"
    assert response.json()["last_status_code"] == 200
    hit = receiver.hits[0]
    assert hit.headers["X-Aftersales-Event"] == "ping"
    assert signing.verify(hook.secret, hit.body, hit.headers["X-Aftersales-Signature"])
    assert json.loads(hit.body)["data"]["webhook"] == hook.name
    log = admin_api.get(f"{URL}{hook.pk}/deliveries/").json()["results"]
    assert [d["event"] for d in log] == ["ping"]


def test_a_ping_to_a_refused_url_fails_with_the_reason_and_no_request(admin_api, receiver, canary):
    hook = make_subscription(canary.url(), allow_private=False)
    response = admin_api.post(f"{URL}{hook.pk}/test/")
    assert response.json()["status"] == "failed"
    assert "127.0.0.1" in response.json()["last_error"]
    assert canary.hits == []


def test_retry_sends_a_failed_delivery_again_and_refuses_others(
    admin_api, receiver, django_capture_on_commit_callbacks
):
    hook = make_subscription(receiver.url())
    receiver.answers = [(404, {}, b"no"), (200, {}, b"ok")]
    failed = admin_api.post(f"{URL}{hook.pk}/test/").json()
    assert failed["status"] == "failed"
    with django_capture_on_commit_callbacks(execute=True):
        retried = admin_api.post(f"/api/v1/webhook-deliveries/{failed['id']}/retry/")
    assert retried.status_code == 200
    assert WebhookDelivery.objects.get(pk=failed["id"]).status == "delivered"
    again = admin_api.post(f"/api/v1/webhook-deliveries/{failed['id']}/retry/")
    assert again.status_code == 409
    assert admin_api.post("/api/v1/webhook-deliveries/999999/retry/").status_code == 404


def test_deleting_a_webhook_removes_its_log(admin_api, receiver):
    hook = make_subscription(receiver.url())
    admin_api.post(f"{URL}{hook.pk}/test/")
    assert admin_api.delete(f"{URL}{hook.pk}/").status_code == 204
    assert not WebhookDelivery.objects.exists()
    assert admin_api.get(f"{URL}{hook.pk}/").status_code == 404
    assert admin_api.get(f"{URL}abc/").status_code == 404


def test_staff_other_than_administrators_are_refused(agent, supervisor, receiver):
    hook = make_subscription(receiver.url())
    for user in (agent, supervisor):
        client = APIClient()
        client.force_authenticate(user)
        assert client.get(URL).status_code == 403
        assert client.get(f"{URL}{hook.pk}/").status_code == 403
        assert client.post(f"{URL}{hook.pk}/test/").status_code == 403
    assert receiver.hits == []
