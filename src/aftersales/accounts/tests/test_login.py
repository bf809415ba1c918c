from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from aftersales.accounts import lockout


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def test_staff_sign_in_and_out(agent):
    client = Client()
    response = client.post("/accounts/login/", {"username": "agent1", "password": "pass-agent1"})
    assert response.status_code == 302
    assert client.get("/api/v1/service-requests/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/api/v1/service-requests/").status_code in (401, 403)


def test_pages_need_sign_in(db):
    response = Client().get("/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_repeated_failures_lock_the_account_with_the_same_message(agent):
    client = Client()
    for _ in range(lockout.MAX_FAILURES):
        client.post("/accounts/login/", {"username": "agent1", "password": "wrong"})
    locked = client.post("/accounts/login/", {"username": "agent1", "password": "pass-agent1"})
    assert locked.status_code == 200  # the form again, not signed in
    assert "_auth_user_id" not in client.session
    api = APIClient().post(
        "/api/v1/auth/token/", {"username": "agent1", "password": "pass-agent1"}, format="json"
    )
    assert api.status_code == 400
    assert api.json()["code"] == "authentication_failed"


def test_parallel_guesses_are_all_counted(db):
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda _: lockout.login_failed("agent1"), range(50)))
    assert cache.get("login-failures:agent1") == 50
    assert lockout.login_locked("agent1")


def test_language_switch_is_kept_for_the_user(agent):
    client = Client()
    client.force_login(agent)
    response = client.post(
        "/accounts/language/", {"language": "en", "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    agent.refresh_from_db()
    assert agent.language == "en"
    assert client.get("/accounts/language/").status_code == 405


def test_api_answers_are_not_cached(agent):
    client = APIClient()
    client.force_authenticate(agent)
    assert client.get("/api/v1/service-requests/")["Cache-Control"] == "private, no-store"
