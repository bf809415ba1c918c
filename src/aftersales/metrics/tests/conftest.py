"""A week of service (Mon 9 – Sun 15 March 2026, Asia/Shanghai, no public holiday) built
through the real services at the times things happened, with every measure worked out by
hand in `docs/measures.md` terms. The default SLA policy (medium priority): first response
8 service hours (08:00–22:00 every day), resolution 24 working hours (Mon–Fri 09:00–12:00
and 13:00–18:00); complaints: 24 hours around the clock, resolution held until agreement.

| request | received | what happens | team |
|---|---|---|---|
| R1 | Mon 9 10:00 phone, usage | reply Mon 11:30; waits for the customer Mon 14:00 – Tue 10:00; resolved Wed 11:00 | A |
| R2 | Mon 9 09:00 web, quality | resolved Mon 16:00 (its first response); reopened Tue 10:00; resolved again Thu 17:00 | A |
| R3 | Tue 10 10:00 phone | reply 10:30; cancelled 11:00 | B |
| R4 | Wed 11 09:00 email, complaint | reply 10:00; still being worked | A |
| R5 | Tue 10 08:00 dealer (imported) | first response 09:00; resolved Thu 12 10:00; closed Fri 13 | — |
| R6 | Fri 6 10:00 phone (before the week) | reply Mon 9 09:00; resolved Tue 10 12:00 | B |
| R7 | Sun 15 23:59 web | new | — |
| R8 | 15 January 10:00 phone (imported) | in progress | — |
| R9 | Mon 16 00:00 phone (after the week) | new | B |

Survey answers (scores): R1 on Thu 12 (team A) 5, 4, 2 and a comment; R6 on Sat 14 (team B)
3; R2 on Mon 16 (after the week) 5. The backlog is counted on Mon 16 12:00.

Each test runs twice: read from the requests, and read from the daily rollups built at the
end (`metrics/rollups.py`), which must give every figure the same.
"""

import datetime
import zoneinfo

import pytest
from django.utils import translation

from aftersales.imports import services as imports
from aftersales.imports.tests.files import csv_bytes
from aftersales.metrics import rollups
from aftersales.service_requests import services
from aftersales.service_requests.models import ServiceRequest
from aftersales.service_requests.tests.factories import make_request
from aftersales.surveys.models import Answer, Question, Response

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
FROM = datetime.date(2026, 3, 9)
TO = datetime.date(2026, 3, 15)


def local(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SHANGHAI)


NOW = local(2026, 3, 16, 12, 0)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _act(request, action, by, **data):
    return services.service_request_act(request, action, by=by, data=data)


def _reply(request, by):
    services.comment_add(request, by=by, body="您好，我们已收到，正在处理。", internal=False)


