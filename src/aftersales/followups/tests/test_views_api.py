import datetime

from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from aftersales.followups.models import FollowUp
from aftersales.service_requests.tests.factories import make_request, move_to


def _api(user) -> APIClient:
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def _open(sr) -> FollowUp:
    return FollowUp.objects.get(request=sr, status="planned")


# --- Console ------------------------------------------------------------------------------


def test_the_queue_has_its_tabs(client, agent, customer_a, sr):
    overdue = move_to(make_request(by=agent, customer=customer_a), "resolved", by=agent)
    FollowUp.objects.filter(request=overdue).update(
        due_at=timezone.now() - datetime.timedelta(hours=2)
    )
    later = timezone.now() + datetime.timedelta(days=3)
    FollowUp.objects.filter(request=sr).update(due_at=later)
    client.force_login(agent)
    page = client.get("/follow-ups/?view=overdue").content.decode()
    assert overdue.number in page and sr.number not in page
    page = client.get("/follow-ups/?view=upcoming").content.decode()
    assert sr.number in page and overdue.number not in page
    assert "data-followup-list-empty" in client.get("/follow-ups/?view=done").content.decode()
    assert client.get("/follow-ups/?view=bogus").status_code == 200


def test_due_today_lists_what_is_due_before_midnight(client, agent, sr):
    from aftersales.followups import selectors

    FollowUp.objects.filter(request=sr).update(
        due_at=min(timezone.now() + datetime.timedelta(minutes=5), selectors.end_of_today())
        - datetime.timedelta(seconds=1)
    )
    client.force_login(agent)
    assert sr.number in client.get("/follow-ups/").content.decode()


def test_the_follow_up_page_shows_the_script_and_takes_the_result(client, agent, sr):
    followup = _open(sr)
    client.force_login(agent)
    page = client.get(f"/follow-ups/{followup.pk}/").content.decode()
    assert "data-call-script" in page and "张三" in page and sr.number in page
    response = client.post(
        f"/follow-ups/{followup.pk}/record/",
        {"version": "1", "reached": "yes", "solved": "yes", "score_solution": "5"},
    )
    assert response.status_code == 302
    followup.refresh_from_db()
    assert followup.status == "done" and followup.score_solution == 5
    page = client.get(f"/follow-ups/{followup.pk}/").content.decode()
    assert "data-call-script" not in page and 'data-followup-status="done"' in page


def test_a_refused_result_is_shown_on_the_page(client, agent, sr):
    followup = _open(sr)
    client.force_login(agent)
    response = client.post(f"/follow-ups/{followup.pk}/record/", {"reached": "yes"})
    assert response.status_code == 400
    assert "data-followup-error" in response.content.decode()
    stale = client.post(f"/follow-ups/{followup.pk}/record/", {"version": "7", "reached": "no"})
    assert stale.status_code == 409
    followup.refresh_from_db()
    assert followup.attempts == 0


def test_a_text_message_is_shown_to_copy(client, agent, sr):
    followup = _open(sr)
    client.force_login(agent)
    client.post(f"/follow-ups/{followup.pk}/send-survey/", {"channel": "sms"})
    page = client.get(f"/follow-ups/{followup.pk}/").content.decode()
    assert "data-followup-sms" in page and "/portal/survey/" in page


def test_the_request_page_has_the_follow_up_card(client, agent, sr):
    client.force_login(agent)
    page = client.get(f"/{sr.number}/").content.decode()
    assert "data-followup-card" in page and "data-close-refusal" in page


def test_who_sees_the_queue(client, technician, other_technician, department, customer_user, sr):
    client.force_login(technician)
    assert (
        sr.number
        in client.get("/follow-ups/?view=upcoming").content.decode()
        + client.get("/follow-ups/").content.decode()
    )
    followup = _open(sr)
    page = client.get(f"/follow-ups/{followup.pk}/").content.decode()
    assert "data-followup-result" not in page  # technicians see, agents run
    assert client.post(f"/follow-ups/{followup.pk}/record/", {"reached": "no"}).status_code == 403
    client.force_login(other_technician)
    assert client.get(f"/follow-ups/{followup.pk}/").status_code == 404
    for person in (department, customer_user):
        client.force_login(person)
        assert client.get("/follow-ups/").status_code == 403


# --- API ----------------------------------------------------------------------------------


