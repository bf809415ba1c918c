"""Which message goes where, once: events, preferences, languages and the outbox."""

import logging

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from aftersales.customers.models import Customer
from aftersales.notices import rendering, services
from aftersales.notices.events import EVENTS
from aftersales.notices.models import MessageTemplate
from aftersales.notifications import services as outbox
from aftersales.notifications import sms
from aftersales.notifications.models import OutboxMessage
from aftersales.service_requests.tests.factories import make_request, move_to

pytestmark = pytest.mark.django_db


def _notices(event: str | None = None):
    messages = OutboxMessage.objects.exclude(event="").order_by("id")
    return list(messages.filter(event=event) if event else messages)


def test_the_receipt_gives_the_number_and_the_promised_first_answer(agent, english_customer):
    request = make_request(by=agent, customer=english_customer)
    (receipt,) = _notices("receipt")
    assert receipt.channel == "email" and receipt.to_address == "zhang@example.com"
    assert receipt.subject == f"[{request.number}] We received your request: {request.title}"
    due = services.service_time(request.first_response_due_at)
    assert due and f"We will answer by {due} at the latest." in receipt.body
    assert f"/portal/track/?number={request.number}" in receipt.body
    assert receipt.reference == request.number and receipt.key == f"notice:receipt:{request.pk}"


def test_a_customer_without_a_language_we_speak_gets_the_services_language(agent, customer_a):
    customer_a.language = "fr"
    customer_a.save()
    assert services.customer_language(customer_a) == settings.LANGUAGE_CODE == "zh-hans"
    customer_a.language = "zh_Hant"
    assert services.customer_language(customer_a) == "zh-hant"


def test_one_event_is_sent_once_however_often_it_is_noticed(agent, english_customer):
    request = make_request(by=agent, customer=english_customer)
    again = services.notice_send(
        "receipt", request=request, key=f"notice:receipt:{request.pk}", values={}
    )
    assert again == [] and len(_notices("receipt")) == 1


@pytest.mark.parametrize(
    ("preference", "phone", "email", "expected"),
    [
        ("email", "13800138000", "zhang@example.com", ["email"]),
        ("sms", "13800138000", "zhang@example.com", ["sms"]),
        ("both", "13800138000", "zhang@example.com", ["email", "sms"]),
        # Without the address of the chosen channel, the other one still reaches them.
        ("sms", "", "zhang@example.com", ["email"]),
        ("email", "13800138000", "", ["sms"]),
        ("both", "", "zhang@example.com", ["email"]),
    ],
)
def test_the_customers_channel_decides_where_messages_go(
    agent, english_customer, preference, phone, email, expected
):
    english_customer.notice_channel = preference
    english_customer.phone = phone
    english_customer.email = email
    english_customer.save()
    make_request(by=agent, customer=english_customer)
    receipts = _notices("receipt")
    assert [m.channel for m in receipts] == expected
    for message in receipts:
        if message.channel == "sms":
            assert message.to_address == phone and message.subject == ""
            assert len(message.body) <= rendering.SMS_MAX_CHARS and "\n" not in message.body


def test_no_address_at_all_sends_nothing(agent):
    nobody = Customer.objects.create(name="王五", phone="", email="")
    # The intake needs a way to reach them; it is there on the request, not on the customer.
    request = make_request(by=agent, customer=nobody, contact_phone="", contact_email="")
    assert services.notice_send("closed", request=request, key="k") == []


def test_declining_optional_messages_keeps_the_essential_ones(agent, technician, english_customer):
    english_customer.notices_optional = False
    english_customer.save()
    request = make_request(by=agent, customer=english_customer)
    move_to(request, "closed", by=agent, assignee=technician)
    events = [m.event for m in _notices()]
    assert "receipt" in events
    assert "assignment" not in events and "closed" not in events


def test_a_technician_taking_the_request_and_its_closing_are_told(
    agent, technician, english_customer
):
    request = make_request(by=agent, customer=english_customer)
    move_to(request, "closed", by=agent, assignee=technician)
    (assignment,) = _notices("assignment")
    assert technician.display_name in assignment.subject
    (closed,) = _notices("closed")
    assert f"{request.number} is closed" in closed.subject
    # Optional messages carry the link that stops them.
    assert "/notices/optional/" in assignment.body and "/notices/optional/" in closed.body
    assert "/notices/optional/" not in _notices("receipt")[0].body


def test_assigning_an_agent_tells_the_customer_nothing(agent, english_customer):
    request = make_request(by=agent, customer=english_customer)
    move_to(request, "assigned", by=agent, assignee=agent)
    assert _notices("assignment") == []


