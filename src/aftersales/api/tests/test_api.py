"""API behaviour: intake, errors for bad input, versions, tracking, the schema."""

import datetime
import json

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from aftersales.service_requests.models import ServiceRequest
from aftersales.service_requests.tests.factories import make_request


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def test_token_login_and_one_answer_for_bad_credentials(agent):
    client = APIClient()
    good = client.post(
        "/api/v1/auth/token/", {"username": "agent1", "password": "pass-agent1"}, format="json"
    )
    assert good.status_code == 200 and len(good.json()["token"]) == 40
    wrong_password = client.post(
        "/api/v1/auth/token/", {"username": "agent1", "password": "x"}, format="json"
    )
    unknown_user = client.post(
        "/api/v1/auth/token/", {"username": "nobody", "password": "x"}, format="json"
    )
    assert wrong_password.status_code == unknown_user.status_code == 400
    assert wrong_password.json() == unknown_user.json()


def test_create_with_a_nested_customer_matches_by_phone(agent, customer_a):
    api = client_for(agent)
    response = api.post(
        "/api/v1/service-requests/",
        {
            "customer": {"name": "张三", "phone": "+86 138-0013-8000"[4:]},
            "title": "洗衣机漏水",
            "description": "底部漏水",
            "impact": "high",
            "urgency": "medium",
            "channel": "phone",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["customer"]["id"] == customer_a.pk
    assert body["priority"] == "high"
    assert body["number"].startswith("SR-")
    assert body["sla"]["first_response"]["state"] == "ok"
    assert body["channel"] == "phone"
    assert response["ETag"] == '"1"'


def test_create_with_a_new_nested_customer(agent):
    response = client_for(agent).post(
        "/api/v1/service-requests/",
        {
            "customer": {"name": "Hans Müller", "email": "hans@example.de"},
            "title": "Water heater leaks",
        },
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["customer"]["name"] == "Hans Müller"
    assert response.json()["channel"] == "api"


BAD_INPUTS = [
    ({"title": "x", "customer": 999999}, "customer"),
    ({"title": "x", "customer": {"name": "无联系方式"}}, "customer"),
    ({"title": "x", "customer": "abc"}, "customer"),
    ({"customer": {"name": "a", "phone": "13700137000"}}, "title"),
    ({"title": "a\x00b", "customer": {"name": "a", "phone": "13700137000"}}, "title"),
    ({"title": "a" * 201, "customer": {"name": "a", "phone": "13700137000"}}, "title"),
    ({"title": "x", "kind": "teleport", "customer": {"name": "a", "phone": "13700137000"}}, "kind"),
    ({"title": "x", "impact": 5, "customer": {"name": "a", "phone": "13700137000"}}, "impact"),
    ({"title": ["x"], "customer": {"name": "a", "phone": "13700137000"}}, "title"),
    (
        {"title": "x", "status": "closed", "customer": {"name": "a", "phone": "13700137000"}},
        "status",
    ),
    (
        {
            "title": "x",
            "received_at": "yesterday",
            "customer": {"name": "a", "phone": "13700137000"},
        },
        "received_at",
    ),
    (
        {
            "title": "x",
            "description": "\u202egpj.exe",
            "customer": {"name": "a", "phone": "13700137000"},
        },
        "description",
    ),
    (
        {"title": "x", "customer": {"name": "a", "phone": "13700137000", "vip": True}},
        "customer.vip",
    ),
]


@pytest.mark.parametrize(("payload", "field"), BAD_INPUTS)
def test_bad_input_is_a_400_naming_the_field(payload, field, agent):
    response = client_for(agent).post("/api/v1/service-requests/", payload, format="json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["fields"], body
    assert body["message"]
    assert not ServiceRequest.objects.exists()


def test_future_received_at_is_refused(agent):
    future = (timezone.now() + datetime.timedelta(hours=2)).isoformat()
    response = client_for(agent).post(
        "/api/v1/service-requests/",
        {"title": "x", "received_at": future, "customer": {"name": "a", "phone": "13700137000"}},
        format="json",
    )
    assert response.status_code == 400
    assert "received_at" in response.json()["fields"]


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b'{"title": "x"',
        b"[]",
        b'"string"',
        b"null",
        b'{"title": "\\ud800"}',
        b"{" * 5000 + b"}" * 5000,
    ],
)
def test_malformed_json_is_a_400(raw, agent):
    response = client_for(agent).generic(
        "POST", "/api/v1/service-requests/", raw, content_type="application/json"
    )
    assert response.status_code == 400
    assert "message" in response.json()


def test_wrong_content_type_is_a_415(agent):
    response = client_for(agent).generic(
        "POST", "/api/v1/service-requests/", b"title=x", content_type="text/plain"
    )
    assert response.status_code == 415
    assert "message" in response.json()


def test_customers_cannot_mass_assign_staff_fields(customer_user):
    response = client_for(customer_user).post(
        "/api/v1/service-requests/",
        {"title": "坏了", "urgency": "high", "channel": "phone"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"channel", "urgency"}


def test_customers_file_for_themselves(customer_user, customer_a, customer_b):
    api = client_for(customer_user)
    other = api.post(
        "/api/v1/service-requests/", {"title": "x", "customer": customer_b.pk}, format="json"
    )
    assert other.status_code == 400
    mine = api.post("/api/v1/service-requests/", {"title": "热水器坏了"}, format="json")
    assert mine.status_code == 201
    assert mine.json()["customer"]["id"] == customer_a.pk
    assert mine.json()["channel"] == "web"


def test_stale_version_gets_409_and_changes_nothing(agent, customer_a):
    request = make_request(by=agent, customer=customer_a)
    api = client_for(agent)
    url = f"/api/v1/service-requests/{request.number}/"
    first = api.patch(url, {"title": "甲改的", "version": 1}, format="json")
    assert first.status_code == 200 and first.json()["version"] == 2
    second = api.patch(url, {"title": "乙改的", "version": 1}, format="json")
    assert second.status_code == 409
    assert second.json()["code"] == "conflict"
    assert second.json()["extra"]["current_version"] == 2
    header = api.patch(url, {"title": "乙改的"}, format="json", HTTP_IF_MATCH='"1"')
    assert header.status_code == 409
    stale_action = api.post(f"{url}cancel/", {"reason": "重复", "version": 1}, format="json")
    assert stale_action.status_code == 409
    assert api.get(url).json()["title"] == "甲改的"
    assert api.get(url).json()["status"] == "new"


def test_transitions_through_the_api(agent, technician, customer_a):
    request = make_request(by=agent, customer=customer_a)
    api = client_for(agent)
    base = f"/api/v1/service-requests/{request.number}/"
    assigned = api.post(f"{base}assign/", {"assignee": "tech1"}, format="json")
    assert assigned.status_code == 200, assigned.json()
    assert assigned.json()["status"] == "assigned" and assigned.json()["assignee"] == "tech1"
    not_allowed = api.post(f"{base}close/", {}, format="json")
    assert not_allowed.status_code == 409
    assert not_allowed.json()["code"] == "invalid_transition"
    unknown_user = api.post(f"{base}assign/", {"assignee": "nobody"}, format="json")
    assert unknown_user.status_code == 400 and "assignee" in unknown_user.json()["fields"]
    no_reason = api.post(f"{base}cancel/", {}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["fields"]
    unknown_action = api.post(f"{base}teleport/", {}, format="json")
    assert unknown_action.status_code == 409
    events = api.get(f"{base}events/").json()
    assert [e["kind"] for e in events] == ["created", "status_changed"]


def test_numbers_are_found_however_they_are_typed(agent, customer_a):
    request = make_request(by=agent, customer=customer_a)
    fullwidth = request.number.replace("SR", "ｓｒ").replace("-", "－")
    assert client_for(agent).get(f"/api/v1/service-requests/{fullwidth}/").status_code == 200


def test_filters_and_ordering(agent, customer_a):
    make_request(by=agent, customer=customer_a, impact="high", urgency="high", kind="installation")
    make_request(by=agent, customer=customer_a, impact="low", urgency="low", channel="email")
    api = client_for(agent)
    assert api.get("/api/v1/service-requests/", {"priority": "urgent"}).json()["count"] == 1
    assert api.get("/api/v1/service-requests/", {"kind": "installation"}).json()["count"] == 1
    assert api.get("/api/v1/service-requests/", {"channel": "email"}).json()["count"] == 1
    assert api.get("/api/v1/service-requests/", {"overdue": "true"}).json()["count"] == 0
    ordered = api.get("/api/v1/service-requests/", {"ordering": "priority"}).json()["results"]
    assert [r["priority"] for r in ordered] == ["urgent", "low"]
    bad = api.get("/api/v1/service-requests/", {"priority": "enormous"})
    assert bad.status_code == 400 and "priority" in bad.json()["fields"]
    assert api.get("/api/v1/service-requests/", {"page_size": 1000000}).status_code == 200
    assert api.get("/api/v1/service-requests/", {"page": 99}).status_code == 404


def test_overdue_filter(agent, customer_a):
    old = timezone.now() - datetime.timedelta(days=3)
    make_request(by=agent, customer=customer_a, received_at=old)
    make_request(by=agent, customer=customer_a)
    assert (
        client_for(agent).get("/api/v1/service-requests/", {"overdue": "true"}).json()["count"] == 1
    )


def test_staff_user_creation_by_admin(admin_user, team_a):
    response = client_for(admin_user).post(
        "/api/v1/users/",
        {
            "username": "tech9",
            "password": "correct-Horse-battery-9",
            "role": "technician",
            "teams": [team_a.pk],
        },
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["teams"] == [team_a.pk]
    weak = client_for(admin_user).post(
        "/api/v1/users/",
        {"username": "tech10", "password": "123", "role": "technician"},
        format="json",
    )
    assert weak.status_code == 400 and "password" in weak.json()["fields"]


class TestTracking:
    def test_right_contact_shows_status_and_public_replies_only(self, agent, customer_a):
        from aftersales.service_requests import services

        request = make_request(by=agent, customer=customer_a)
        services.comment_add(request, by=agent, body="您好，已安排师傅明天上门", internal=False)
        services.comment_add(request, by=agent, body="内部：客户要求女性技师", internal=True)
        response = APIClient().get(f"/api/v1/track/{request.number}/", {"contact": "138 0013 8000"})
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "new"
        assert [r["body"] for r in body["replies"]] == ["您好，已安排师傅明天上门"]
        text = json.dumps(body, ensure_ascii=False)
        assert "内部" not in text and "agent1" not in text
        assert response["Cache-Control"] == "no-store"
        by_email = APIClient().get(
            f"/api/v1/track/{request.number}/", {"contact": "Zhang@Example.com"}
        )
        assert by_email.status_code == 200

    def test_wrong_contact_and_unknown_number_look_the_same(self, agent, customer_a):
        request = make_request(by=agent, customer=customer_a)
        wrong = APIClient().get(f"/api/v1/track/{request.number}/", {"contact": "13900000000"})
        unknown = APIClient().get("/api/v1/track/SR-20990101-0001/", {"contact": "13800138000"})
        missing = APIClient().get(f"/api/v1/track/{request.number}/")
        assert wrong.status_code == unknown.status_code == missing.status_code == 404
        assert wrong.content == unknown.content == missing.content

    def test_tracking_is_throttled(self, agent, customer_a, settings):
        request = make_request(by=agent, customer=customer_a)
        statuses = [
            APIClient()
            .get(f"/api/v1/track/{request.number}/", {"contact": f"1390000{i:04d}"})
            .status_code
            for i in range(25)
        ]
        assert statuses[:20] == [404] * 20
        assert 429 in statuses[20:]


def test_health(db):
    response = APIClient().get("/api/v1/health/")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response.json()["mailboxes"] == "none"


def test_health_shows_how_the_mail_is_doing(db):
    from django.utils import timezone

    from aftersales.mailin.models import InboundMessage, Mailbox
    from aftersales.notifications.models import OutboxMessage

    Mailbox.objects.create(name="ok", host="imap.example.com", username="a", password_env="X")
    Mailbox.objects.create(
        name="down", host="imap.example.com", username="b", password_env="X", consecutive_failures=3
    )
    InboundMessage.objects.create(
        raw=b"x" * 10,
        size=30_000_000,
        sha256="0" * 64,
        source="pipe",
        status="quarantined",
        reason="too big",
    )
    for n, status in enumerate(["failed", "pending", "sent"]):
        OutboxMessage.objects.create(
            key=f"k{n}",
            to_address="a@example.com",
            body="b",
            message_id=f"<{n}@x>",
            status=status,
            next_attempt_at=timezone.now(),
            sent_at=timezone.now(),
        )
    body = APIClient().get("/api/v1/health/").json()
    assert body["mailboxes"] == "failing" and body["mailboxes_failing"] == 1
    assert body["mail_quarantined"] == 1
    assert body["outbox_failed"] == 1 and body["outbox_waiting"] == 1
    # Counts only: the endpoint is public.
    assert "imap.example.com" not in str(body) and "too big" not in str(body)


def test_schema_is_valid_openapi(db, capsys):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


def test_docs_page_uses_local_assets(db):
    response = APIClient().get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower()
    assert "/static/drf_spectacular_sidecar/" in html


def test_attachments_download_as_inert_files(agent, customer_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from aftersales.service_requests import services

    request = make_request(by=agent, customer=customer_a)
    png = b"\x89PNG\r\n\x1a\n" + b"<html><script>alert(1)</script>"
    attachment = services.attachment_add(
        request, by=agent, upload=SimpleUploadedFile('报告";\r\nX-Evil: 1.png', png), internal=False
    )
    response = client_for(agent).get(
        f"/api/v1/service-requests/{request.number}/attachments/{attachment.pk}/"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert (
        "\r" not in response["Content-Disposition"] and "\n" not in response["Content-Disposition"]
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == png
    assert "X-Evil" not in response


def test_too_many_files_in_one_upload_are_refused(agent, customer_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    request = make_request(by=agent, customer=customer_a)
    files = [SimpleUploadedFile(f"{i}.png", b"\x89PNG\r\n\x1a\n") for i in range(30)]
    response = client_for(agent).post(
        f"/api/v1/service-requests/{request.number}/comments/",
        {"body": "照片", "attachments": files},
        format="multipart",
    )
    assert response.status_code == 400
    assert request.comments.count() == 0


def test_duplicate_product_model_and_serial_are_400_not_500(agent):
    api = client_for(agent)
    assert (
        api.post("/api/v1/products/", {"model": "KFR-1", "name": "空调"}, format="json").status_code
        == 201
    )
    again = api.post("/api/v1/products/", {"model": "KFR-1", "name": "空调"}, format="json")
    assert again.status_code == 400 and "model" in again.json()["fields"]
    product = api.get("/api/v1/products/").json()["results"][0]["id"]
    assert (
        api.post(
            "/api/v1/units/", {"product": product, "serial_number": "S1"}, format="json"
        ).status_code
        == 201
    )
    twice = api.post("/api/v1/units/", {"product": product, "serial_number": "S1"}, format="json")
    assert twice.status_code == 400 and "serial_number" in twice.json()["fields"]


def test_the_list_takes_the_same_queries_for_any_page_size(
    agent, customer_a, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = client_for(agent)
    for _ in range(3):
        make_request(by=agent, customer=customer_a)
    with CaptureQueriesContext(connection) as few:
        assert api.get("/api/v1/service-requests/").status_code == 200
    for _ in range(7):
        make_request(by=agent, customer=customer_a, serial_number="SN-X")
    with CaptureQueriesContext(connection) as more:
        assert api.get("/api/v1/service-requests/").json()["count"] == 10
    assert len(more.captured_queries) == len(few.captured_queries) <= 8


def test_a_name_with_a_nul_character_is_refused_naming_the_field(agent, customer_a):
    """A username is looked up in the database; PostgreSQL refuses NUL in a query, so it is
    refused first, as an unknown name."""
    request = make_request(by=agent, customer=customer_a)
    response = client_for(agent).post(
        f"/api/v1/service-requests/{request.number}/assign/",
        {"assignee": "tech\x00one"},
        format="json",
    )
    assert response.status_code == 400
    assert "assignee" in response.json()["fields"]
