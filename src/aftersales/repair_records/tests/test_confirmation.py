"""Verification (SPEC §2.6): the customer says whether it is fixed — on the portal through a
signed link and proof of contact, in their own account, or by phone through staff. Not
fixed reopens the request and the work after it is a repeat repair."""

import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from aftersales.core.errors import Conflict, DomainError, InvalidTransition, NotAllowed
from aftersales.notifications.models import OutboxMessage
from aftersales.repair_records import services, tokens
from aftersales.repair_records.models import Confirmation
from aftersales.repair_records.tests.factories import make_record
from aftersales.service_requests import services as requests
from aftersales.service_requests.models import ServiceRequest, ServiceRequestEvent
from aftersales.service_requests.tests.factories import followup_done

S = ServiceRequest.Status


@pytest.fixture
def resolved(sr, technician):
    make_record(sr, by=technician)
    return requests.service_request_act(
        sr, "resolve", by=technician, data={"resolution": "更换启动电容后制冷恢复"}
    )


def link(sr) -> str:
    return reverse(
        "repair_records_portal:confirm", args=[tokens.confirmation_token(sr.pk, sr.reopen_count)]
    )


def _answer(response) -> str:
    """What the page says (the frame around it carries the URL and a fresh CSRF token)."""
    return re.search(r"<section.*</section>", response.content.decode(), re.S).group(0)


@pytest.fixture
def client():
    return Client(headers={"accept-language": "en"})


# --- The mail on resolution ------------------------------------------------------------------


def test_resolving_mails_the_customer_a_link_once(resolved, technician):
    mails = OutboxMessage.objects.filter(key__startswith="fix-confirmation:")
    assert mails.count() == 1
    mail = mails.get()
    assert mail.to_address == "zhang@example.com"
    assert resolved.number in mail.subject
    token = tokens.confirmation_token(resolved.pk, 0)
    assert reverse("repair_records_portal:confirm", args=[token]).split(":")[0] in mail.body
    # More changes to the resolved request send nothing more.
    requests.comment_add(resolved, by=technician, body="已回访", internal=False)
    assert mails.count() == 1


def test_without_an_email_the_link_goes_by_text_message(agent, technician, customer_b, team_a):
    from aftersales.service_requests.tests.factories import make_request, move_to

    customer_b.email = ""
    customer_b.save()
    request = make_request(by=agent, customer=customer_b, team=team_a, contact_email="")
    move_to(request, "resolved", by=agent, assignee=technician)
    (text,) = OutboxMessage.objects.filter(key__startswith="fix-confirmation:")
    assert text.channel == "sms" and "/portal/confirm/" in text.body


def test_no_link_without_any_address(agent, technician, customer_b, team_a):
    from aftersales.service_requests.tests.factories import make_request, move_to

    customer_b.email = customer_b.phone = ""
    customer_b.save()
    request = make_request(
        by=agent, customer=customer_b, team=team_a, contact_email="", contact_phone=""
    )
    move_to(request, "resolved", by=agent, assignee=technician)
    assert not OutboxMessage.objects.filter(key__startswith="fix-confirmation:").exists()


def test_the_link_in_the_mail_works(client, resolved):
    body = OutboxMessage.objects.get(key__startswith="fix-confirmation:").body
    url = re.search(r"https?://\S+", body).group(0)
    path = url.split("8000", 1)[-1] if "8000" in url else url
    assert client.get(path).status_code == 200


# --- The portal page -------------------------------------------------------------------------


def test_a_get_asks_for_the_contact_and_records_nothing(client, resolved):
    response = client.get(link(resolved))
    assert response.status_code == 200
    body = response.content.decode()
    assert "data-confirm-prove" in body
    assert resolved.number not in body  # nothing about the request before the proof
    assert resolved.title not in body
    assert not Confirmation.objects.exists()


