import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from aftersales.core.errors import Conflict, DomainError, InvalidTransition, NotAllowed
from aftersales.followups import services
from aftersales.followups.models import FollowUp
from aftersales.service_requests import services as requests
from aftersales.service_requests.models import ServiceRequest, ServiceRequestEvent
from aftersales.service_requests.tests.factories import make_request, move_to
from aftersales.surveys.models import Response
from aftersales.tasks.models import Task

H = datetime.timedelta(hours=1)


def _open(sr) -> FollowUp:
    return FollowUp.objects.get(request=sr, status="planned")


def _age(followup: FollowUp, days: float) -> None:
    """As if it had been planned `days` ago."""
    FollowUp.objects.filter(pk=followup.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=days)
    )


# --- Planning -----------------------------------------------------------------------------


def test_resolving_plans_a_follow_up_due_in_24_hours(sr):
    followup = _open(sr)
    assert followup.method == "phone"
    assert followup.team is None  # there is no service desk team here
    assert abs(followup.due_at - (sr.resolved_at + 24 * H)) < datetime.timedelta(seconds=5)
    line = sr.events.filter(action="followup.planned").get()
    assert line.is_internal


def test_the_service_desk_team_gets_it(desk, agent, technician, customer_a):
    sr = move_to(make_request(by=agent, customer=customer_a), "resolved", by=agent)
    assert _open(sr).team == desk


def test_installations_are_followed_up_after_a_week(agent, customer_a):
    sr = make_request(by=agent, customer=customer_a, kind="installation")
    sr = move_to(sr, "resolved", by=agent)
    assert abs(_open(sr).due_at - (sr.resolved_at + 168 * H)) < datetime.timedelta(seconds=5)


def test_delay_and_method_are_configured_per_kind(settings, agent, customer_a):
    settings.FOLLOWUP_HOURS = 2
    settings.FOLLOWUP_HOURS_BY_KIND = "maintenance=48"
    settings.FOLLOWUP_METHOD_BY_KIND = "consultation=email"
    repair = move_to(make_request(by=agent, customer=customer_a), "resolved", by=agent)
    assert abs(_open(repair).due_at - (repair.resolved_at + 2 * H)).total_seconds() < 5
    upkeep = move_to(
        make_request(by=agent, customer=customer_a, kind="maintenance"), "resolved", by=agent
    )
    assert abs(_open(upkeep).due_at - (upkeep.resolved_at + 48 * H)).total_seconds() < 5
    question = move_to(
        make_request(by=agent, customer=customer_a, kind="consultation"), "resolved", by=agent
    )
    assert _open(question).method == "email"


def test_unreadable_settings_stop_the_start(settings):
    from django.core.exceptions import ImproperlyConfigured

    from aftersales.followups import rules

    settings.FOLLOWUP_HOURS_BY_KIND = "installation:168"
    with pytest.raises(ImproperlyConfigured):
        rules.check()
    settings.FOLLOWUP_HOURS_BY_KIND = "spaceship=3"
    with pytest.raises(ImproperlyConfigured):
        rules.check()
    settings.FOLLOWUP_HOURS_BY_KIND = ""
    settings.FOLLOWUP_METHOD = "pigeon"
    with pytest.raises(ImproperlyConfigured):
        rules.check()


def test_complaints_have_no_follow_up_and_close_at_once(agent, customer_a):
    sr = make_request(by=agent, customer=customer_a, kind="complaint")
    sr = move_to(sr, "resolved", by=agent)
    assert not FollowUp.objects.filter(request=sr).exists()
    closed = requests.service_request_act(sr, "close", by=agent)
    assert closed.status == "closed"


def test_reopen_cancels_the_open_one_and_a_new_resolution_plans_another(sr, agent):
    first = _open(sr)
    sr = requests.service_request_act(sr, "reopen", by=agent, data={"reason": "又坏了"})
    first.refresh_from_db()
    assert first.status == "cancelled" and first.finished_at is not None
    sr = requests.service_request_act(sr, "resolve", by=agent, data={"resolution": "再修"})
    second = _open(sr)
    assert second.pk != first.pk and second.round == 1
    assert FollowUp.objects.filter(request=sr).count() == 2


