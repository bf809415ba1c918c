"""The dashboards against the metrics' week (Mon 9 – Sun 15 March 2026, backlog counted on
Mon 16 12:00): permissions, the numbers (they are measures.compute's), the URL's filters,
CSV/XLSX exports, and drill-down links that list exactly the requests behind a number."""

import csv
import io
import re
from html import unescape

import pytest
from openpyxl import load_workbook

from aftersales.dashboards import boards
from aftersales.metrics import measures
from aftersales.metrics.tests.conftest import FROM, NOW, TO
from aftersales.service_requests.tests.factories import make_request

PERIOD = {"from": FROM.isoformat(), "to": TO.isoformat()}


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def get(client, url, **params):
    return client.get(url, {**PERIOD, **params}, HTTP_ACCEPT_LANGUAGE="en")


def tile(html, key):
    match = re.search(rf'data-tile="{key}"><dt>[^<]*</dt><dd>(.*?)</dd>', html, re.S)
    assert match, key
    return match.group(1)


def link_and_text(fragment):
    match = re.search(r'<a href="([^"]+)">([^<]*)</a>', fragment)
    assert match, fragment
    return unescape(match.group(1)), match.group(2)


def listed_numbers(client, url):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return {item.number for item in response.context["page"].object_list}


@pytest.mark.parametrize("path", ["/dashboards/", "/dashboards/people/", "/dashboards/teams/"])
def test_who_may_see_the_dashboards(
    db, client, as_user, path, agent, technician, supervisor, analyst, admin_user, customer_user
):
    for user in (agent, technician, customer_user):
        assert get(as_user(user), path).status_code == 403
    for user in (supervisor, analyst, admin_user):
        assert get(as_user(user), path).status_code == 200
    client.logout()
    assert get(client, path).status_code == 302  # to the login page


def test_the_nav_shows_dashboards_to_readers_only(db, as_user, agent, supervisor):
    assert b'href="/dashboards/"' in get(as_user(supervisor), "/").content
    assert b'href="/dashboards/"' not in get(as_user(agent), "/").content


def test_the_tiles_are_the_measures(week, time_machine, as_user, analyst):
    time_machine.move_to(NOW, tick=False)
    html = get(as_user(analyst), "/dashboards/").content.decode()
    (row,) = measures.compute(FROM, TO, now=NOW)
    assert link_and_text(tile(html, "received"))[1] == str(row["received"]) == "6"
    assert link_and_text(tile(html, "resolved"))[1] == str(row["resolved"]) == "4"
    assert tile(html, "sla_first_response") == "75.0 %"
    assert tile(html, "sla_resolution") == f"{row['sla_resolution']['percent']} %"
    assert tile(html, "csat") == "50.0 %"
    assert tile(html, "mean_score") == "3.50"
    assert link_and_text(tile(html, "complaint_rate"))[1] == "20.0 %"
    assert link_and_text(tile(html, "backlog"))[1] == str(row["backlog"]["open"]) == "4"
    assert link_and_text(tile(html, "reopen_rate"))[1] == "25.0 %"
    # ECharts is vendored and the chart data embedded for the static script.
    assert "/static/vendor/echarts/echarts.min.js" in html
    assert 'id="chart-intake" type="application/json"' in html


def test_a_supervisor_sees_only_the_teams_requests(week, time_machine, as_user, supervisor, team_a):
    time_machine.move_to(NOW, tick=False)
    html = get(as_user(supervisor), "/dashboards/").content.decode()
    (row,) = measures.compute(FROM, TO, teams=[team_a.pk], now=NOW)
    url, received = link_and_text(tile(html, "received"))
    assert received == str(row["received"]) == "3"
    # A supervisor of one team: the links say the team, so the list shows the same requests.
    assert listed_numbers(as_user(supervisor), url) == {
        week[name].number for name in ("r1", "r2", "r4")
    }
    # A team outside their scope is not a filter they can pick.
    response = get(as_user(supervisor), "/dashboards/", team=str(team_a.pk + 1000))
    assert "Unknown team: ignored." in response.content.decode()


