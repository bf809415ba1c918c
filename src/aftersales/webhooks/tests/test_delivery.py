"""Events reach a real HTTP receiver on 127.0.0.1: signed, once, retried, given up."""

import datetime
import json
import zoneinfo

import pytest
from django.utils import timezone

from aftersales.service_requests import services as request_services
from aftersales.service_requests.sla_sweep import sla_sweep
from aftersales.service_requests.tests.factories import make_request, move_to
from aftersales.surveys import services as surveys
from aftersales.webhooks import services, signing
from aftersales.webhooks.models import WebhookDelivery
from aftersales.webhooks.tests.factories import make_subscription

pytestmark = pytest.mark.django_db
D = WebhookDelivery.Status


def _payloads(receiver):
    return [json.loads(hit.body) for hit in receiver.hits]


def test_a_new_request_is_delivered_signed_after_commit(
    receiver, agent, customer_a, django_capture_on_commit_callbacks
):
    subscription = make_subscription(receiver.url(), events=["service_request.created"])
    with django_capture_on_commit_callbacks(execute=True):
        sr = make_request(
            by=agent,
            customer=customer_a,
            channel="dealer",
            external_reference="DLR-7731",
        )
        assert receiver.hits == []  # nothing leaves before the commit
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == D.DELIVERED and delivery.attempts == 1
    assert delivery.last_status_code == 200 and delivery.response_excerpt == "ok"
    hit = receiver.hits[0]
    assert hit.headers["X-Aftersales-Event"] == "service_request.created"
    assert hit.headers["X-Aftersales-Delivery"] == str(delivery.delivery_id)
    assert signing.verify(subscription.secret, hit.body, hit.headers["X-Aftersales-Signature"])
    assert not signing.verify("whsec_other", hit.body, hit.headers["X-Aftersales-Signature"])
    payload = json.loads(hit.body)
    assert payload["event"] == "service_request.created"
    assert payload["id"] and payload["occurred_at"]
    data = payload["data"]["service_request"]
    assert data["number"] == sr.number
    assert data["channel"] == "dealer" and data["external_reference"] == "DLR-7731"
    assert data["status"] == "new" and data["priority"]


