"""The email card on a request's page and the original's download: staff who may see the
request, not department staff, not customers, 404 for everyone else (no enumeration)."""

import pytest
from django.urls import reverse

from aftersales.mailin import services
from aftersales.mailin.tests import corpus
from aftersales.service_requests.models import ServiceRequest


@pytest.fixture
def mail(db, team_a, technician):
    message, _created = services.message_store(raw=corpus.gbk_labelled_big5())
    message = services.message_process(message.pk)
    ServiceRequest.objects.filter(pk=message.request_id).update(team=team_a, assignee=technician)
    return message


ROLE_STATUS = {
    "agent": 200,
    "technician": 200,
    "supervisor": 200,
    "admin_user": 200,
    "other_technician": 404,
    "department": 404,
    "customer_user": 404,
    "other_customer_user": 404,
}


@pytest.mark.parametrize(("role", "status"), ROLE_STATUS.items())
def test_who_downloads_the_original(client, mail, role, status, request):
    client.force_login(request.getfixturevalue(role))
    answer = client.get(reverse("mailin:raw", args=[mail.pk]))
    assert answer.status_code == status
    if status == 200:
        assert answer.content == corpus.gbk_labelled_big5()
        assert answer["Content-Disposition"] == f'attachment; filename="message-{mail.pk}.eml"'
        assert answer["X-Content-Type-Options"] == "nosniff"


def test_anonymous_is_sent_to_log_in(client, mail):
    answer = client.get(reverse("mailin:raw", args=[mail.pk]))
    assert answer.status_code == 302 and "login" in answer["Location"]


def test_unknown_message_is_404(client, agent, db):
    client.force_login(agent)
    assert client.get(reverse("mailin:raw", args=[999])).status_code == 404


def test_the_request_page_shows_the_mail_and_what_was_noticed(client, mail, agent):
    client.force_login(agent)
    page = client.get(reverse("service_requests:detail", args=[mail.request.number]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "data-request-mail" in html and "wang@example.com" in html
    assert "encoding uncertain" in html
    assert reverse("mailin:raw", args=[mail.pk]) in html


def test_the_customer_does_not_see_the_card(client, db, customer_a, customer_user):
    message, _created = services.message_store(raw=corpus.plain())
    message = services.message_process(message.pk)
    assert message.request.customer == customer_a
    client.force_login(customer_user)
    page = client.get(reverse("service_requests:detail", args=[message.request.number]))
    assert page.status_code == 200
    assert "data-request-mail" not in page.content.decode()
