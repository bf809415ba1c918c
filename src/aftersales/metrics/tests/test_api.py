"""`metrics/` and `metrics/daily/`: who may read, what is refused, and the same numbers as
the measures module (the week of conftest.py)."""

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from aftersales.config.wsgi import application
from aftersales.metrics import measures
from aftersales.metrics.api import DaySerializer, RowSerializer
from aftersales.metrics.tests.conftest import FROM, NOW, TO

URL = "/api/v1/metrics/"
DAILY = "/api/v1/metrics/daily/"
WEEK = {"from": FROM.isoformat(), "to": TO.isoformat()}


def client_for(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.credentials(
            HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}"
        )
    return client


def as_json(serializer) -> object:
    return json.loads(JSONRenderer().render(serializer.data))


def test_the_api_gives_the_modules_numbers(week, analyst, team_a):
    response = client_for(analyst).get(URL, {**WEEK, "group_by": "team"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["from"], body["to"], body["group_by"]) == ("2026-03-09", "2026-03-15", "team")
    assert body["time_zone"] == "Asia/Shanghai"
    rows = measures.compute(FROM, TO, group_by="team", now=NOW)
    assert body["rows"] == as_json(RowSerializer(rows, many=True))
    (total,) = measures.compute(FROM, TO, now=NOW)
    assert body["total"] == as_json(RowSerializer(total))
    # Numbers, not strings; None, not 0, without a denominator.
    assert body["total"]["sla_resolution"] == {"numerator": 3, "denominator": 4, "percent": 75.0}
    assert body["rows"][0]["group"] == {"key": team_a.pk, "label": "一线技术组"}
    assert body["rows"][1]["resolution_rate"]["percent"] is None
    assert body["total"]["csat"]["mean_score"] == 3.5

    single = client_for(analyst).get(URL, {**WEEK, "channel": "phone"}).json()
    assert single["group_by"] is None
    assert single["rows"] == [single["total"]]
    assert single["total"]["received"] == 2


def test_the_daily_series(week, analyst):
    response = client_for(analyst).get(DAILY, {**WEEK, "channel": "phone", "team": ""})
    assert response.status_code == 200, response.content
    days = response.json()["days"]
    expected = measures.daily_series(FROM, TO, filters=measures.Filters(channel="phone"))
    assert days == as_json(DaySerializer(expected, many=True))
    assert [d["received"] for d in days] == [1, 1, 0, 0, 0, 0, 0]  # R1 Mon, R3 Tue
    assert days[0]["by_channel"] == {"phone": 1}


def test_a_supervisor_measures_their_teams_requests(week, supervisor, team_a):
    body = client_for(supervisor).get(URL, {**WEEK, "group_by": "team"}).json()
    assert [row["group"]["key"] for row in body["rows"]] == [team_a.pk]
    (team,) = measures.compute(FROM, TO, teams=[team_a.pk], now=NOW)
    assert body["total"] == as_json(RowSerializer(team))
    assert body["total"]["received"] == 3
    daily = client_for(supervisor).get(DAILY, WEEK).json()["days"]
    assert sum(d["received"] for d in daily) == 3


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (None, 401),
        ("customer_user", 403),
        ("agent", 403),
        ("technician", 403),
        ("department", 403),
        ("supervisor", 200),
        ("analyst", 200),
        ("admin_user", 200),
    ],
)
def test_who_may_read(role, status, request, db):
    user = request.getfixturevalue(role) if role else None
    for url in (URL, DAILY):
        response = client_for(user).get(url)
        assert response.status_code == status, (url, response.content)
        if status != 200:
            assert "message" in response.json()


def test_without_a_period_the_last_thirty_days(analyst, time_machine):
    time_machine.move_to(NOW, tick=False)
    body = client_for(analyst).get(URL).json()
    assert (body["from"], body["to"]) == ("2026-02-15", "2026-03-16")
    body = client_for(analyst).get(URL, {"from": "2026-03-01"}).json()
    assert (body["from"], body["to"]) == ("2026-03-01", "2026-03-16")
    days = client_for(analyst).get(DAILY, {"to": "2026-03-01"}).json()["days"]
    assert len(days) == 30


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-13-01"}, "from"),
        ({"from": "09/03/2026"}, "from"),
        ({"to": "2026-03-09T10:00"}, "to"),
        ({"from": "1969-12-31", "to": "1970-01-05"}, "from"),
        ({"from": "2999-12-31", "to": "9999-12-31"}, "to"),
        ({"to": "0001-01-01"}, "to"),
        ({"to": "1970-01-05"}, "to"),
        ({"from": "2026-03-10", "to": "2026-03-09"}, "to"),
        ({"from": "2023-01-01", "to": "2026-01-01"}, "to"),  # 1,097 days
        ({"group_by": "colour"}, "group_by"),
        ({"team": "abc"}, "team"),
        ({"team": "0"}, "team"),
        ({"person": "99999999999999999999999999"}, "person"),
        ({"customer": "-1"}, "customer"),
        ({"channel": "fax"}, "channel"),
        ({"kind": "complaint\x00"}, "kind"),
        ({"region": "华东\x00"}, "region"),
        ({"batch": "B" * 101}, "batch"),
        ({"groupby": "team"}, "groupby"),
    ],
)
def test_bad_parameters_are_a_400_naming_them(analyst, params, field):
    response = client_for(analyst).get(URL, params)
    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body["fields"], body
    assert field in body["message"]


def test_the_longest_period_and_unknown_ids_are_fine(analyst):
    # 2024 is a leap year: 2024-01-01 … 2026-12-31 is 1,096 days.
    response = client_for(analyst).get(URL, {"from": "2024-01-01", "to": "2026-12-31"})
    assert response.status_code == 200, response.content
    response = client_for(analyst).get(URL, {"team": str(2**63 - 1), "group_by": "person"})
    assert response.status_code == 200
    assert response.json()["rows"] == []
    assert response.json()["total"]["received"] == 0


@pytest.fixture
def _keep_the_test_connection():
    """Calling the WSGI app directly would close the test's database connection after each
    request; as in api/tests/test_schemathesis.py."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.usefixtures("_keep_the_test_connection")
def test_generated_input_never_makes_a_server_error(analyst, agent, customer_a):
    """The schema-driven run of api/tests, here as an analyst (who gets past the permission
    check) and only over the measures."""
    from aftersales.service_requests.tests.factories import make_request

    make_request(by=agent, customer=customer_a)
    token = Token.objects.create(user=analyst).key
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    failures = []
    checked = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith("/api/v1/metrics/"):
            continue
        checked.append(operation.path)
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=40,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                database=None,
            )
            def check(case):
                case.headers = {**(case.headers or {}), "Authorization": f"Token {token}"}
                response = case.call()
                if response.status_code >= 500 or response.status_code not in (200, 400):
                    failures.append((case.path, case.query, response.status_code))

            check()
    assert sorted(checked) == [URL, DAILY]
    assert not failures, failures[:10]