@pytest.fixture(params=["requests", "rollups"])
def week(
    request,
    time_machine,
    agent,
    technician,
    other_technician,
    admin_user,
    team_a,
    team_b,
    customer_a,
    customer_b,
):
    customer_a.region = "华东"
    customer_a.save()
    customer_b.region = "华北"
    customer_b.save()
    read_from = request.param
    at = time_machine.move_to
    made = {}

    at(local(2026, 3, 6, 10, 0), tick=False)
    r6 = make_request(by=agent, customer=customer_b, channel="phone", team=team_b)
    r6 = _act(r6, "assign", agent, assignee=other_technician)
    r6 = _act(r6, "start", other_technician)

    at(local(2026, 3, 9, 9, 0), tick=False)
    r2 = make_request(
        by=agent, customer=customer_a, channel="web", team=team_a, category="product_quality"
    )
    _reply(r6, other_technician)
    at(local(2026, 3, 9, 9, 10), tick=False)
    r2 = _act(r2, "assign", agent, assignee=technician)
    r2 = _act(r2, "start", technician)

    at(local(2026, 3, 9, 10, 0), tick=False)
    r1 = make_request(by=agent, customer=customer_a, channel="phone", team=team_a, category="usage")
    at(local(2026, 3, 9, 10, 5), tick=False)
    r1 = _act(r1, "assign", agent, assignee=technician)
    r1 = _act(r1, "start", technician)
    at(local(2026, 3, 9, 11, 30), tick=False)
    _reply(r1, technician)
    at(local(2026, 3, 9, 14, 0), tick=False)
    r1 = _act(r1, "wait-customer", technician, note="请客户提供购买凭证")
    at(local(2026, 3, 9, 16, 0), tick=False)
    r2 = _act(r2, "resolve", technician, resolution="更换电容")

    at(local(2026, 3, 10, 10, 0), tick=False)
    r1 = _act(r1, "start", technician)
    r2 = _act(r2, "reopen", agent, reason="客户反馈问题再次出现")
    r3 = make_request(by=agent, customer=customer_b, channel="phone", team=team_b)
    at(local(2026, 3, 10, 10, 10), tick=False)
    r2 = _act(r2, "start", technician)
    at(local(2026, 3, 10, 10, 30), tick=False)
    _reply(r3, agent)
    at(local(2026, 3, 10, 11, 0), tick=False)
    r3 = _act(r3, "cancel", agent, reason="重复报修")
    at(local(2026, 3, 10, 12, 0), tick=False)
    r6 = _act(r6, "resolve", other_technician, resolution="远程指导重置")

    at(local(2026, 3, 11, 9, 0), tick=False)
    r4 = make_request(by=agent, customer=customer_b, channel="email", team=team_a, kind="complaint")
    at(local(2026, 3, 11, 10, 0), tick=False)
    _reply(r4, agent)
    r4 = _act(r4, "assign", agent, assignee=technician)
    r4 = _act(r4, "start", technician)
    at(local(2026, 3, 11, 11, 0), tick=False)
    r1 = _act(r1, "resolve", technician, resolution="更换遥控器")

    at(local(2026, 3, 12, 17, 0), tick=False)
    r2 = _act(r2, "resolve", technician, resolution="更换主板")

    at(local(2026, 3, 15, 23, 59), tick=False)
    r7 = make_request(by=agent, customer=customer_a, channel="web")
    at(local(2026, 3, 16, 0, 0), tick=False)
    r9 = make_request(by=agent, customer=customer_b, channel="phone", team=team_b)

    at(NOW, tick=False)
    job = imports.import_file(
        kind="requests",
        file_name="history.csv",
        data=csv_bytes(
            [
                [
                    "external_reference",
                    "received_at",
                    "title",
                    "customer_phone",
                    "status",
                    "first_responded_at",
                    "resolved_at",
                    "closed_at",
                    "resolution",
                    "channel",
                    "assignee",
                ],
                [
                    "D-5",
                    "2026-03-10 08:00",
                    "显示屏不亮",
                    customer_a.phone,
                    "closed",
                    "2026-03-10 09:00",
                    "2026-03-12 10:00",
                    "2026-03-13 09:00",
                    "更换显示屏",
                    "dealer",
                    "",
                ],
                [
                    "D-8",
                    "2026-01-15 10:00",
                    "噪音大",
                    customer_b.phone,
                    "in_progress",
                    "",
                    "",
                    "",
                    "",
                    "phone",
                    technician.username,
                ],
            ]
        ),
        by=admin_user,
        dry_run=False,
    )
    assert job.status == "imported", job.errors
    r5 = ServiceRequest.objects.get(external_reference="D-5")
    r8 = ServiceRequest.objects.get(external_reference="D-8")

    score = Question.objects.create(code="m_speed", kind="score_1_5", text_zh_hans="速度")
    score2 = Question.objects.create(code="m_staff", kind="score_1_5", text_zh_hans="态度")
    score3 = Question.objects.create(code="m_fix", kind="score_1_5", text_zh_hans="方案")
    text = Question.objects.create(code="m_text", kind="text", text_zh_hans="建议")
    answers = [
        (r1, team_a, local(2026, 3, 12, 20, 0), [(score, 5), (score2, 4), (score3, 2)]),
        (r6, team_b, local(2026, 3, 14, 10, 0), [(score, 3)]),
        (r2, team_a, local(2026, 3, 16, 9, 0), [(score, 5)]),
    ]
    for request, team, answered_at, scores in answers:
        response = Response.objects.create(
            request=request, source="phone", team=team, answered_at=answered_at, recorded_by=agent
        )
        for question, value in scores:
            Answer.objects.create(response=response, question=question, score=value)
        Answer.objects.create(response=response, question=text, text="还可以")

    made.update(r1=r1, r2=r2, r3=r3, r4=r4, r5=r5, r6=r6, r7=r7, r8=r8, r9=r9)
    if read_from == "rollups":
        # Every figure must be the same read from the daily rollups.
        at(NOW, tick=False)
        rollups.refresh()
        assert rollups.fresh_days(FROM, TO) == {FROM + datetime.timedelta(days=n) for n in range(7)}
        at(local(2026, 3, 16, 0, 0), tick=False)
    return {name: ServiceRequest.objects.get(pk=r.pk) for name, r in made.items()}