def test_an_administrators_text_is_used_in_its_language_only(
    agent, admin_user, english_customer, customer_b
):
    services.template_save(
        by=admin_user,
        event="receipt",
        channel="email",
        language="en",
        subject="Ticket {{ number }} received",
        body="Hello {{ name }}, answer by {{ response_due }}.",
    )
    request = make_request(by=agent, customer=english_customer)
    other = make_request(by=agent, customer=customer_b)
    mine, theirs = _notices("receipt")
    assert mine.subject == f"Ticket {request.number} received"
    assert mine.body.startswith(f"Hello {request.contact_name}, answer by 20")
    # customer_b has no language: Simplified Chinese, the product's text.
    assert other.number in theirs.subject and not theirs.subject.startswith("Ticket")


def test_a_broken_text_never_loses_the_message(agent, english_customer):
    # Stored behind the checks' back (e.g. by a database restore).
    MessageTemplate.objects.create(
        event="receipt", channel="email", language="en", subject="x", body='{% include "a" %}'
    )
    make_request(by=agent, customer=english_customer)
    (receipt,) = _notices("receipt")
    assert "We received your request" in receipt.subject


@pytest.mark.parametrize("event", sorted(EVENTS))
@pytest.mark.parametrize("channel", ["email", "sms"])
@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_every_product_text_renders_and_is_a_valid_starting_point(event, channel, language):
    values = EVENTS[event].sample_values()
    text = rendering.default_render(event, channel, language, values)
    assert text.body.strip() and "{%" not in text.body and "{{" not in text.body
    assert (channel == "sms") == (text.subject == "")
    subject, body = rendering.default_source(event, channel, language)
    # What an administrator starts from passes the checks as it is.
    for field, source in (("subject", subject), ("body", body)):
        if source:
            rendering.check(event, field, source)
    assert "{{ number }}" in subject + body or event.startswith("rma_")


def test_text_messages_go_through_the_provider_and_are_logged(
    agent, english_customer, caplog, django_capture_on_commit_callbacks
):
    english_customer.notice_channel = "sms"
    english_customer.save()
    with (
        caplog.at_level(logging.INFO, logger="aftersales.sms"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        request = make_request(by=agent, customer=english_customer)
    (text,) = _notices("receipt")
    text.refresh_from_db()
    assert text.status == "sent" and text.sent_at is not None
    assert any(
        request.number in record.getMessage() and "13800138000" in record.getMessage()
        for record in caplog.records
    )
    assert mail.outbox == []


class FailingGateway:
    """A gateway that answers as a real one does when it is down or the number is wrong."""

    calls: list[str] = []

    def send(self, *, to: str, text: str, message_id: str) -> None:
        FailingGateway.calls.append(message_id)
        if to.endswith("0000"):
            raise sms.SmsPermanentError("number does not exist")
        raise sms.SmsTemporaryError("gateway busy")


@pytest.fixture
def failing_gateway(settings):
    settings.SMS_PROVIDER = f"{__name__}.FailingGateway"
    sms.provider.cache_clear()
    FailingGateway.calls = []
    yield
    sms.provider.cache_clear()


def test_a_busy_gateway_is_retried_and_a_wrong_number_fails_for_good(
    agent, english_customer, failing_gateway
):
    english_customer.notice_channel = "sms"
    english_customer.save()
    request = make_request(by=agent, customer=english_customer)
    (text,) = _notices("receipt")
    assert outbox.outbox_deliver(text.pk) == OutboxMessage.Status.PENDING
    text.refresh_from_db()
    assert text.attempts == 1 and "gateway busy" in text.last_error
    assert text.next_attempt_at > timezone.now()
    wrong = services.notice_send(
        "closed", request=request, key="closed-test", phone="13800000000", channels=["sms"]
    )[0]
    assert outbox.outbox_deliver(wrong.pk) == OutboxMessage.Status.FAILED
    wrong.refresh_from_db()
    assert "does not exist" in wrong.last_error
    # The same Message-ID on every try, for gateways that drop duplicates.
    assert FailingGateway.calls == [text.message_id, wrong.message_id]


def test_something_that_is_no_phone_number_fails_without_reaching_the_gateway(
    agent, english_customer, failing_gateway
):
    request = make_request(by=agent, customer=english_customer)
    (message,) = services.notice_send(
        "closed", request=request, key="k2", phone="n/a", channels=["sms"]
    )
    assert outbox.outbox_deliver(message.pk) == OutboxMessage.Status.FAILED
    assert FailingGateway.calls == []
