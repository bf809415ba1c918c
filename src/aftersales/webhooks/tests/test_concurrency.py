"""Retries that race (RELIABILITY R03) on a real PostgreSQL server: two requests with one
Idempotency-Key create one service request and both get its answer; two systems sending
the same external reference at once create one."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache import cache
from django.db import connection, connections
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from aftersales.service_requests.models import ServiceRequest
from aftersales.webhooks.models import IdempotencyRecord

pytestmark = pytest.mark.postgres
URL = "/api/v1/service-requests/"


@pytest.fixture
def postgres(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL); SQLite serialises writers by itself")
    cache.clear()


def _race(agent, payloads, headers):
    token = Token.objects.create(user=agent).key
    barrier = threading.Barrier(len(payloads))

    def post(i):
        try:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
            barrier.wait(timeout=10)
            return client.post(URL, payloads[i], format="json", **headers)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(len(payloads)) as pool:
        return list(pool.map(post, range(len(payloads))))


PAYLOAD = {
    "title": "经销商系统：热水器报修",
    "customer": {"name": "钱七", "phone": "13500135000"},
    "channel": "dealer",
    "external_reference": "DLR-2026-0042",
}


def test_two_requests_with_one_key_create_one(postgres, agent):
    responses = _race(agent, [PAYLOAD] * 4, {"HTTP_IDEMPOTENCY_KEY": "retry-1"})
    assert [r.status_code for r in responses] == [201] * 4
    assert len({r.json()["number"] for r in responses}) == 1
    assert sum(r.get("Idempotent-Replayed") == "true" for r in responses) == 3
    assert ServiceRequest.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1


def test_the_same_reference_at_once_creates_one(postgres, agent):
    payloads = [{**PAYLOAD, "title": f"第{i}次"} for i in range(3)]
    responses = _race(agent, payloads, {})
    assert sorted(r.status_code for r in responses) == [201, 409, 409]
    created = next(r for r in responses if r.status_code == 201).json()["number"]
    for refused in (r for r in responses if r.status_code == 409):
        assert "external_reference" in refused.json()["fields"]
        assert created in refused.json()["message"]
    assert ServiceRequest.objects.count() == 1