def test_the_database_allows_one_open_follow_up_per_request(sr):
    followup = _open(sr)
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUp.objects.create(request=sr, due_at=followup.due_at)


def test_the_database_refuses_scores_outside_1_to_5(sr):
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUp.objects.filter(pk=_open(sr).pk).update(score_speed=6)


# --- Results ------------------------------------------------------------------------------


def test_not_reached_counts_an_attempt_and_stays_open(sr, agent):
    followup = services.followup_record(_open(sr), by=agent, data={"reached": "no"})
    followup = services.followup_record(followup, by=agent, data={"reached": False, "note": "关机"})
    assert followup.status == "planned" and followup.attempts == 2
    assert sr.events.filter(action="followup.attempt").count() == 2


def test_solved_with_good_scores_is_done_and_kept_as_answers(sr, agent):
    data = {
        "reached": "yes",
        "solved": "yes",
        "score_solution": "5",
        "score_attitude": 4,
        "score_speed": "4",
        "suggestions": "很好",
    }
    followup = services.followup_record(_open(sr), by=agent, data=data)
    assert (followup.status, followup.solved, followup.score_attitude) == ("done", True, 4)
    assert followup.finished_by == agent and followup.answered_via == "phone"
    response = Response.objects.get(request=sr)
    assert response.source == "phone" and response.team_id == sr.team_id
    answers = {a.question.code: a for a in response.answers.select_related("question")}
    assert answers["solved"].yes is True and answers["solution"].score == 5
    assert answers["suggestions"].text == "很好"
    assert not Task.objects.exists()
    sr.refresh_from_db()
    assert sr.status == "resolved"


def test_not_solved_reopens_the_request_and_counts_a_repeat(sr, agent):
    data = {"reached": True, "solved": False, "suggestions": "还是不制冷"}
    followup = services.followup_record(_open(sr), by=agent, data=data)
    sr.refresh_from_db()
    assert followup.status == "done"
    assert sr.status == "reopened" and sr.reopen_count == 1
    reopen = sr.events.get(action="reopen")
    assert "not solved" in reopen.note and "还是不制冷" in reopen.note
    assert reopen.actor == agent


def test_a_low_score_opens_a_task_for_the_teams_supervisor(sr, agent, supervisor, team_a):
    team_a.supervisor = supervisor
    team_a.save()
    data = {"reached": True, "solved": True, "score_attitude": 2, "score_speed": 5}
    followup = services.followup_record(_open(sr), by=agent, data=data)
    task = Task.objects.get(source="followup.low_score", source_id=followup.pk)
    assert task.team == team_a and task.assignee == supervisor
    assert task.service_request_id == sr.pk
    assert sr.number in task.title


def test_without_a_supervisor_the_task_goes_to_the_service_desk(sr, agent, desk):
    services.followup_record(
        _open(sr), by=agent, data={"reached": True, "solved": True, "score_solution": 1}
    )
    task = Task.objects.get(source="followup.low_score")
    assert task.team == desk and task.assignee == desk.supervisor


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "reached"),
        ({"reached": "maybe"}, "reached"),
        ({"reached": True}, "solved"),
        ({"reached": True, "solved": True, "score_speed": "6"}, "score_speed"),
        ({"reached": True, "solved": True, "score_speed": "0"}, "score_speed"),
        ({"reached": True, "solved": True, "score_speed": "4.5"}, "score_speed"),
        ({"reached": True, "solved": True, "score_speed": True}, "score_speed"),
        ({"reached": True, "solved": True, "suggestions": "x" * 2001}, "suggestions"),
        ({"reached": True, "solved": True, "suggestions": "a\u202eb"}, "suggestions"),
    ],
)
def test_bad_results_are_refused_naming_the_field_and_change_nothing(sr, agent, data, field):
    followup = _open(sr)
    with pytest.raises(DomainError) as caught:
        services.followup_record(followup, by=agent, data=data)
    assert field in caught.value.fields
    followup.refresh_from_db()
    assert followup.status == "planned" and followup.attempts == 0 and followup.version == 1


