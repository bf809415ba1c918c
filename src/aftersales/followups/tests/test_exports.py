"""The follow-up queue exported as CSV and XLSX: scoped like the queue, with its filters."""

import csv
import io

from django.http import FileResponse, StreamingHttpResponse
from django.test import Client
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from aftersales.followups import services
from aftersales.followups.models import FollowUp
from aftersales.service_requests.tests.factories import make_request, move_to

URL = "/api/v1/follow-ups/export/"


def _api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def _rows(response):
    assert response.status_code == 200 and isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _done(sr, agent):
    followup = FollowUp.objects.get(request=sr, status="planned")
    data = {
        "reached": True,
        "solved": True,
        "score_solution": 5,
        "score_attitude": 4,
        "score_speed": 3,
        "suggestions": "=1+1 师傅很专业",
    }
    return services.followup_record(followup, by=agent, data=data)


def test_a_technician_exports_only_the_follow_ups_of_their_requests(
    agent, technician, other_technician, customer_a, team_b, sr
):
    elsewhere = make_request(by=agent, customer=customer_a, team=team_b)
    move_to(elsewhere, "resolved", by=agent, assignee=other_technician)
    assert {r["Service number"] for r in _rows(_api(agent).get(URL))} == {
        sr.number,
        elsewhere.number,
    }
    assert [r["Service number"] for r in _rows(_api(technician).get(URL))] == [sr.number]
    assert [r["Service number"] for r in _rows(_api(other_technician).get(URL))] == [
        elsewhere.number
    ]


def test_who_may_not_list_may_not_export(customer_user, department, sr):
    for who in (customer_user, department):
        assert _api(who).get(URL).status_code == 403
        assert _api(who).get(URL, {"format": "xlsx"}).status_code == 403


def test_the_filters_of_the_list_apply(agent, customer_a, sr):
    other = move_to(make_request(by=agent, customer=customer_a), "resolved", by=agent)
    _done(other, agent)
    done = _rows(_api(agent).get(URL, {"view": "done"}))
    assert [r["Service number"] for r in done] == [other.number]
    assert done[0]["Status"] == "Done" and done[0]["Problem solved"] == "Yes"
    planned = _rows(_api(agent).get(URL, {"status": "planned"}))
    assert [r["Service number"] for r in planned] == [sr.number]
    one = _rows(_api(agent).get(URL, {"service_request": sr.number}))
    assert [r["Service number"] for r in one] == [sr.number]
    for query, field in (({"view": "x"}, "view"), ({"format": "doc"}, "format")):
        bad = _api(agent).get(URL, query)
        assert bad.status_code == 400 and field in bad.json()["fields"]


def test_free_text_is_never_a_formula_and_scores_stay_numbers(agent, sr):
    _done(sr, agent)
    row = _rows(_api(agent).get(URL, {"view": "done"}))[0]
    assert row["Suggestions"] == "'=1+1 师傅很专业"
    response = _api(agent).get(URL, {"view": "done", "format": "xlsx"})
    assert isinstance(response, FileResponse)
    sheet = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows())
    header = [c.value for c in sheet[0]]
    suggestions = sheet[1][header.index("Suggestions")]
    assert suggestions.value == "=1+1 师傅很专业" and suggestions.data_type == "s"
    score = sheet[1][header.index("Satisfaction with the solution")]
    assert score.value == 5 and score.data_type == "n"


def test_the_queue_page_links_its_tab_export(agent, customer_user, customer_a, sr):
    _done(sr, agent)
    client = Client(headers={"accept-language": "en"})
    client.force_login(agent)
    html = client.get("/follow-ups/?view=done").content.decode()
    assert "/follow-ups/export.csv?view=done" in html
    assert "/follow-ups/export.xlsx?view=done" in html
    rows = _rows(client.get("/follow-ups/export.csv?view=done"))
    assert [r["Service number"] for r in rows] == [sr.number]
    assert _rows(client.get("/follow-ups/export.csv?view=upcoming")) == []
    customer = Client()
    customer.force_login(customer_user)
    assert customer.get("/follow-ups/export.xlsx").status_code == 403
