"""Exports of the request list and the assignment table: what a person may see, the list's
filters, spreadsheets that stay safe, Chinese intact, and large lists streamed."""

import csv
import io
import re

import pytest
from django.http import FileResponse, StreamingHttpResponse
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from aftersales.service_requests import services
from aftersales.service_requests.models import ServiceRequest
from aftersales.service_requests.tests.factories import make_request

URL = "/api/v1/service-requests/export/"


def api(user):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def page(user):
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def csv_of(response):
    assert isinstance(response, StreamingHttpResponse)
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())  # Excel reads the UTF-8 as such
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def xlsx_of(response):
    assert isinstance(response, FileResponse)
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return list(book.active.iter_rows())


@pytest.fixture
def three(agent, technician, customer_a, customer_b, team_a, team_b):
    """Team A's request (tech1's), team B's, and another customer's."""
    mine = make_request(by=agent, customer=customer_a, team=team_a, title="=HYPERLINK(1)")
    services.service_request_act(mine, "assign", by=agent, data={"assignee": technician})
    theirs = make_request(by=agent, customer=customer_a, team=team_b, title="压缩机异响")
    other = make_request(by=agent, customer=customer_b, team=team_b, title="另一位客户")
    return mine, theirs, other


def test_each_person_exports_only_what_they_see(
    three, agent, technician, customer_user, other_customer_user
):
    mine, theirs, other = three
    numbers = {
        who.username: {row["Service number"] for row in csv_of(api(who).get(URL))}
        for who in (agent, technician, customer_user, other_customer_user)
    }
    assert numbers["agent1"] >= {mine.number, theirs.number, other.number}
    assert numbers["tech1"] == {mine.number}
    assert numbers[customer_user.username] == {mine.number, theirs.number}
    assert numbers[other_customer_user.username] == {other.number}


def test_customers_do_not_get_staff_columns(three, customer_user, agent):
    rows = csv_of(api(customer_user).get(URL))
    assert "Assignee" not in rows[0] and "Team" not in rows[0]
    staff = csv_of(api(agent).get(URL, {"assignee": "tech1"}))
    assert staff[0]["Assignee"] == "tech1"


def test_the_export_keeps_the_lists_filters_and_search(three, agent):
    mine, theirs, _other = three
    only_b = csv_of(api(agent).get(URL, {"team": theirs.team_id, "customer": theirs.customer_id}))
    assert [row["Service number"] for row in only_b] == [theirs.number]
    found = csv_of(api(agent).get(URL, {"search": "压缩机"}))
    assert [row["Service number"] for row in found] == [theirs.number]
    assigned = csv_of(api(agent).get(URL, {"status": "assigned"}))
    assert [row["Service number"] for row in assigned] == [mine.number]
    assert assigned[0]["Status"] == "Assigned"  # the label, not the stored value


def test_bad_input_is_refused_naming_the_field(agent):
    for query, field in (
        ({"format": "pdf"}, "format"),
        ({"created_from": "yesterday"}, "created_from"),
        ({"view": "nope"}, "view"),
    ):
        response = api(agent).get(URL, query)
        assert response.status_code == 400, query
        assert field in response.json()["fields"]


def test_a_formula_stays_text_in_csv_and_xlsx(three, agent):
    mine = three[0]
    rows = csv_of(api(agent).get(URL, {"search": mine.number}))
    assert rows[0]["Title"] == "'=HYPERLINK(1)"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", rows[0]["Received at"])
    sheet = xlsx_of(api(agent).get(URL, {"search": mine.number, "format": "xlsx"}))
    header = [cell.value for cell in sheet[0]]
    title = sheet[1][header.index("Title")]
    assert title.value == "=HYPERLINK(1)" and title.data_type == "s"
    reopened = sheet[1][header.index("Reopened")]
    assert reopened.value == 0 and reopened.data_type == "n"  # numbers stay numbers


def test_chinese_text_and_headers_survive(three, agent):
    theirs = three[1]
    client = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_authenticate(agent)
    response = client.get(URL, {"search": theirs.number})
    raw = b"".join(response.streaming_content).decode("utf-8")
    assert raw.startswith("\ufeff") and "压缩机异响" in raw
    sheet = xlsx_of(api(agent).get(URL, {"search": theirs.number, "format": "xlsx"}))
    assert "压缩机异响" in [cell.value for cell in sheet[1]]


def test_two_thousand_requests_stream_in_a_few_queries(
    agent, customer_a, team_a, django_assert_max_num_queries
):
    first = make_request(by=agent, customer=customer_a, team=team_a)
    copies = []
    for i in range(1999):
        copy = ServiceRequest.objects.get(pk=first.pk)
        copy.pk = None
        copy.number = f"{first.number}-{i}"
        copies.append(copy)
    ServiceRequest.objects.bulk_create(copies, batch_size=500)
    client = api(agent)
    for fmt, kind in (("csv", StreamingHttpResponse), ("xlsx", FileResponse)):
        with django_assert_max_num_queries(12):
            response = client.get(URL, {"format": fmt, "view": "all"})
            assert isinstance(response, kind)
            content = b"".join(response.streaming_content)
        if fmt == "csv":
            assert content.decode("utf-8-sig").count("\r\n") == 2001


def test_the_assignment_table_exports_as_xlsx(three, technician):
    sheet = xlsx_of(api(technician).get("/api/v1/assignments/export/", {"format": "xlsx"}))
    header = [cell.value for cell in sheet[0]]
    assert header[0] == "Service number" and len(sheet) == 2
    assert sheet[1][0].value == three[0].number
    bad = api(technician).get("/api/v1/assignments/export/", {"format": "ods"})
    assert bad.status_code == 400 and "format" in bad.json()["fields"]


def test_the_list_page_links_its_exports_with_its_filters(three, agent, customer_user):
    mine, theirs, _other = three
    body = page(agent).get(reverse("service_requests:list"), {"view": "all", "status": "assigned"})
    html = body.content.decode()
    assert reverse("service_requests:export") + "?view=all&amp;status=assigned" in html
    assert reverse("service_requests:export_xlsx") + "?view=all&amp;status=assigned" in html
    export = page(agent).get(
        reverse("service_requests:export"), {"view": "all", "status": "assigned"}
    )
    assert export["Content-Disposition"].startswith("attachment")
    assert [row["Service number"] for row in csv_of(export)] == [mine.number]
    own = page(customer_user).get(reverse("service_requests:export_xlsx"), {"view": "all"})
    numbers = {row[0].value for row in xlsx_of(own)[1:]}
    assert numbers == {mine.number, theirs.number}


def test_the_assignment_page_exports_xlsx_and_refuses_customers(three, agent, customer_user):
    html = page(agent).get(reverse("service_requests:assignments")).content.decode()
    assert reverse("service_requests:assignments_export_xlsx") in html
    sheet = xlsx_of(page(agent).get(reverse("service_requests:assignments_export_xlsx")))
    assert sheet[1][0].value == three[0].number
    assert (
        page(customer_user).get(reverse("service_requests:assignments_export_xlsx")).status_code
        == 403
    )