def test_the_right_contact_shows_the_question(client, resolved):
    response = client.post(link(resolved), {"contact": "138 0013 8000"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "data-confirm-question" in body
    assert resolved.number in body
    assert "更换启动电容后制冷恢复" in body
    assert not Confirmation.objects.exists()


def test_a_wrong_contact_gets_the_same_answer_as_a_bad_link(client, resolved):
    wrong = client.post(link(resolved), {"contact": "13900000000"})
    bad = client.post(link(resolved)[:-3] + "xyz/", {"contact": "13800138000"})
    assert wrong.status_code == bad.status_code == 404
    assert _answer(wrong) == _answer(bad)
    assert "data-confirm-invalid" in _answer(wrong)
    assert resolved.number not in wrong.content.decode()


def test_a_tampered_link_is_refused(client, resolved):
    forged = tokens.confirmation_token(resolved.pk, 0).replace(":", ":x", 1)
    assert client.get(reverse("repair_records_portal:confirm", args=[forged])).status_code == 404
    assert client.get(reverse("repair_records_portal:confirm", args=["a" * 300])).status_code == 404
    # A token signed for something else (the receipt) is not one of ours.
    from aftersales.portal.tokens import receipt_token

    other = receipt_token(resolved.number)
    assert client.get(reverse("repair_records_portal:confirm", args=[other])).status_code == 404


def test_an_expired_link_is_refused(client, resolved):
    url = link(resolved)
    with time_machine.travel(timezone.now() + timezone.timedelta(days=31)):
        assert client.get(url).status_code == 404
        response = client.post(url, {"contact": "13800138000", "answer": "fixed"})
        assert response.status_code == 404
    assert not Confirmation.objects.exists()


def test_fixed_is_recorded_once_by_the_portal(client, resolved):
    url = link(resolved)
    response = client.post(
        url, {"contact": "zhang@example.com", "answer": "fixed", "comment": "很好"}
    )
    assert response.status_code == 200
    assert 'data-confirm-answered="fixed"' in response.content.decode()
    confirmation = Confirmation.objects.get()
    assert confirmation.satisfied
    assert confirmation.method == Confirmation.Method.PORTAL
    assert confirmation.recorded_by is None
    assert confirmation.comment == "很好"
    assert confirmation.customer_name == resolved.contact_name
    resolved.refresh_from_db()
    assert resolved.status == S.RESOLVED
    assert resolved.events.filter(action="confirmation.satisfied").exists()
    again = client.post(
        url, {"contact": "zhang@example.com", "answer": "not_fixed", "comment": "x"}
    )
    assert 'data-confirm-answered="fixed"' in again.content.decode()
    assert Confirmation.objects.count() == 1
    resolved.refresh_from_db()
    assert resolved.status == S.RESOLVED


def test_not_fixed_reopens_with_the_customers_reason_and_the_next_record_is_a_repeat(
    client, resolved, technician
):
    response = client.post(
        link(resolved),
        {"contact": "13800138000", "answer": "not_fixed", "comment": "第二天又不制冷了"},
    )
    assert 'data-confirm-answered="not_fixed"' in response.content.decode()
    resolved.refresh_from_db()
    assert resolved.status == S.REOPENED
    assert resolved.reopen_count == 1
    event = resolved.events.filter(kind=ServiceRequestEvent.Kind.STATUS_CHANGED).last()
    assert (event.action, event.note, event.actor) == ("reopen", "第二天又不制冷了", None)
    record = make_record(resolved, by=technician, work_done="更换压缩机")
    assert record.is_repeat
    assert record.visit_round == 1
    # Resolved again: the customer is asked again, with a new link; the old one is done.
    requests.service_request_act(resolved, "start", by=technician)
    again = requests.service_request_act(
        resolved, "resolve", by=technician, data={"resolution": "更换压缩机"}
    )
    assert OutboxMessage.objects.filter(key__startswith="fix-confirmation:").count() == 2
    old = client.post(
        reverse("repair_records_portal:confirm", args=[tokens.confirmation_token(again.pk, 0)]),
        {"contact": "13800138000", "answer": "fixed"},
    )
    assert 'data-confirm-answered="not_fixed"' in old.content.decode()
    client.post(link(again), {"contact": "13800138000", "answer": "fixed"})
    assert list(Confirmation.objects.values_list("round", "satisfied")) == [(0, False), (1, True)]


def test_not_fixed_needs_the_reason(client, resolved):
    response = client.post(link(resolved), {"contact": "13800138000", "answer": "not_fixed"})
    assert response.status_code == 400
    assert "data-confirm-question" in response.content.decode()
    assert not Confirmation.objects.exists()


def test_the_portal_page_is_throttled(client, resolved, settings):
    url = link(resolved)
    for _ in range(20):
        client.post(url, {"contact": "13900000000"})
    response = client.post(url, {"contact": "13800138000"})
    assert response.status_code == 429
    assert response["Retry-After"]


def test_a_request_that_is_not_resolved_is_not_asked(client, sr):
    response = client.post(link(sr), {"contact": "13800138000", "answer": "fixed"})
    assert 'data-confirm-answered="none"' in response.content.decode()
    assert not Confirmation.objects.exists()


def test_the_tracking_page_leads_to_the_question(client, resolved):
    tracked = client.post(
        reverse("portal:track"), {"number": resolved.number, "contact": "13800138000"}
    )
    body = tracked.content.decode()
    assert "data-track-confirm" in body
    action = re.search(r'action="(/portal/confirm/[^"]+)"', body).group(1)
    question = client.post(action, {"contact": "13800138000"})
    assert "data-confirm-question" in question.content.decode()


def test_the_tracking_page_does_not_ask_once_answered(client, resolved):
    services.confirmation_record(resolved, satisfied=True, by=None)
    tracked = client.post(
        reverse("portal:track"), {"number": resolved.number, "contact": "13800138000"}
    )
    assert "data-track-confirm" not in tracked.content.decode()


# --- Staff and the customer's account --------------------------------------------------------


def test_an_agent_records_the_answer_given_by_phone(resolved, agent):
    confirmation = services.confirmation_record(
        resolved, satisfied=True, comment="电话回访：已修好", customer_name="张太太", by=agent
    )
    assert confirmation.method == Confirmation.Method.PHONE
    assert confirmation.recorded_by == agent
    assert confirmation.customer_name == "张太太"


def test_not_fixed_by_phone_reopens_as_the_agent(resolved, agent):
    services.confirmation_record(resolved, satisfied=False, comment="还是有异响", by=agent)
    resolved.refresh_from_db()
    assert resolved.status == S.REOPENED
    assert resolved.events.filter(action="reopen").last().actor == agent


def test_the_customer_answers_in_their_account(resolved, customer_user):
    confirmation = services.confirmation_record(resolved, satisfied=True, by=customer_user)
    assert confirmation.method == Confirmation.Method.PORTAL
    assert confirmation.recorded_by == customer_user


@pytest.mark.parametrize("who", ["technician", "analyst", "other_customer_user"])
def test_others_may_not_record_the_answer(resolved, who, request):
    with pytest.raises(NotAllowed):
        services.confirmation_record(resolved, satisfied=True, by=request.getfixturevalue(who))


def test_an_answer_needs_a_resolved_request_and_is_taken_once(sr, agent, technician):
    with pytest.raises(InvalidTransition):
        services.confirmation_record(sr, satisfied=True, by=agent)
    resolved = requests.service_request_act(
        sr, "resolve", by=technician, data={"resolution": "好了"}
    )
    with pytest.raises(DomainError) as caught:
        services.confirmation_record(resolved, satisfied=False, comment="  ", by=agent)
    assert "comment" in caught.value.fields
    services.confirmation_record(resolved, satisfied=True, by=agent)
    with pytest.raises(Conflict):
        services.confirmation_record(resolved, satisfied=True, by=agent)
    assert Confirmation.objects.count() == 1


def test_after_a_satisfied_answer_the_request_may_be_closed(resolved, agent):
    services.confirmation_record(resolved, satisfied=True, by=agent)
    followup_done(resolved, by=agent)  # closing also waits for the follow-up visit
    closed = requests.service_request_act(resolved, "close", by=agent)
    assert closed.status == S.CLOSED
