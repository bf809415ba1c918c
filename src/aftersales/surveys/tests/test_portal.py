"""The customer's survey page: tampering, reuse, expiry, GET records nothing (RELIABILITY:
links opened by mail scanners), one answer under concurrency, the customer's language."""

import datetime

import pytest
from django.core import signing
from django.utils import timezone

from aftersales.followups.models import FollowUp
from aftersales.surveys import tokens
from aftersales.surveys.models import Answer, Invitation, Response
from aftersales.surveys.tests.conftest import GOOD


def test_get_shows_the_questions_and_records_nothing(client, link, invitation, sr):
    events = sr.events.count()
    for _ in range(3):
        response = client.get(link)
        assert response.status_code == 200
    page = response.content.decode()
    assert "data-survey" in page and sr.number in page
    assert 'name="solution"' in page and 'value="5"' in page
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "same-origin"
    invitation.refresh_from_db()
    assert invitation.used_at is None
    assert not Response.objects.exists()
    assert sr.events.count() == events
    # Nothing personal on the page: no phone, no email, no address, no resolution.
    assert "13800138000" not in page and "zhang@example.com" not in page


def test_answering_records_the_answers_once(client, link, invitation, sr):
    response = client.post(link, GOOD)
    assert response.status_code == 200 and "data-survey-done" in response.content.decode()
    answer = Response.objects.get()
    assert answer.source == "survey" and answer.invitation == invitation
    assert answer.team_id == sr.team_id
    values = {a.question.code: (a.score, a.yes, a.text) for a in answer.answers.all()}
    assert values["solution"] == (5, None, "") and values["solved"] == (None, True, "")
    assert values["suggestions"][2] == "挺好"
    invitation.refresh_from_db()
    assert invitation.used_at is not None
    assert sr.events.filter(action="survey.answered").exists()

    again = client.post(link, {**GOOD, "solution": "1"})
    assert again.status_code == 410
    assert 'data-survey-gone="used"' in again.content.decode()
    assert client.get(link).status_code == 410
    assert (
        Response.objects.count() == 1 and Answer.objects.get(question__code="solution").score == 5
    )


def test_an_answer_completes_the_open_follow_up(client, agent, sr):
    from aftersales.followups import services as followups

    followup = FollowUp.objects.get(request=sr)
    followup = followups.followup_send_survey(followup, by=agent, channel="email")
    link = (
        followup.invitation
        and f"/portal/survey/{tokens.invitation_token(followup.invitation_id, sr.pk)}/"
    )
    assert client.post(link, {**GOOD, "attitude": "2"}).status_code == 200
    followup.refresh_from_db()
    assert (followup.status, followup.answered_via, followup.score_attitude) == (
        "done",
        "survey",
        2,
    )
    assert followup.finished_by is None
    from aftersales.tasks.models import Task

    assert Task.objects.filter(source="followup.low_score", source_id=followup.pk).exists()


def test_not_solved_in_the_survey_reopens_the_request(client, agent, sr):
    from aftersales.followups import services as followups

    followup = followups.followup_send_survey(
        FollowUp.objects.get(request=sr), by=agent, channel="email"
    )
    link = f"/portal/survey/{tokens.invitation_token(followup.invitation_id, sr.pk)}/"
    client.post(link, {**GOOD, "solved": "no", "suggestions": "还在漏水"})
    sr.refresh_from_db()
    assert sr.status == "reopened" and sr.reopen_count == 1
    reopen = sr.events.get(action="reopen")
    assert reopen.actor is None and "还在漏水" in reopen.note


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # signature changed
        lambda t: t.replace(t.split(":")[0], t.split(":")[0][:-1] + "x"),  # payload changed
        lambda t: signing.dumps({"i": 1, "r": 1}, salt="repairs-plan-consent"),  # other salt
        lambda t: signing.dumps({"i": "1", "r": 1}, salt=tokens.SALT),  # not an id
        lambda t: "x" * 500,
        lambda t: "nothing-like-a-token",
    ],
)
def test_tampered_links_are_not_found_and_say_nothing(client, invitation, sr, mangle):
    token = tokens.invitation_token(invitation.pk, sr.pk)
    bad = mangle(token)
    for method in (client.get, client.post):
        response = (
            method(f"/portal/survey/{bad}/", GOOD)
            if method == client.post
            else method(f"/portal/survey/{bad}/")
        )
        assert response.status_code == 404
        assert sr.number not in response.content.decode()
    assert not Response.objects.exists()


def test_a_link_naming_another_request_is_not_found(client, invitation, sr):
    token = tokens.invitation_token(invitation.pk, sr.pk + 1)
    assert client.get(f"/portal/survey/{token}/").status_code == 404


def test_an_expired_link_is_gone(client, link, invitation):
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert client.get(link).status_code == 410
    response = client.post(link, GOOD)
    assert response.status_code == 410 and 'data-survey-gone="expired"' in response.content.decode()
    assert not Response.objects.exists()


def test_links_expire_after_the_configured_days(settings, sr, agent):
    from aftersales.surveys import services

    settings.SURVEY_DAYS = 28
    made, _ = services.invitation_create(sr, channel="email", by=agent)
    assert abs(
        made.expires_at - (timezone.now() + datetime.timedelta(days=28))
    ) < datetime.timedelta(seconds=5)


def test_bad_answers_are_refused_with_the_question_named(client, link):
    response = client.post(f"{link}?lang=en", {**GOOD, "solution": "9"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-question="solution"' in page and "Choose a score from 1 to 5." in page
    # What was answered is kept on the page.
    assert 'value="4" checked' in page
    assert not Response.objects.exists()
    assert client.post(link, {"solution": "4"}).status_code == 400  # "solved" is required
    assert client.post(link, {}).status_code == 400
    assert client.post(link, {**GOOD, "suggestions": "a\x00b"}).status_code == 400
    assert client.post(link, GOOD).status_code == 200


def test_the_page_speaks_the_customers_language(client, link, invitation, customer_a):
    page = client.get(link).content.decode()
    assert "您对解决方案的满意程度" in page  # zh-hans by default
    Invitation.objects.filter(pk=invitation.pk).update(language="zh-hant")
    assert "您對解決方案的滿意程度" in client.get(link).content.decode()
    english = client.get(link + "?lang=en").content.decode()
    assert "How satisfied are you with the solution?" in english
    assert '<html lang="en">' in english
    assert client.get(link + "?lang=xx").status_code == 200


def test_the_invitation_takes_the_customers_preferred_language(sr, agent, customer_a):
    from aftersales.surveys import services

    customer_a.language = "en"
    customer_a.save()
    made, _ = services.invitation_create(sr, channel="email", by=agent)
    assert made.language == "en"


def test_no_account_is_needed(client, link):
    assert client.get(link).status_code == 200  # not a redirect to the login page