def test_who_may_record(sr, technician, analyst, customer_user, supervisor, other_technician):
    for person in (technician, analyst, customer_user, other_technician):
        with pytest.raises(NotAllowed):
            services.followup_record(_open(sr), by=person, data={"reached": False})
    # The supervisor of the request's team may.
    followup = services.followup_record(_open(sr), by=supervisor, data={"reached": False})
    assert followup.attempts == 1


def test_a_stale_version_or_an_ended_follow_up_is_refused(sr, agent):
    followup = _open(sr)
    with pytest.raises(Conflict):
        services.followup_record(followup, by=agent, data={"reached": False}, expected_version=9)
    done = services.followup_record(followup, by=agent, data={"reached": True, "solved": True})
    with pytest.raises(InvalidTransition):
        services.followup_record(done, by=agent, data={"reached": True, "solved": True})
    with pytest.raises(InvalidTransition):
        services.followup_give_up(done, by=agent, reason="x")


def test_giving_up_needs_a_reason(sr, agent):
    with pytest.raises(DomainError) as caught:
        services.followup_give_up(_open(sr), by=agent, reason="  ")
    assert "reason" in caught.value.fields
    followup = services.followup_give_up(_open(sr), by=agent, reason="空号")
    assert followup.status == "given_up" and followup.note == "空号"


# --- Closing ------------------------------------------------------------------------------


def test_closing_waits_for_the_follow_up(sr, agent):
    with pytest.raises(InvalidTransition) as caught:
        requests.service_request_act(sr, "close", by=agent)
    assert "follow-up" in caught.value.message
    sr.refresh_from_db()
    assert sr.status == "resolved"
    assert not sr.events.filter(action="close").exists()
    services.followup_record(_open(sr), by=agent, data={"reached": True, "solved": True})
    assert requests.service_request_act(sr, "close", by=agent).status == "closed"


def test_a_given_up_follow_up_lets_the_request_close(sr, agent):
    services.followup_give_up(_open(sr), by=agent, reason="联系不上")
    assert requests.service_request_act(sr, "close", by=agent).status == "closed"


def test_after_the_configured_days_without_an_answer_it_may_close(sr, agent, settings):
    settings.FOLLOWUP_CLOSE_AFTER_DAYS = 7
    followup = _open(sr)
    _age(followup, 6.9)
    with pytest.raises(InvalidTransition):
        requests.service_request_act(sr, "close", by=agent)
    _age(followup, 7.01)
    assert requests.service_request_act(sr, "close", by=agent).status == "closed"
    followup.refresh_from_db()
    assert followup.status == "cancelled"  # the request moved on: it is no longer open


def test_requests_resolved_before_follow_ups_existed_close(agent, customer_a):
    sr = move_to(make_request(by=agent, customer=customer_a), "resolved", by=agent)
    FollowUp.objects.filter(request=sr).delete()
    assert requests.service_request_act(sr, "close", by=agent).status == "closed"


def test_the_sweep_expires_silent_follow_ups_and_closes_requests(sr, agent, customer_a, settings):
    settings.FOLLOWUP_CLOSE_AFTER_DAYS = 7
    silent = _open(sr)
    _age(silent, 8)
    answered = move_to(make_request(by=agent, customer=customer_a), "resolved", by=agent)
    services.followup_record(_open(answered), by=agent, data={"reached": True, "solved": True})
    waiting = move_to(make_request(by=agent, customer=customer_a), "resolved", by=agent)

    counts = services.followups_sweep()

    assert counts == {"surveys": 0, "expired": 1, "closed": 2}
    silent.refresh_from_db()
    assert silent.status == "expired"
    statuses = dict(ServiceRequest.objects.values_list("pk", "status"))
    assert statuses[sr.pk] == "closed" and statuses[answered.pk] == "closed"
    assert statuses[waiting.pk] == "resolved"
    close = ServiceRequestEvent.objects.get(request=sr, action="close")
    # The system writes the history in the service's language.
    with translation.override(settings.LANGUAGE_CODE):
        why = gettext("Closed automatically: no answer to the follow-up visit.")
    assert close.actor is None and close.note == why
    assert services.followups_sweep() == {"surveys": 0, "expired": 0, "closed": 0}


