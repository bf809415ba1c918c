"""The console's list of repair records (/repair-records/): who sees it and which records, its
filters (the API export's), pagination, links to the requests, and its CSV/XLSX export."""

import csv
import io
from html import unescape

import pytest
from django.http import FileResponse, StreamingHttpResponse
from openpyxl import load_workbook

from aftersales.repair_records import views
from aftersales.repair_records.tests.factories import make_record
from aftersales.service_requests.tests.factories import make_request, move_to

URL = "/repair-records/"


def page(client, user, **params):
    client.force_login(user)
    return client.get(URL, params, HTTP_ACCEPT_LANGUAGE="en")


def listed(response):
    assert response.status_code == 200
    return [record.pk for record in response.context["page"].object_list]


def csv_rows(response):
    assert response.status_code == 200 and isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.fixture
def elsewhere(agent, other_technician, customer_a, team_b):
    """A request of team B, in progress with tech2."""
    return move_to(
        make_request(by=agent, customer=customer_a, team=team_b),
        "in_progress",
        by=agent,
        assignee=other_technician,
    )


def test_staff_see_the_records_of_the_requests_they_see(
    client, sr, elsewhere, agent, technician, other_technician, analyst, customer_user
):
    mine = make_record(sr, by=technician)
    theirs = make_record(elsewhere, by=other_technician)
    assert set(listed(page(client, agent))) == {mine.pk, theirs.pk}
    assert set(listed(page(client, analyst))) == {mine.pk, theirs.pk}
    assert listed(page(client, technician)) == [mine.pk]
    assert listed(page(client, other_technician)) == [theirs.pk]
    assert page(client, customer_user).status_code == 403
    client.logout()
    assert client.get(URL).status_code == 302  # to the login page


def test_each_row_links_to_its_request_and_printable_record(client, sr, agent, technician):
    record = make_record(sr, by=technician)
    html = unescape(page(client, agent).content.decode())
    assert f'href="/requests/{sr.number}/"' in html or f"/{sr.number}/" in html
    assert f'href="/repair-records/records/{record.pk}/pdf/"' in html


def test_the_filters_are_the_api_exports(client, sr, agent, technician):
    failed = make_record(sr, by=technician, test_outcome="failed")
    passed = make_record(sr, by=technician)
    assert listed(page(client, agent, test_outcome="passed")) == [passed.pk]
    assert listed(page(client, agent, test_outcome="failed", number=sr.number)) == [failed.pk]
    assert listed(page(client, agent, number="SR-19990101-0001")) == []
    assert listed(page(client, agent, repeat="true")) == []
    assert set(listed(page(client, agent, repeat="false"))) == {failed.pk, passed.pk}
    bad = page(client, agent, test_outcome="maybe")
    assert listed(bad) == []
    assert "data-record-filter-errors" in bad.content.decode()


def test_the_list_is_paginated(client, sr, agent, technician, monkeypatch):
    monkeypatch.setattr(views, "PER_PAGE", 2)
    records = [make_record(sr, by=technician) for _ in range(3)]
    first = page(client, agent, test_outcome="passed")
    assert len(listed(first)) == 2
    html = unescape(first.content.decode())
    assert "?test_outcome=passed&page=2" in html
    second = page(client, agent, test_outcome="passed", page="2")
    assert len(listed(second)) == 1
    assert set(listed(first)) | set(listed(second)) == {r.pk for r in records}


def test_the_export_links_carry_the_filters_and_export_what_is_listed(
    client, sr, elsewhere, agent, technician, other_technician, customer_user
):
    make_record(sr, by=technician, test_outcome="failed")
    passed = make_record(sr, by=technician)
    make_record(elsewhere, by=other_technician)
    html = unescape(page(client, agent, test_outcome="passed", number=sr.number).content.decode())
    query = f"number={sr.number}&test_outcome=passed"
    assert f'href="/repair-records/export.csv?{query}"' in html
    assert f'href="/repair-records/export.xlsx?{query}"' in html
    exported = csv_rows(
        client.get(f"/repair-records/export.csv?{query}", HTTP_ACCEPT_LANGUAGE="en")
    )
    assert [row["Repair record"] for row in exported] == [str(passed.pk)]
    workbook = client.get(f"/repair-records/export.xlsx?{query}")
    assert isinstance(workbook, FileResponse)
    sheet = load_workbook(io.BytesIO(b"".join(workbook.streaming_content))).active
    assert sheet.max_row == 2  # the header and the one record
    assert client.get("/repair-records/export.csv?started_from=soon").status_code == 400
    client.force_login(customer_user)
    assert client.get("/repair-records/export.csv").status_code == 403


def test_the_navigation_links_to_the_list_for_staff_only(client, agent, technician, customer_user):
    for user in (agent, technician):
        client.force_login(user)
        assert 'href="/repair-records/"' in client.get("/").content.decode()
    client.force_login(customer_user)
    assert 'href="/repair-records/"' not in client.get("/portal/").content.decode()


def test_the_list_reads_a_page_in_a_fixed_number_of_queries(
    client, sr, agent, technician, django_assert_max_num_queries
):
    for _ in range(5):
        make_record(sr, by=technician)
    client.force_login(agent)
    with django_assert_max_num_queries(15):
        response = client.get(URL)
    assert len(listed(response)) == 5
