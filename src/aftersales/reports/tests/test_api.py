"""GET /api/v1/reports/monthly/: the PDF of the caller's scope, made if missing; 400 naming
`month` or `language`; 403 for those who may not read the measures."""

import pytest
from rest_framework.test import APIClient

from aftersales.reports.models import MonthlyReport
from aftersales.reports.tests.pdftext import pdf_text

URL = "/api/v1/reports/monthly/"


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_pdf_is_made_once_and_then_served(month, analyst):
    client = _client(analyst)
    response = client.get(URL, {"month": "2026-03", "language": "en"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(b"".join(response.streaming_content))
    assert "Whole service" in text and month["problem"].number in text
    report = MonthlyReport.objects.get()
    assert report.scope_key == "all" and report.language == "en"
    again = client.get(URL, {"month": "2026-03", "language": "en"})
    assert again.status_code == 200
    assert MonthlyReport.objects.get().generated_at == report.generated_at


def test_a_supervisor_gets_their_teams_report_in_their_language(month, supervisor, team_a):
    supervisor.language = "zh-hans"
    supervisor.save()
    response = _client(supervisor).get(URL, {"month": "2026-03"})
    assert response.status_code == 200
    assert MonthlyReport.objects.get().scope_key == f"teams:{team_a.pk}"
    assert MonthlyReport.objects.get().language == "zh-hans"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "month"),
        ({"month": "2026-3"}, "month"),
        ({"month": "2026-03-01"}, "month"),
        ({"month": "2026-05"}, "month"),
        ({"month": "1969-12"}, "month"),
        ({"month": "2026-03", "language": "fr"}, "language"),
        ({"month": "2026-03", "lang": "en"}, "lang"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(month, analyst, params, field):
    response = _client(analyst).get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert field in body["fields"] and body["message"]
    assert MonthlyReport.objects.count() == 0


def test_others_are_refused(db, agent, technician, customer_user):
    for user in (agent, technician, customer_user):
        response = _client(user).get(URL, {"month": "2026-03"})
        assert response.status_code == 403
        assert "message" in response.json()
    assert APIClient().get(URL, {"month": "2026-03"}).status_code == 401
