"""The /reports/ page: who may, making a report (POST with CSRF, answered with the PDF),
bad input, and downloads checked against the reader's scope."""

import pytest
from django.test import Client

from aftersales.accounts.models import User
from aftersales.reports import services
from aftersales.reports.models import MonthlyReport
from aftersales.reports.tests.conftest import APRIL_FIRST, MARCH
from aftersales.reports.tests.pdftext import pdf_text

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_who_may_open_the_reports_page(
    db, as_user, agent, technician, department, customer_user, supervisor, analyst, admin_user
):
    for user in (agent, technician, department, customer_user):
        assert as_user(user).get("/reports/", **EN).status_code == 403
    for user in (supervisor, analyst, admin_user):
        response = as_user(user).get("/reports/", **EN)
        assert response.status_code == 200
        html = response.content.decode()
        assert 'href="/reports/"' in html  # in the console's navigation
        assert 'name="csrfmiddlewaretoken"' in html


def test_the_page_offers_last_month_and_the_readers_language(db, as_user, time_machine, analyst):
    time_machine.move_to(APRIL_FIRST, tick=False)
    analyst.language = "zh-hant"
    analyst.save()
    form = as_user(analyst).get("/reports/", **EN).context["form"]
    assert form.initial == {"month": "2026-03", "language": "zh-hant"}


def test_generating_answers_the_pdf_and_lists_it(month, as_user, supervisor, team_a):
    client = as_user(supervisor)
    response = client.post("/reports/", {"month": "2026-03", "language": "en"}, **EN)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    text = pdf_text(b"".join(response.streaming_content))
    assert f"Teams: {team_a.name}" in text
    report = MonthlyReport.objects.get()
    assert report.teams == [team_a.pk] and report.generated_by == supervisor
    listed = client.get("/reports/", **EN).context["reports"]
    assert listed == [report]


def test_generating_needs_the_csrf_token(month, supervisor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(supervisor)
    response = client.post("/reports/", {"month": "2026-03", "language": "en"}, **EN)
    assert response.status_code == 403
    assert MonthlyReport.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"month": "2026-13", "language": "en"}, "month"),
        ({"month": "March", "language": "en"}, "month"),
        ({"month": "2026-05", "language": "en"}, "month"),
        ({"month": "2026-03", "language": "fr"}, "language"),
        ({"language": "en"}, "month"),
    ],
)
def test_bad_input_is_shown_on_the_field(month, as_user, analyst, data, field):
    response = as_user(analyst).post("/reports/", data, **EN)
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert MonthlyReport.objects.count() == 0


def test_downloads_are_checked_against_the_readers_scope(
    month, as_user, analyst, supervisor, team_a, team_b
):
    whole = services.monthly_report_generate(
        MARCH, teams=None, language="en", by=analyst, now=APRIL_FIRST
    )
    mine = services.monthly_report_generate(
        MARCH, teams=[team_a.pk], language="en", by=supervisor, now=APRIL_FIRST
    )
    theirs = services.monthly_report_generate(
        MARCH, teams=[team_b.pk], language="en", by=None, now=APRIL_FIRST
    )
    lead = as_user(supervisor)
    assert lead.get(f"/reports/{mine.pk}/download/", **EN).status_code == 200
    assert lead.get(f"/reports/{whole.pk}/download/", **EN).status_code == 404
    assert lead.get(f"/reports/{theirs.pk}/download/", **EN).status_code == 404
    assert lead.get("/reports/", **EN).context["reports"] == [mine]
    assert lead.post(f"/reports/{mine.pk}/download/", **EN).status_code == 405
    other = User.objects.create(username="lead2", role=User.Role.SUPERVISOR)
    other.teams.set([team_b])
    assert as_user(other).get(f"/reports/{mine.pk}/download/", **EN).status_code == 404
    response = as_user(analyst).get(f"/reports/{theirs.pk}/download/", **EN)
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert {r.pk for r in as_user(analyst).get("/reports/", **EN).context["reports"]} == {
        whole.pk,
        mine.pk,
        theirs.pk,
    }
