"""The message texts page, the request's messages card and the customer's opt-out link."""

import pytest
from django.test import Client

from aftersales.notices import services, tokens
from aftersales.notices.models import MessageTemplate
from aftersales.notifications import services as outbox
from aftersales.notifications.models import OutboxMessage
from aftersales.service_requests.tests.factories import make_request

pytestmark = pytest.mark.django_db
EDIT = "/notices/templates/receipt/email/en/"


@pytest.fixture
def en():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def test_only_administrators_see_and_change_texts(en, agent, supervisor, admin_user):
    for user in (agent, supervisor):
        en.force_login(user)
        assert en.get("/notices/templates/").status_code == 403
        assert en.post(EDIT, {"subject": "x", "body": "y"}).status_code == 403
    assert not MessageTemplate.objects.exists()
    en.force_login(admin_user)
    page = en.get("/notices/templates/").content.decode()
    assert "Receipt" in page and 'data-cell="sms-zh-hant"' in page


def test_an_administrator_starts_from_the_products_text_and_saves_their_own(en, admin_user):
    en.force_login(admin_user)
    page = en.get(EDIT).content.decode()
    # The product's English text, its values written as they are to be used.
    assert "We received your request and opened service request {{ number }}." in page
    assert "{{ response_due }}" in page and "Preview with sample values" in page
    answer = en.post(EDIT, {"subject": "Got it: {{ number }}", "body": "Hi {{ name }}."})
    assert answer.status_code == 302
    template = MessageTemplate.objects.get()
    assert (template.event, template.channel, template.language) == ("receipt", "email", "en")
    assert template.updated_by == admin_user
    assert "own text" in en.get("/notices/templates/").content.decode()


def test_a_wrong_text_is_refused_with_the_field_and_the_reason(en, admin_user):
    en.force_login(admin_user)
    answer = en.post(EDIT, {"subject": "{{ numbr }}", "body": "{% if %}"})
    assert answer.status_code == 400
    page = answer.content.decode()
    assert "There is no value called “numbr”" in page
    assert "not a valid template" in page
    answer = en.post(EDIT, {"subject": "ok", "body": '{% include "base.html" %}'})
    assert answer.status_code == 400 and "cannot be filled in" in answer.content.decode()
    answer = en.post(EDIT, {"subject": "", "body": "text"})
    assert "An email needs a subject." in answer.content.decode()
    assert not MessageTemplate.objects.exists()


def test_the_preview_fills_in_sample_values(en, admin_user):
    en.force_login(admin_user)
    answer = en.post(EDIT + "preview/", {"subject": "{{ number }}", "body": "Dear {{ name }}"})
    page = answer.content.decode()
    assert answer.status_code == 200 and "SR-2026-000123" in page and "Dear 王芳" in page
    assert "<html" not in page  # the preview alone, for htmx
    page = en.post(EDIT + "preview/", {"subject": "x", "body": "{{ nope }}"}).content.decode()
    assert "There is no value called “nope”" in page


def test_going_back_to_the_products_text(en, admin_user):
    en.force_login(admin_user)
    en.post(EDIT, {"subject": "S {{ number }}", "body": "B"})
    en.post(EDIT, {"reset": "1"})
    assert not MessageTemplate.objects.exists()


def test_unknown_messages_and_languages_are_not_found(en, admin_user):
    en.force_login(admin_user)
    assert en.get("/notices/templates/nope/email/en/").status_code == 404
    assert en.get("/notices/templates/receipt/fax/en/").status_code == 404
    assert en.get("/notices/templates/receipt/email/fr/").status_code == 404


def test_a_failed_message_is_shown_on_the_request_and_can_be_sent_again(
    en, agent, technician, customer_a
):
    request = make_request(by=agent, customer=customer_a)
    receipt = OutboxMessage.objects.get(event="receipt")
    OutboxMessage.objects.filter(pk=receipt.pk).update(status="failed", last_error="550 no user")
    en.force_login(agent)
    page = en.get(f"/{request.number}/").content.decode()
    assert "data-notice-failed" in page and "550 no user" in page
    assert f"/notices/retry/{request.number}/{receipt.pk}/" in page
    en.force_login(technician)  # not theirs: may not resend
    answer = en.post(f"/notices/retry/{request.number}/{receipt.pk}/")
    assert answer.status_code in (403, 404)
    en.force_login(agent)
    answer = en.post(f"/notices/retry/{request.number}/{receipt.pk}/")
    assert answer.status_code == 302
    receipt.refresh_from_db()
    assert receipt.status in ("pending", "sent") and receipt.last_error in ("", "550 no user")


def test_customers_do_not_see_the_messages_card(en, customer_user, customer_a, agent):
    request = make_request(by=agent, customer=customer_a)
    en.force_login(customer_user)
    page = en.get(f"/{request.number}/").content.decode()
    assert "data-request-notices" not in page


def test_the_customer_stops_optional_messages_with_one_click(customer_a):
    link = f"/notices/optional/{tokens.opt_out_token(customer_a.pk)}/"
    visitor = Client(HTTP_ACCEPT_LANGUAGE="en")
    page = visitor.get(link)
    assert page.status_code == 200 and "Stop optional messages?" in page.content.decode()
    customer_a.refresh_from_db()
    assert customer_a.notices_optional  # a GET (a mail scanner) changes nothing
    page = visitor.post(link)
    assert page.status_code == 200 and "Done" in page.content.decode()
    customer_a.refresh_from_db()
    assert not customer_a.notices_optional
    assert services.declines(customer_a, "survey") and not services.declines(customer_a, "receipt")


def test_a_forged_opt_out_link_changes_nothing(customer_a):
    token = tokens.opt_out_token(customer_a.pk)[:-2] + "xx"
    answer = Client().post(f"/notices/optional/{token}/")
    assert answer.status_code == 404
    customer_a.refresh_from_db()
    assert customer_a.notices_optional


def test_the_receipt_reaches_a_real_smtp_server_threaded_to_the_request(
    agent, customer_a, smtp_sink, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = make_request(by=agent, customer=customer_a)
    (received,) = smtp_sink.to("zhang@example.com")
    assert request.number in received["Subject"]
    assert received["Auto-Submitted"] == "auto-generated"
    assert received["Message-ID"] == OutboxMessage.objects.get(event="receipt").message_id
    # Sent once: a second flush finds nothing due.
    assert outbox.outbox_flush() == 0
