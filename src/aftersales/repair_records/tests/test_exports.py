"""Repair records exported as CSV and XLSX: the records of the requests one sees (staff)."""

import csv
import io

from django.http import FileResponse, StreamingHttpResponse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from aftersales.repair_records.tests.factories import make_record
from aftersales.service_requests.tests.factories import make_request, move_to

URL = "/api/v1/repair-records/export/"


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def rows(response):
    assert response.status_code == 200 and isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_staff_export_the_records_of_the_requests_they_see(
    sr, agent, technician, other_technician, customer_a, team_b, customer_user, analyst
):
    elsewhere = move_to(
        make_request(by=agent, customer=customer_a, team=team_b),
        "in_progress",
        by=agent,
        assignee=other_technician,
    )
    mine = make_record(sr, by=technician, labour_minutes=45)
    theirs = make_record(elsewhere, by=other_technician, test_outcome="failed")
    assert {r["Repair record"] for r in rows(api(agent).get(URL))} == {
        str(mine.pk),
        str(theirs.pk),
    }
    assert [r["Repair record"] for r in rows(api(technician).get(URL))] == [str(mine.pk)]
    assert [r["Repair record"] for r in rows(api(other_technician).get(URL))] == [str(theirs.pk)]
    assert len(rows(api(analyst).get(URL))) == 2
    refused = api(customer_user).get(URL)
    assert refused.status_code == 403 and "message" in refused.json()


def test_filters_columns_and_formulas(sr, agent, technician):
    make_record(sr, by=technician, test_outcome="failed", work_done="-拆机检查")
    passed = make_record(
        sr,
        by=technician,
        labour_minutes=45,
        work_done="=CMD() 更换启动电容",
        parts=[{"part_number": "LOCAL-7", "description": "保险丝", "quantity": 2}],
    )
    found = rows(api(agent).get(URL, {"test_outcome": "passed", "number": sr.number}))
    assert [r["Repair record"] for r in found] == [str(passed.pk)]
    row = found[0]
    assert row["Work done"] == "'=CMD() 更换启动电容" and row["Test outcome"] == "Passed"
    assert row["Parts"] == "LOCAL-7 × 2" and row["Technicians"] == "tech1"
    assert row["Labour (minutes)"] == "45" and row["Repeat repair"] == "No"
    response = api(agent).get(URL, {"test_outcome": "passed", "format": "xlsx"})
    assert isinstance(response, FileResponse)
    sheet = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows())
    header = [c.value for c in sheet[0]]
    work = sheet[1][header.index("Work done")]
    assert work.value == "=CMD() 更换启动电容" and work.data_type == "s"
    assert sheet[1][header.index("Labour (minutes)")].value == 45
    for query, field in (
        ({"test_outcome": "great"}, "test_outcome"),
        ({"started_from": "soon"}, "started_from"),
        ({"format": "pdf"}, "format"),
    ):
        bad = api(agent).get(URL, query)
        assert bad.status_code == 400 and field in bad.json()["fields"]


def test_many_records_stream_in_a_bounded_number_of_queries(
    sr, agent, technician, django_assert_max_num_queries
):
    for _ in range(30):
        make_record(sr, by=technician, parts=[{"part_number": "P-1", "description": "螺丝"}])
    with django_assert_max_num_queries(10):
        response = api(agent).get(URL)
        assert len(rows(response)) == 30
