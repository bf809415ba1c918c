import datetime

import pytest
from django.utils import timezone

from aftersales.core.errors import Conflict, DomainError
from aftersales.notifications.models import OutboxMessage
from aftersales.surveys import selectors, services
from aftersales.surveys.models import Question, Response
from aftersales.surveys.tests.conftest import GOOD


def test_an_email_invitation_is_mailed_in_the_customers_language(sr, agent, customer_a):
    customer_a.language = "zh-hant"
    customer_a.save()
    made, reason = services.invitation_create(sr, channel="email", by=agent)
    assert reason == "" and made.language == "zh-hant"
    mail = OutboxMessage.objects.get(key=f"survey:{made.pk}")
    assert mail.to_address == "zhang@example.com"
    assert services.survey_link(made) in mail.body


def test_no_address_means_no_invitation_and_a_reason(sr, agent, customer_a):
    customer_a.email = ""
    customer_a.save()
    sr.contact_email = ""
    sr.save()
    made, reason = services.invitation_create(sr, channel="email", by=agent)
    assert made is None and "email" in reason


def test_an_unknown_channel_is_refused(sr, agent):
    with pytest.raises(DomainError) as caught:
        services.invitation_create(sr, channel="fax", by=agent)
    assert "channel" in caught.value.fields


def test_a_used_invitation_cannot_be_answered_again(invitation):
    services.survey_answer(invitation, values=GOOD)
    with pytest.raises(Conflict):
        services.survey_answer(invitation, values=GOOD)
    assert Response.objects.count() == 1


def test_inactive_questions_are_not_asked(invitation):
    Question.objects.filter(code="speed").update(is_active=False)
    response = services.survey_answer(invitation, values=GOOD)
    assert "speed" not in {a.question.code for a in response.answers.all()}


def _answer(sr, agent, scores: dict[str, str], **extra):
    made, _ = services.invitation_create(sr, channel="email", by=agent)
    return services.survey_answer(made, values={"solved": "yes", **scores, **extra})


def test_csat_is_the_share_of_fours_and_fives_and_means_per_question(sr, agent, team_a):
    _answer(sr, agent, {"solution": "5", "attitude": "4", "speed": "2"}, suggestions="快一点")
    _answer(sr, agent, {"solution": "3", "attitude": "5"}, suggestions="")
    result = selectors.summary()
    assert result.responses == 2
    assert result.score_answers == 5 and result.satisfied == 3
    assert result.csat == 60.0
    assert result.mean == round((5 + 4 + 2 + 3 + 5) / 5, 2)
    by_code = {q.question.code: q for q in result.questions}
    assert by_code["solution"].mean == 4.0 and by_code["solution"].csat == 50.0
    assert by_code["speed"].answers == 1
    assert result.by_team == [
        {"team_id": team_a.pk, "team": team_a.name, "answers": 5, "mean": 3.8, "csat": 60.0}
    ]
    # Over a period, and for a team.
    later = timezone.now() + datetime.timedelta(days=1)
    assert selectors.summary(start=later).score_answers == 0
    assert selectors.summary(team_id=team_a.pk + 100).csat is None


def test_comments_are_searchable(sr, agent):
    _answer(sr, agent, {"solution": "5"}, suggestions="师傅很专业")
    _answer(sr, agent, {"solution": "4"}, suggestions="Waiting time on the phone was long")
    assert [a.text for a in selectors.comments(search="专业")] == ["师傅很专业"]
    assert selectors.comments(search="PHONE").count() == 1
    assert selectors.comments().count() == 2