def test_filters_from_the_url(week, time_machine, as_user, analyst, team_b):
    time_machine.move_to(NOW, tick=False)
    client = as_user(analyst)
    html = get(client, "/dashboards/", channel="phone", team=str(team_b.pk)).content.decode()
    expected = measures.compute(
        FROM, TO, filters=measures.Filters(channel="phone", team=team_b.pk), now=NOW
    )[0]
    assert link_and_text(tile(html, "received"))[1] == str(expected["received"]) == "1"  # R3
    assert 'value="phone" selected' in html
    # A shorter period: only Monday 9.
    html = get(client, "/dashboards/", to=FROM.isoformat()).content.decode()
    assert link_and_text(tile(html, "received"))[1] == "2"  # R1, R2
    bad = get(client, "/dashboards/", **{"from": "yesterday", "kind": "nope"})
    assert bad.status_code == 200
    assert "Write dates as YYYY-MM-DD." in bad.content.decode()


def test_drill_down_lists_exactly_the_requests(week, time_machine, as_user, analyst):
    time_machine.move_to(NOW, tick=False)
    client = as_user(analyst)
    html = get(client, "/dashboards/").content.decode()
    w = week
    expected = {
        "received": {w["r1"], w["r2"], w["r3"], w["r4"], w["r5"], w["r7"]},
        "resolved": {w["r1"], w["r2"], w["r5"], w["r6"]},
        "reopen_rate": {w["r2"]},
        "first_time_fix_rate": {w["r1"], w["r5"], w["r6"]},
        "complaint_rate": {w["r4"]},
        "resolution_rate": {w["r1"], w["r2"], w["r5"]},
        "backlog": {w["r4"], w["r7"], w["r8"], w["r9"]},
    }
    for key, requests in expected.items():
        url, _text = link_and_text(tile(html, key))
        assert url.startswith("/?view=")
        assert listed_numbers(client, url) == {r.number for r in requests}, key


def test_chart_tables_link_and_export(week, time_machine, as_user, analyst):
    time_machine.move_to(NOW, tick=False)
    client = as_user(analyst)
    query = boards.read_query(PERIOD, teams=boards.Team.objects.all())
    dashboard = boards.manager(query, teams=None, now=NOW)
    intake = dashboard.table("intake")
    monday = intake.rows[0]
    assert str(monday[0].value) == "2026-03-09" and monday[1].value == 2
    assert listed_numbers(client, monday[1].link) == {week["r1"].number, week["r2"].number}
    backlog = {row[0].value: row[1] for row in dashboard.table("backlog").rows}
    assert backlog["Under 1 day"].value == 2
    assert listed_numbers(client, backlog["Under 1 day"].link) == {
        week["r7"].number,
        week["r9"].number,
    }
    assert listed_numbers(client, backlog["3–7 days"].link) == {week["r4"].number}
    pareto = dashboard.table("categories")
    assert pareto.rows[-1][2].value == 100

    response = get(client, "/dashboards/", export="intake", format="csv")
    assert response["Content-Disposition"] == (
        'attachment; filename="intake-2026-03-09-2026-03-15.csv"'
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:2] == ["Day", "Requests received"] and "Hotline" in rows[0]
    assert rows[1][:2] == ["2026-03-09", "2"]
    assert len(rows) == 1 + 7

    response = get(client, "/dashboards/", export="backlog", format="xlsx")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == ["Age", "Open requests"]
    assert values[1] == ["Under 1 day", 2]
    assert get(client, "/dashboards/", export="nope", format="csv").status_code == 400


