"""The scheduled run on 1 April 2026 for March, against a real SMTP server on loopback:
each reader gets the report of their scope in their language, attached, once."""

import zoneinfo

from django.conf import settings

from aftersales.config.celery import app
from aftersales.reports import services, tasks
from aftersales.reports.models import MonthlyReport
from aftersales.reports.tests.conftest import APRIL_FIRST, MARCH
from aftersales.reports.tests.pdftext import pdf_text


def _readers(analyst, admin_user, supervisor, agent):
    for user, address, language in (
        (analyst, "analyst@example.com", "en"),
        (admin_user, "admin@example.com", ""),
        (supervisor, "lead@example.com", "zh-hant"),
        (agent, "agent@example.com", "en"),
    ):
        user.email, user.language = address, language
        user.save()


def _pdf_of(mail):
    [part] = list(mail.iter_attachments())
    assert part.get_content_type() == "application/pdf"
    return part.get_filename(), pdf_text(part.get_content())


def test_the_monthly_run_mails_each_reader_their_report_once(
    month,
    smtp_sink,
    django_capture_on_commit_callbacks,
    analyst,
    admin_user,
    supervisor,
    agent,
    team_a,
    team_b,
):
    _readers(analyst, admin_user, supervisor, agent)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.monthly_reports_send(now=APRIL_FIRST) == 3
    assert sorted(str(m["To"]) for m in smtp_sink.received) == [
        "admin@example.com",
        "analyst@example.com",
        "lead@example.com",
    ]
    # One report per scope and language: the whole service in English and in the
    # service's default language, team A's in traditional Chinese.
    assert sorted(MonthlyReport.objects.values_list("scope_key", "language")) == sorted(
        [("all", "en"), ("all", settings.LANGUAGE_CODE), (f"teams:{team_a.pk}", "zh-hant")]
    )
    name, text = _pdf_of(smtp_sink.to("analyst@example.com")[0])
    assert name == "service-report-2026-03-en.pdf"
    assert "Requests received" in text and team_b.name in text
    assert month["problem"].number in text
    lead_mail = smtp_sink.to("lead@example.com")[0]
    assert "2026-03" in lead_mail["Subject"]
    name, text = _pdf_of(lead_mail)
    assert name == "service-report-2026-03-zh-hant.pdf"
    assert team_a.name in text and team_b.name not in text
    assert month["problem"].number not in text

    # Run again (a retried task, a second beat): nothing is made or mailed twice.
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.monthly_reports.apply(kwargs={"month": MARCH.isoformat()}).get() == 0
    assert len(smtp_sink.received) == 3
    assert MonthlyReport.objects.count() == 3


def test_readers_without_an_address_or_teams_get_nothing(
    month, supervisor, analyst, django_capture_on_commit_callbacks
):
    supervisor.email = "lead@example.com"
    supervisor.save()
    supervisor.teams.clear()
    analyst.email = ""
    analyst.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.monthly_reports_send(now=APRIL_FIRST) == 0
    assert MonthlyReport.objects.count() == 0


def test_the_run_is_scheduled_early_on_the_first_of_each_month_in_service_time():
    entry = app.conf.beat_schedule["monthly-reports"]
    assert entry["task"] == tasks.monthly_reports.name
    schedule = entry["schedule"]
    assert schedule.tz == zoneinfo.ZoneInfo(settings.SERVICE_TIME_ZONE)
    assert schedule.day_of_month == {1} and schedule.hour == {6} and schedule.minute == {30}
