"""Complaints exported as CSV and XLSX: scoped like the list, with its filters."""

import csv
import io

import pytest
from django.http import FileResponse, StreamingHttpResponse
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from aftersales.complaints.tests.factories import investigated, register

pytestmark = pytest.mark.django_db
URL = "/api/v1/complaints/export/"


def _api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def _rows(response):
    assert response.status_code == 200 and isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.fixture
def two(agent, customer_a, customer_b, complaints_team):
    fresh = register(agent, customer_b, subject="=IMPORTXML(1) 客服态度差")
    founded = investigated(agent, customer_a)
    return fresh, founded


def test_each_person_exports_the_complaints_they_may_see(
    two, agent, technician, complaint_lead, customer_user, department
):
    fresh, founded = two
    expected = {fresh.request.number, founded.request.number}
    assert {r["Service number"] for r in _rows(_api(agent).get(URL))} == expected
    assert {r["Service number"] for r in _rows(_api(complaint_lead).get(URL))} == expected
    assert _rows(_api(technician).get(URL)) == []  # not their team's requests
    for who in (customer_user, department):
        assert _api(who).get(URL).status_code == 403


def test_the_filters_of_the_list_apply(two, agent):
    fresh, founded = two
    rows = _rows(_api(agent).get(URL, {"founded": "true"}))
    assert [r["Service number"] for r in rows] == [founded.request.number]
    assert rows[0]["Founded"] == "Yes" and rows[0]["Severity"] == "Major"
    rows = _rows(_api(agent).get(URL, {"stage": fresh.stage}))
    assert [r["Service number"] for r in rows] == [fresh.request.number]
    for query, field in (({"stage": "x"}, "stage"), ({"format": "x"}, "format")):
        bad = _api(agent).get(URL, query)
        assert bad.status_code == 400 and field in bad.json()["fields"]


def test_a_formula_in_the_subject_stays_text(two, agent):
    fresh = two[0]
    rows = _rows(_api(agent).get(URL, {"stage": fresh.stage}))
    assert rows[0]["What the complaint is about"] == "'=IMPORTXML(1) 客服态度差"
    response = _api(agent).get(URL, {"stage": fresh.stage, "format": "xlsx"})
    assert isinstance(response, FileResponse)
    sheet = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows())
    header = [c.value for c in sheet[0]]
    subject = sheet[1][header.index("What the complaint is about")]
    assert subject.value == "=IMPORTXML(1) 客服态度差" and subject.data_type == "s"
    assert sheet[1][header.index("Complaint")].value == fresh.pk


def test_the_list_page_links_its_exports_with_its_filters(two, agent, client, customer_user):
    fresh = two[0]
    client.force_login(agent)
    html = client.get("/complaints/", {"stage": fresh.stage}).content.decode()
    assert f"/complaints/export.csv?stage={fresh.stage}" in html
    assert f"/complaints/export.xlsx?stage={fresh.stage}" in html
    rows = _rows(client.get("/complaints/export.csv", {"stage": fresh.stage}))
    assert [r["Service number"] for r in rows] == [fresh.request.number]
    client.force_login(customer_user)
    assert client.get("/complaints/export.xlsx").status_code == 403