def test_the_sweep_sends_survey_links_that_came_due(settings, agent, customer_a):
    from aftersales.notifications.models import OutboxMessage

    settings.FOLLOWUP_METHOD = "survey"
    sr = move_to(make_request(by=agent, customer=customer_a), "resolved", by=agent)
    assert services.followups_sweep()["surveys"] == 0  # not due yet
    FollowUp.objects.filter(request=sr).update(due_at=timezone.now() - H)
    assert services.followups_sweep()["surveys"] == 1
    followup = _open(sr)
    assert followup.invitation.channel == "email"
    assert followup.invitation.recipient == "zhang@example.com"
    mail = OutboxMessage.objects.get(key=f"survey:{followup.invitation_id}")
    assert "/portal/survey/" in mail.body
    assert services.followups_sweep()["surveys"] == 0  # once


def test_no_email_means_the_survey_goes_by_text_message(settings, agent, customer_b):
    from aftersales.notifications.models import OutboxMessage

    customer_b.email = ""
    customer_b.save()
    settings.FOLLOWUP_METHOD = "survey"
    sr = move_to(make_request(by=agent, customer=customer_b), "resolved", by=agent)
    FollowUp.objects.filter(request=sr).update(due_at=timezone.now() - H)
    services.followups_sweep()
    invitation = _open(sr).invitation
    assert invitation.channel == "sms" and invitation.recipient == "13900139000"
    assert "/portal/survey/" in invitation.message_text and sr.number in invitation.message_text
    (text,) = OutboxMessage.objects.filter(key__startswith="survey:")
    assert text.channel == "sms" and text.to_address == "13900139000"
    assert text.body == invitation.message_text


def test_the_cool_down_skips_the_survey_and_says_why(settings, agent, customer_a):
    settings.FOLLOWUP_METHOD = "email"
    settings.SURVEY_COOLDOWN_DAYS = 30
    first = move_to(make_request(by=agent, customer=customer_a), "resolved", by=agent)
    second = move_to(make_request(by=agent, customer=customer_a), "resolved", by=agent)
    FollowUp.objects.update(due_at=timezone.now() - H)
    assert services.followups_sweep()["surveys"] == 1
    skipped = FollowUp.objects.get(request__in=[first, second], invitation__isnull=True)
    assert "30" in skipped.survey_skipped  # in the service's language
    assert skipped.status == "planned"  # the agents call instead
    # Staff asking for a link on purpose get one.
    sent = services.followup_send_survey(skipped, by=agent, channel="email")
    assert sent.invitation is not None


def test_sampling_leaves_some_follow_ups_without_a_survey(settings, agent, customer_a):
    settings.FOLLOWUP_METHOD = "email"
    settings.SURVEY_SAMPLE_PERCENT = 0
    sr = move_to(make_request(by=agent, customer=customer_a), "resolved", by=agent)
    FollowUp.objects.update(due_at=timezone.now() - H)
    services.followups_sweep()
    # Written in the service's language: it names the share that is surveyed.
    assert "0%" in _open(sr).survey_skipped


def test_call_script_names_the_requests_facts(sr, agent):
    text = services.call_script(_open(sr), agent=agent, language="en")
    assert "张三" in text and sr.number in text and "更换电容后恢复正常" in text
    assert "agent1" in text


def test_an_admins_call_script_is_used_for_its_language(sr, agent):
    from aftersales.followups.models import CallScript

    CallScript.objects.create(language="en", text="Hi {customer}, about {number} {unknown}.")
    text = services.call_script(_open(sr), agent=agent, language="en")
    assert text == f"Hi 张三, about {sr.number} {{unknown}}."
