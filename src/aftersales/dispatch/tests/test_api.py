"""Dispatch through the API: routing rules, profiles, auto-assign, take, the assignment
table (list and CSV export) and the task force."""

import csv
import io

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from aftersales.accounts.models import Team
from aftersales.dispatch.models import RoutingRule
from aftersales.service_requests import services
from aftersales.service_requests.tests.factories import make_request


def api(user):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_routing_rules_are_validated_with_the_field_named(admin_user, team_a):
    client = api(admin_user)
    bad = client.post(
        "/api/v1/routing-rules/", {"name": "x", "categories": ["nonsense"], "team": team_a.pk}
    )
    assert bad.status_code == 400 and "categories.0" in bad.json()["fields"]
    missing = client.post("/api/v1/routing-rules/", {"name": "x"}, format="json")
    assert missing.status_code == 400 and "team" in missing.json()["fields"]
    made = client.post(
        "/api/v1/routing-rules/",
        {"name": "软件", "order": 5, "categories": ["software"], "team": team_a.pk},
        format="json",
    )
    assert made.status_code == 201 and made.json()["categories"] == ["software"]
    again = client.post(
        "/api/v1/routing-rules/", {"name": "软件", "team": team_a.pk}, format="json"
    )
    assert again.status_code == 400 and "name" in again.json()["fields"]
    assert RoutingRule.objects.count() == 1


def test_technician_profiles_by_username(admin_user, technician):
    client = api(admin_user)
    made = client.post(
        "/api/v1/technician-profiles/",
        {"username": "tech1", "skills": ["usage"], "regions": ["上海"], "capacity": 3},
        format="json",
    )
    assert made.status_code == 201, made.json()
    twice = client.post("/api/v1/technician-profiles/", {"username": "tech1"}, format="json")
    assert twice.status_code == 400 and "username" in twice.json()["fields"]
    changed = client.patch(
        "/api/v1/technician-profiles/tech1/", {"available": False}, format="json"
    )
    assert changed.json()["available"] is False and changed.json()["capacity"] == 3
    unknown = client.post("/api/v1/technician-profiles/", {"username": "nobody"}, format="json")
    assert unknown.status_code == 400


def test_auto_assign_take_and_the_table(agent, technician, supervisor, customer_a, team_a):
    request = make_request(by=agent, customer=customer_a, team=team_a)
    team_a.assignment_strategy = Team.Strategy.LEAST_OPEN
    team_a.save()
    stale = api(agent).post(
        f"/api/v1/service-requests/{request.number}/auto-assign/", {"version": 99}, format="json"
    )
    assert stale.status_code == 409
    done = api(agent).post(
        f"/api/v1/service-requests/{request.number}/auto-assign/",
        {"strategy": "nonsense"},
        format="json",
    )
    assert done.status_code == 400 and "strategy" in done.json()["fields"]
    done = api(agent).post(f"/api/v1/service-requests/{request.number}/auto-assign/")
    assert done.status_code == 200 and done.json()["assignee"] == "tech1"

    team_a.assignment_strategy = Team.Strategy.MANUAL  # so that nobody gets it at intake
    team_a.save()
    other = make_request(by=agent, customer=customer_a, team=team_a)
    taken = api(technician).post(f"/api/v1/service-requests/{other.number}/take/")
    assert taken.status_code == 200 and taken.json()["assignee"] == "tech1"
    late = api(supervisor).post(f"/api/v1/service-requests/{other.number}/take/")
    assert late.status_code == 409 and "tech1" in late.json()["message"]

    lines = api(supervisor).get(f"/api/v1/service-requests/{other.number}/assignments/").json()
    assert [(line["assignee"], line["method"]) for line in lines] == [("tech1", "take")]
    table = api(supervisor).get("/api/v1/assignments/?assignee=tech1").json()
    assert table["count"] == 2
    assert {row["method"] for row in table["results"]} == {"take", "least_open"}
    bad = api(supervisor).get("/api/v1/assignments/?assigned_from=yesterday")
    assert bad.status_code == 400 and "assigned_from" in bad.json()["fields"]


def test_the_export_is_a_csv_of_what_the_person_may_see(
    agent, technician, other_technician, customer_a, team_a, team_b
):
    mine = make_request(by=agent, customer=customer_a, team=team_a)
    services.service_request_act(
        mine, "assign", by=agent, data={"assignee": technician, "note": "=cmd|'/c calc'!A1"}
    )
    theirs = make_request(by=agent, customer=customer_a, team=team_b)
    services.service_request_act(theirs, "assign", by=agent, data={"assignee": other_technician})
    response = api(technician).get("/api/v1/assignments/export/", HTTP_ACCEPT="text/csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["Service number"] for row in rows] == [mine.number]
    assert rows[0]["Reason"].startswith("'=")  # no formula reaches the spreadsheet
    assert rows[0]["Assignee"] == "tech1" and rows[0]["Team"] == team_a.name
    assert rows[0]["How"] == "By a dispatcher"  # a choice as its label


def test_task_force_through_the_api(agent, technician, other_technician, customer_a, team_a):
    request = make_request(by=agent, customer=customer_a, team=team_a)
    services.service_request_act(request, "assign", by=agent, data={"assignee": technician})
    url = f"/api/v1/service-requests/{request.number}/participants/"
    assert (
        api(other_technician).get(f"/api/v1/service-requests/{request.number}/").status_code == 404
    )
    added = api(technician).post(url, {"username": "tech2"}, format="json")
    assert added.status_code == 201 and added.json()["added_by"] == "tech1"
    assert api(technician).post(url, {"username": "tech2"}, format="json").status_code == 409
    assert (
        api(other_technician).get(f"/api/v1/service-requests/{request.number}/").status_code == 200
    )
    assert [p["username"] for p in api(agent).get(url).json()] == ["tech2"]
    assert api(agent).post(url, {"username": "ghost"}, format="json").status_code == 400
    assert api(agent).delete(f"{url}tech2/").status_code == 204
    assert api(agent).delete(f"{url}tech2/").status_code == 400


@pytest.mark.parametrize("path", ["assignments/", "participants/"])
def test_customers_do_not_see_dispatch_details(path, agent, customer_user, customer_a):
    request = make_request(by=agent, customer=customer_a)
    response = api(customer_user).get(f"/api/v1/service-requests/{request.number}/{path}")
    assert response.status_code == 403
