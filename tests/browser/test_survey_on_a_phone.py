"""A customer answers the satisfaction survey on a phone (390×844) without an account: the
link opens the questions in their language with big score buttons that fit the screen, one
answer is taken, and the link is used up. In headless Debian Chromium."""

import pytest
from playwright.sync_api import expect

from aftersales.followups.models import FollowUp
from aftersales.service_requests.tests.factories import make_request, move_to
from aftersales.surveys import services
from aftersales.surveys.models import Response
from aftersales.surveys.tests.conftest import ensure_default_questions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_a_customer_answers_the_survey_on_a_phone(
    live_server, new_page, agent, technician, customer_a, team_a
):
    from aftersales.followups import services as followups

    ensure_default_questions()
    sr = move_to(
        make_request(by=agent, customer=customer_a, team=team_a),
        "resolved",
        by=agent,
        assignee=technician,
    )
    followup = followups.followup_send_survey(
        FollowUp.objects.get(request=sr), by=agent, channel="email"
    )
    link = services.survey_link(followup.invitation).replace(
        "http://127.0.0.1:8000", live_server.url
    )
    page = new_page(locale="zh-CN", viewport=PHONE)
    page.goto(link)
    expect(page.get_by_text("您对解决方案的满意程度？")).to_be_visible()
    # Nothing wider than the phone: no sideways scrolling.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    # The score buttons are big enough to tap.
    box = page.locator('[data-question="solution"] .survey-choice span').first.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    assert not Response.objects.exists()  # opening it recorded nothing

    # (Chosen by value: the labels are in the customer's language.)
    page.locator('[data-question="solved"] input[value="yes"]').check()
    page.locator('[data-question="solution"] input[value="5"]').check()
    page.locator('[data-question="attitude"] input[value="4"]').check()
    page.locator('[data-question="speed"] input[value="2"]').check()
    page.locator('[data-question="suggestions"] textarea').fill("上门等了两天")
    page.locator("button.portal-submit").click()
    expect(page.locator("[data-survey-done]")).to_be_visible()

    answer = Response.objects.get()
    scores = {a.question.code: a.score for a in answer.answers.select_related("question")}
    assert scores["solution"] == 5 and scores["speed"] == 2
    followup.refresh_from_db()
    assert followup.status == "done" and followup.score_speed == 2

    page.goto(link + "?lang=en")
    expect(page.locator('[data-survey-gone="used"]')).to_be_visible()
    assert "answered already" in page.content()