def test_status_changes_and_public_replies_are_events_internal_notes_are_not(
    receiver, agent, technician, customer_a, django_capture_on_commit_callbacks
):
    sr = make_request(by=agent, customer=customer_a)
    make_subscription(
        receiver.url(), events=["service_request.status_changed", "service_request.commented"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        request_services.service_request_act(sr, "assign", by=agent, data={"assignee": technician})
        request_services.comment_add(sr, by=agent, body="内部备注：客户脾气急", internal=True)
        request_services.comment_add(sr, by=agent, body="师傅明天上午上门", internal=False)
    payloads = _payloads(receiver)
    assert [p["event"] for p in payloads] == [
        "service_request.status_changed",
        "service_request.commented",
    ]
    changed = payloads[0]["data"]
    assert (changed["action"], changed["from_status"], changed["to_status"]) == (
        "assign",
        "new",
        "assigned",
    )
    assert changed["service_request"]["status"] == "assigned"
    assert payloads[1]["data"]["comment"]["body"] == "师傅明天上午上门"
    assert payloads[1]["data"]["comment"]["from_customer"] is False
    everything = b"".join(hit.body for hit in receiver.hits).decode()
    assert "内部备注" not in everything
    assert "tech1" not in everything and "agent1" not in everything  # no staff names


def test_a_customers_reply_by_email_is_an_event_from_the_customer(
    receiver, agent, customer_a, django_capture_on_commit_callbacks
):
    sr = make_request(by=agent, customer=customer_a)
    make_subscription(receiver.url(), events=["service_request.commented"])
    with django_capture_on_commit_callbacks(execute=True):
        request_services.comment_add_from_customer(sr, body="还是不制冷，请再来看看")
    comment = _payloads(receiver)[0]["data"]["comment"]
    assert comment["from_customer"] is True
    assert comment["body"] == "还是不制冷，请再来看看"


def test_a_missed_sla_target_is_an_event(
    receiver, agent, customer_a, time_machine, django_capture_on_commit_callbacks
):
    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    time_machine.move_to(datetime.datetime(2026, 11, 2, 10, 0, tzinfo=shanghai), tick=False)
    sr = make_request(by=agent, customer=customer_a, impact="high", urgency="high")
    make_subscription(receiver.url(), events=["sla.breached"])
    time_machine.move_to(datetime.datetime(2026, 11, 2, 11, 1, tzinfo=shanghai), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        sla_sweep()
        sla_sweep()
    payloads = _payloads(receiver)
    assert len(payloads) == 1
    assert payloads[0]["event"] == "sla.breached"
    assert payloads[0]["data"]["sla"]["target"] == "first_response"
    assert payloads[0]["data"]["service_request"]["number"] == sr.number


def test_an_answered_survey_is_an_event(
    receiver, agent, technician, customer_a, team_a, django_capture_on_commit_callbacks
):
    sr = move_to(
        make_request(by=agent, customer=customer_a, team=team_a),
        "resolved",
        by=agent,
        assignee=technician,
    )
    invitation, reason = surveys.invitation_create(sr, channel="email", by=agent)
    assert invitation is not None, reason
    make_subscription(receiver.url(), events=["survey.answered"])
    with django_capture_on_commit_callbacks(execute=True):
        surveys.survey_answer(
            invitation, values={"solved": "yes", "solution": "5", "attitude": "4", "speed": "3"}
        )
    payloads = _payloads(receiver)
    assert [p["event"] for p in payloads] == ["survey.answered"]
    answers = {a["question"]: a for a in payloads[0]["data"]["survey"]["answers"]}
    assert answers["solution"]["score"] == 5


def test_only_active_subscriptions_for_the_event_get_it(receiver, agent, customer_a):
    wants = make_subscription(receiver.url(), events=["service_request.created"])
    make_subscription(receiver.url(), events=["sla.breached"])
    make_subscription(receiver.url(), events=["service_request.created"], is_active=False)
    make_request(by=agent, customer=customer_a)
    assert list(WebhookDelivery.objects.values_list("subscription", flat=True)) == [wants.pk]


def test_an_event_is_written_once_per_subscription_however_often_published(receiver):
    make_subscription(receiver.url())
    for _ in range(2):
        services.event_publish("sla.breached", key="sla.breached:1:x", data=dict)
    assert WebhookDelivery.objects.count() == 1


def _one_delivery(receiver):
    make_subscription(receiver.url())
    services.event_publish("sla.breached", key="k", data=lambda: {"n": 1})
    return WebhookDelivery.objects.get()


def test_a_server_error_is_retried_later_then_delivered(receiver):
    delivery = _one_delivery(receiver)
    receiver.answers = [(503, {}, b"busy"), (200, {}, b"ok")]
    assert services.delivery_deliver(delivery.pk) == D.PENDING
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and delivery.last_status_code == 503
    assert "503" in delivery.last_error and delivery.response_excerpt == "busy"
    assert delivery.next_attempt_at > timezone.now()
    assert services.deliveries_flush() == 0  # not due yet
    later = timezone.now() + datetime.timedelta(minutes=2)
    assert services.deliveries_flush(now=later) == 1
    delivery.refresh_from_db()
    assert delivery.status == D.DELIVERED and delivery.attempts == 2
    assert delivery.delivered_at is not None and delivery.last_error == ""
    # Both attempts carried the same delivery id, so the receiver can drop the repeat.
    ids = {hit.headers["X-Aftersales-Delivery"] for hit in receiver.hits}
    assert ids == {str(delivery.delivery_id)}


def test_a_refused_connection_is_retried(receiver):
    delivery = _one_delivery(receiver)
    delivery.subscription.url = "http://127.0.0.1:9/hook"  # discard port: nothing listens
    delivery.subscription.save()
    assert services.delivery_deliver(delivery.pk) == D.PENDING
    delivery.refresh_from_db()
    assert delivery.last_error and delivery.last_status_code is None


def test_a_gone_endpoint_fails_at_once(receiver):
    delivery = _one_delivery(receiver)
    receiver.answers = [(410, {}, b"gone")]
    assert services.delivery_deliver(delivery.pk) == D.FAILED


def test_delivery_is_given_up_after_the_last_attempt(receiver, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    delivery = _one_delivery(receiver)
    receiver.answers = [(500, {}, b"")]
    assert services.delivery_deliver(delivery.pk) == D.PENDING
    later = timezone.now() + datetime.timedelta(hours=3)
    assert services.delivery_deliver(delivery.pk, now=later) == D.FAILED
    assert services.delivery_deliver(delivery.pk, now=later) is None
    assert len(receiver.hits) == 2


def test_a_url_that_became_internal_fails_without_a_request(receiver, canary, dns):
    dns["hooks.example.test"] = ["127.0.0.1"]
    delivery = _one_delivery(receiver)
    delivery.subscription.url = canary.url(host="hooks.example.test")
    delivery.subscription.allow_private = False
    delivery.subscription.save()
    assert services.delivery_deliver(delivery.pk) == D.FAILED
    delivery.refresh_from_db()
    assert "127.0.0.1" in delivery.last_error
    assert canary.hits == []


def test_a_worker_that_stopped_leaves_the_delivery_due_again(receiver):
    delivery = _one_delivery(receiver)
    # Claimed by a worker that died: held until claimed_until, then due again.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=D.SENDING, attempts=1, claimed_until=timezone.now() + datetime.timedelta(minutes=2)
    )
    assert services.deliveries_flush() == 0
    assert services.deliveries_flush(now=timezone.now() + datetime.timedelta(minutes=3)) == 1


def test_a_deactivated_webhook_gets_nothing_more(receiver):
    delivery = _one_delivery(receiver)
    delivery.subscription.is_active = False
    delivery.subscription.save()
    assert services.delivery_deliver(delivery.pk) == D.FAILED
    assert receiver.hits == []


def test_a_failed_delivery_can_be_sent_again(
    receiver, admin_user, django_capture_on_commit_callbacks
):
    delivery = _one_delivery(receiver)
    receiver.answers = [(404, {}, b""), (200, {}, b"ok")]
    services.delivery_deliver(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == D.FAILED
    with django_capture_on_commit_callbacks(execute=True):
        assert services.delivery_retry(delivery, by=admin_user)
    delivery.refresh_from_db()
    assert delivery.status == D.DELIVERED
    assert not services.delivery_retry(delivery, by=admin_user)  # only failed ones


def test_signatures_expire_and_bind_the_time():
    body = b'{"a":1}'
    header = signing.signature("s", body, timestamp=1_000)
    assert not signing.verify("s", body, header)  # far in the past
    fresh = signing.signature("s", body)
    assert signing.verify("s", body, fresh)
    t, v1 = fresh.split(",")
    assert not signing.verify("s", body, f"t={int(t[2:]) + 1},{v1}")
    assert not signing.verify("s", body + b" ", fresh)
    assert not signing.verify("s", body, "garbage")