def test_the_api_records_a_result_and_names_bad_fields(agent, sr):
    api = _api(agent)
    followup = _open(sr)
    url = f"/api/v1/follow-ups/{followup.pk}/record/"
    bad = api.post(url, {"reached": True, "solved": True, "score_speed": 9}, format="json")
    assert bad.status_code == 400 and "score_speed" in str(bad.json())
    missing = api.post(url, {"reached": True}, format="json")
    assert missing.status_code == 400 and "solved" in str(missing.json())
    unknown = api.post(url, {"reached": True, "solved": True, "mood": 3}, format="json")
    assert unknown.status_code == 400
    stale = api.post(url, {"reached": False, "version": 5}, format="json")
    assert stale.status_code == 409
    done = api.post(url, {"reached": True, "solved": True, "score_speed": 4}, format="json")
    assert done.status_code == 200
    body = done.json()
    assert (body["status"], body["score_speed"], body["service_request"]) == ("done", 4, sr.number)
    again = api.post(url, {"reached": True, "solved": True}, format="json")
    assert again.status_code == 409


def test_the_api_lists_queues(agent, sr):
    api = _api(agent)
    assert api.get("/api/v1/follow-ups/?view=done").json()["count"] == 0
    assert api.get("/api/v1/follow-ups/").json()["count"] == 1
    assert api.get(f"/api/v1/follow-ups/?service_request={sr.number}").json()["count"] == 1
    bad = api.get("/api/v1/follow-ups/?view=tomorrow")
    assert bad.status_code == 400 and "view" in str(bad.json())


def test_the_api_sends_a_text_message_survey(agent, sr):
    api = _api(agent)
    followup = _open(sr)
    response = api.post(
        f"/api/v1/follow-ups/{followup.pk}/send-survey/", {"channel": "sms"}, format="json"
    )
    assert response.status_code == 200
    assert "/portal/survey/" in response.json()["sms_text"]
    listed = api.get("/api/v1/surveys/").json()
    assert listed["count"] == 1 and listed["results"][0]["channel"] == "sms"


def test_the_summary_endpoint(agent, analyst, sr):
    from aftersales.followups import services

    services.followup_record(
        _open(sr), by=agent, data={"reached": True, "solved": True, "score_speed": 4}
    )
    assert _api(agent).get("/api/v1/surveys/summary/").status_code == 403
    body = _api(analyst).get("/api/v1/surveys/summary/").json()
    assert body["csat"] == 100.0 and body["responses"] == 1
    assert {"code": "speed", "mean": 4.0, "csat": 100.0, "answers": 1} in body["questions"]
    bad = _api(analyst).get("/api/v1/surveys/summary/?from=yesterday")
    assert bad.status_code == 400 and "from" in str(bad.json())


def test_satisfaction_page_for_supervisors_analysts_admins(client, agent, analyst, sr):
    from aftersales.followups import services

    services.followup_record(
        _open(sr),
        by=agent,
        data={"reached": True, "solved": True, "score_speed": 2, "suggestions": "太慢了"},
    )
    client.force_login(agent)
    assert client.get("/satisfaction/").status_code == 403
    client.force_login(analyst)
    page = client.get("/satisfaction/?q=慢").content.decode()
    assert "data-csat" in page and "太慢了" in page and "0.0 %" in page
    assert "太慢了" not in client.get("/satisfaction/?q=快").content.decode()
    assert client.get("/satisfaction/?from=nonsense").status_code == 200


def test_admins_keep_the_questions(admin_user, agent):
    api = _api(admin_user)
    made = api.post(
        "/api/v1/survey-questions/",
        {"code": "recommend", "kind": "score_1_5", "text_zh_hans": "您会推荐我们吗？"},
        format="json",
    )
    assert made.status_code == 201
    clash = api.post(
        "/api/v1/survey-questions/",
        {"code": "recommend", "kind": "text", "text_zh_hans": "重复"},
        format="json",
    )
    assert clash.status_code == 400 and "code" in str(clash.json())
    assert (
        _api(agent)
        .post(
            "/api/v1/survey-questions/",
            {"code": "x", "kind": "text", "text_zh_hans": "x"},
            format="json",
        )
        .status_code
        == 403
    )


def test_a_follow_up_is_taken_or_given_to_someone_who_may_run_it(client, agent, technician, sr):
    followup = _open(sr)
    client.force_login(agent)
    assert client.post(f"/follow-ups/{followup.pk}/take/").status_code == 302
    followup.refresh_from_db()
    assert followup.assignee == agent
    api = _api(agent)
    url = f"/api/v1/follow-ups/{followup.pk}/assign/"
    refused = api.post(url, {"assignee": technician.username}, format="json")
    assert refused.status_code == 400 and "assignee" in str(refused.json())
    unknown = api.post(url, {"assignee": "nobody"}, format="json")
    assert unknown.status_code == 400
    back = api.post(url, {"assignee": None}, format="json")
    assert back.status_code == 200 and back.json()["assignee"] is None
    assert sr.events.filter(action="followup.assigned").count() == 2
