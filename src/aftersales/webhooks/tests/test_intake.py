"""API intake from other systems: channel and external reference, Idempotency-Key
(RELIABILITY R03) and rate limits with Retry-After (S17)."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from aftersales.service_requests.models import ServiceRequest
from aftersales.webhooks import services
from aftersales.webhooks.models import IdempotencyRecord
from aftersales.webhooks.throttles import IntakeRateThrottle

pytestmark = pytest.mark.django_db
URL = "/api/v1/service-requests/"


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api(agent):
    client = APIClient()
    client.force_authenticate(agent)
    return client


def _payload(**extra):
    return {
        "title": "微信客服：洗衣机漏水",
        "customer": {"name": "赵六", "phone": "13600136000"},
        "channel": "wechat",
        "external_reference": "wx-session-9f2c",
        **extra,
    }


def test_channels_of_integrations_and_the_reference_are_kept(api):
    for channel in ("chat", "wechat", "social", "dealer"):
        response = api.post(
            URL, _payload(channel=channel, external_reference=f"{channel}-1"), format="json"
        )
        assert response.status_code == 201, response.content
        assert response.json()["channel"] == channel
        assert response.json()["external_reference"] == f"{channel}-1"


def test_a_reference_is_unique_per_channel_and_names_the_first_request(api):
    first = api.post(URL, _payload(), format="json").json()
    again = api.post(URL, _payload(title="又一次"), format="json")
    assert again.status_code == 409
    body = again.json()
    assert "external_reference" in body["fields"]
    assert body["extra"]["number"] == first["number"]
    other_channel = api.post(URL, _payload(channel="dealer"), format="json")
    assert other_channel.status_code == 201
    no_reference = [api.post(URL, _payload(external_reference=""), format="json") for _ in range(2)]
    assert [r.status_code for r in no_reference] == [201, 201]


def test_customers_cannot_set_a_reference(customer_user):
    client = APIClient()
    client.force_authenticate(customer_user)
    response = client.post(URL, {"title": "漏水", "external_reference": "x"}, format="json")
    assert response.status_code == 400
    assert "external_reference" in response.json()["fields"]


def test_a_retry_with_the_same_key_gets_the_first_answer_and_creates_nothing(api):
    first = api.post(URL, _payload(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201
    retry = api.post(URL, _payload(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert retry["ETag"] == first["ETag"]
    assert ServiceRequest.objects.count() == 1
    # Key order does not make another payload.
    reordered = dict(reversed(list(_payload().items())))
    assert api.post(URL, reordered, format="json", HTTP_IDEMPOTENCY_KEY="k-1").status_code == 201
    assert ServiceRequest.objects.count() == 1


def test_the_same_key_with_another_payload_is_refused_with_422(api):
    api.post(URL, _payload(), format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    other = api.post(URL, _payload(title="另一件事"), format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert "Idempotency-Key" in other.json()["message"]
    assert ServiceRequest.objects.count() == 1


def test_a_refused_creation_is_not_remembered(api):
    bad = _payload(title="")
    assert api.post(URL, bad, format="json", HTTP_IDEMPOTENCY_KEY="k-3").status_code == 400
    assert not IdempotencyRecord.objects.exists()
    fixed = api.post(URL, _payload(), format="json", HTTP_IDEMPOTENCY_KEY="k-3")
    assert fixed.status_code == 201


def test_keys_belong_to_their_user(api, supervisor):
    api.post(URL, _payload(), format="json", HTTP_IDEMPOTENCY_KEY="shared")
    other = APIClient()
    other.force_authenticate(supervisor)
    response = other.post(
        URL,
        _payload(external_reference="wx-other"),
        format="json",
        HTTP_IDEMPOTENCY_KEY="shared",
    )
    assert response.status_code == 201
    assert ServiceRequest.objects.count() == 2


@pytest.mark.parametrize("key", ["", "x" * 256, "钥匙", "a\tb"])
def test_a_bad_key_is_refused_naming_the_header(api, key):
    response = api.post(URL, _payload(), format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["fields"]
    assert not ServiceRequest.objects.exists()


def test_a_key_is_forgotten_after_its_lifetime(api, settings):
    api.post(URL, _payload(), format="json", HTTP_IDEMPOTENCY_KEY="k-4")
    old = timezone.now() - datetime.timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS, minutes=1)
    IdempotencyRecord.objects.update(created_at=old)
    # An expired key starts afresh (here the reference is taken, so a clear 409).
    late = api.post(URL, _payload(), format="json", HTTP_IDEMPOTENCY_KEY="k-4")
    assert late.status_code == 409
    assert not IdempotencyRecord.objects.exists()  # the expired one is gone, no new one
    api.post(URL, _payload(external_reference="wx-2"), format="json", HTTP_IDEMPOTENCY_KEY="k-5")
    api.post(URL, _payload(external_reference="wx-3"), format="json", HTTP_IDEMPOTENCY_KEY="k-6")
    IdempotencyRecord.objects.filter(key="k-5").update(created_at=old)
    assert services.idempotency_cleanup() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["k-6"]


def test_api_intake_is_rate_limited_with_retry_after(api, monkeypatch):
    monkeypatch.setattr(IntakeRateThrottle, "THROTTLE_RATES", {"intake": "2/min"})
    codes = [
        api.post(URL, _payload(external_reference=f"r{i}"), format="json").status_code
        for i in range(3)
    ]
    assert codes == [201, 201, 429]
    limited = api.post(URL, _payload(external_reference="r9"), format="json")
    assert limited.status_code == 429
    assert 0 < int(limited["Retry-After"]) <= 60
    assert limited.json()["code"] == "throttled"
    assert api.get(URL).status_code == 200  # reading is not intake


def test_anonymous_tracking_in_the_api_is_limited_with_retry_after(monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"track": "2/min"})
    client = APIClient()
    codes = [
        client.get("/api/v1/track/SR-20260101-0001/", {"contact": "13000000000"}).status_code
        for _ in range(3)
    ]
    assert codes == [404, 404, 429]
    limited = client.get("/api/v1/track/SR-20260101-0001/", {"contact": "13000000000"})
    assert int(limited["Retry-After"]) > 0


def test_anonymous_portal_pages_answer_429_with_retry_after(client, settings):
    settings.PORTAL_TRACK_LIMIT = 1
    data = {"number": "SR-20260101-0001", "contact": "13000000000"}
    assert client.post("/portal/track/", data).status_code != 429
    limited = client.post("/portal/track/", data)
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