def test_people_and_teams(week, time_machine, as_user, analyst, technician, team_a):
    time_machine.move_to(NOW, tick=False)
    client = as_user(analyst)
    rows = {r["group"]["key"]: r for r in measures.compute(FROM, TO, group_by="person", now=NOW)}
    response = get(client, "/dashboards/people/", sort="-handled")
    table = response.context["table"]
    first = table.rows[0]
    assert first[0].value == rows[technician.pk]["group"]["label"]
    assert first[1].value == rows[technician.pk]["resolved"] == 2  # R1, R2
    assert listed_numbers(client, first[1].link) == {week["r1"].number, week["r2"].number}
    assert listed_numbers(client, first[5].link) == {week["r2"].number}  # reopened
    assert first[4].value == rows[technician.pk]["csat"]["percent"]
    # Sorted by another column, ascending.
    response = get(client, "/dashboards/people/", sort="received")
    received = [row[9].value for row in response.context["table"].rows]
    assert received == sorted(received)
    assert response.context["table"].title == "Requests received"

    response = get(client, "/dashboards/teams/", export="ranking", format="csv")
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert lines[0][0] == "Team" and lines[0][1] == "Handled (resolved)"
    by_team = {line[0]: line for line in lines[1:]}
    team_row = measures.compute(FROM, TO, group_by="team", now=NOW)
    a = next(r for r in team_row if r["group"]["key"] == team_a.pk)
    assert by_team[team_a.name][1] == str(a["resolved"])
    assert by_team[team_a.name][7] == str(a["complaint_rate"]["numerator"])


def test_top_models_and_batches_link_to_their_requests(
    db, time_machine, as_user, analyst, agent, customer_a
):
    from aftersales.catalog.models import Product

    time_machine.move_to(NOW, tick=False)
    heater = Product.objects.create(model="JSQ-16", name="燃气热水器")
    other = Product.objects.create(model="KFR-26GW", name="壁挂空调")
    mine = {
        make_request(by=agent, customer=customer_a, product=heater, batch_number="B-7")
        for _ in range(2)
    }
    make_request(by=agent, customer=customer_a, product=other, batch_number="B-8")
    make_request(by=agent, customer=customer_a)
    client = as_user(analyst)
    day = NOW.date().isoformat()
    response = client.get("/dashboards/", {"from": day, "to": day}, HTTP_ACCEPT_LANGUAGE="en")
    dashboard = response.context["dashboard"]
    models = dashboard.table("models").rows
    assert [(r[0].value, r[1].value) for r in models] == [("JSQ-16", 2), ("KFR-26GW", 1)]
    assert listed_numbers(client, models[0][1].link) == {r.number for r in mine}
    batches = dashboard.table("batches").rows
    assert [(r[0].value, r[1].value) for r in batches] == [("B-7", 2), ("B-8", 1)]
    assert listed_numbers(client, batches[0][1].link) == {r.number for r in mine}


@pytest.mark.parametrize(
    "params",
    [
        {"product": str(10**30)},
        {"customer": str(10**30)},
        {"product": "x"},
        {"batch": "B\x00"},
        {"resolved_from": "not a time"},
        {"reopened": "maybe"},
    ],
)
def test_the_drill_down_filters_refuse_bad_input(db, as_user, analyst, params):
    client = as_user(analyst)
    page = client.get("/", {"view": "all", **params}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    api = client.get("/api/v1/service-requests/", params, HTTP_ACCEPT_LANGUAGE="en")
    assert api.status_code in (200, 400), api.content


def test_a_supervisor_of_several_teams_drills_down_into_their_teams_only(
    week, time_machine, as_user, supervisor, team_a, team_b
):
    time_machine.move_to(NOW, tick=False)
    supervisor.teams.add(team_b)
    client = as_user(supervisor)
    # R7 has no team: a supervisor sees it in the list, but it is none of their teams'.
    assert week["r7"].team_id is None
    assert week["r7"].number in listed_numbers(client, "/?view=all")
    html = get(client, "/dashboards/").content.decode()
    (row,) = measures.compute(FROM, TO, teams=[team_a.pk, team_b.pk], now=NOW)
    url, received = link_and_text(tile(html, "received"))
    assert received == str(row["received"])
    assert f"team={team_a.pk}" in url
    assert f"team={team_b.pk}" in url
    theirs = {
        week[name].number
        for name in ("r1", "r2", "r3", "r4", "r5", "r7")
        if week[name].team_id in {team_a.pk, team_b.pk}
    }
    assert len(theirs) == row["received"]
    assert listed_numbers(client, url) == theirs
    # The people ranking's links keep to the teams too.
    people = get(client, "/dashboards/people/").content.decode()
    links = [unescape(href) for href in re.findall(r'href="(/\?view=[^"]+)"', people)]
    assert links
    assert all(f"team={team_a.pk}" in link and f"team={team_b.pk}" in link for link in links)
