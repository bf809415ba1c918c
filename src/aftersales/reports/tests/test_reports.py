"""The March 2026 report (the metrics' week, made on 1 April): its numbers are
measures.compute's, in every language, for the whole service and for one team's supervisor;
stored once per month, scope and language."""

import datetime

import pytest
from django.core.files.storage import default_storage
from django.utils import translation
from django.utils.translation import gettext as _

from aftersales.core.errors import DomainError
from aftersales.dashboards import boards
from aftersales.metrics import measures
from aftersales.reports import content, pdf, services
from aftersales.reports.models import MonthlyReport
from aftersales.reports.tests.conftest import APRIL_FIRST, MARCH
from aftersales.reports.tests.pdftext import pdf_text

LAST = datetime.date(2026, 3, 31)
FEBRUARY = (datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_each_language_prints_the_months_figures_under_translated_headings(month, language):
    made = content.collect(MARCH, teams=None, language=language, now=APRIL_FIRST)
    (expected,) = measures.compute(MARCH, LAST, now=APRIL_FIRST)
    assert made.total == expected
    assert made.kpi("received").value == expected["received"] == 8
    assert made.kpi("resolution_rate").value == expected["resolution_rate"]["percent"]
    assert made.kpi("backlog").value == expected["backlog"]["open"]
    text = pdf_text(pdf.render(made))
    with translation.override(language):
        headings = [
            _("Monthly service report %(month)s") % {"month": "2026-03"},
            _("Open problem records"),
            _("Top fault categories (Pareto)"),
            _("Requests received per day, by channel"),
            _("Teams (ranked by requests resolved)"),
        ]
        tiles = [kpi.label for kpi in made.kpis]
        overdue = _("overdue")
    for heading in [*headings, *tiles]:
        assert heading in text, heading
    for kpi in made.kpis:
        assert pdf.shown(kpi.value, kpi.unit) in text
    # Chinese data in every language; the overdue action marked, the other not.
    for name in ("一线技术组", "研发组", "主板批次异常", "更换来料供应商", "DSZF-60A", "B2603"):
        assert name in text, name
    assert text.count(f"({overdue})") == 1
    assert month["problem"].number in text
    # A title's markup is printed as text, never followed.
    assert '<imgsrc="file:///etc/passwd"/>' in "".join(text.split())


def test_the_previous_months_figures_stand_beside(month):
    made = content.collect(MARCH, teams=None, language="en", now=APRIL_FIRST)
    (february,) = measures.compute(*FEBRUARY, now=APRIL_FIRST)
    assert made.previous_total == february
    assert made.kpi("received").previous == february["received"]
    assert made.kpi("received").change == made.total["received"] - february["received"]
    # The backlog is counted now: the previous month has no figure of its own.
    assert made.kpi("backlog").previous is None


def test_a_supervisors_report_holds_only_their_teams(month, team_a, team_b):
    mine = content.collect(MARCH, teams=[team_a.pk], language="en", now=APRIL_FIRST)
    (expected,) = measures.compute(MARCH, LAST, teams=[team_a.pk], now=APRIL_FIRST)
    (everything,) = measures.compute(MARCH, LAST, now=APRIL_FIRST)
    assert mine.total == expected and mine.total != everything
    assert [row[0].value for row in mine.teams.rows] == [team_a.name]
    assert mine.scope_label == f"Teams: {team_a.name}"
    # The problem record is team B's and groups a team B request only.
    assert mine.problems == []
    text = pdf_text(pdf.render(mine))
    assert team_b.name not in text and month["problem"].number not in text
    theirs = content.collect(MARCH, teams=[team_b.pk], language="en", now=APRIL_FIRST)
    assert [p.number for p in theirs.problems] == [month["problem"].number]


def test_the_tables_are_the_dashboards(month):
    made = content.collect(MARCH, teams=None, language="en", now=APRIL_FIRST)
    with translation.override("en"):
        board = boards.manager(boards.Query(MARCH, LAST), teams=None, now=APRIL_FIRST)
    for key in ("intake", "sla", "categories", "models", "batches"):
        assert made.tables[key].values() == board.table(key).values()
    assert [r[0] for r in made.tables["models"].values()] == ["DSZF-60A", "KFR-35GW"]


def test_making_a_report_again_replaces_the_stored_one(
    month, supervisor, team_a, django_capture_on_commit_callbacks
):
    first = services.monthly_report_generate(
        MARCH, teams=[team_a.pk], language="zh-hans", by=supervisor, now=APRIL_FIRST
    )
    old_name = first.file.name
    assert default_storage.exists(old_name) and not old_name.startswith("/")
    assert first.size == default_storage.size(old_name)
    with django_capture_on_commit_callbacks(execute=True):
        again = services.monthly_report_generate(
            MARCH, teams=[team_a.pk], language="zh-hans", by=None, now=APRIL_FIRST
        )
    assert again.pk == first.pk and MonthlyReport.objects.count() == 1
    assert not default_storage.exists(old_name)
    assert again.generated_by is None and again.teams == [team_a.pk]
    with again.file.open("rb") as stored:
        assert "一线技术组" in pdf_text(stored.read())


def test_a_stored_final_report_is_reused_and_an_early_one_made_again(month, time_machine):
    early = services.monthly_report_generate(
        MARCH,
        teams=None,
        language="en",
        by=None,
        now=datetime.datetime(2026, 3, 20, 2, tzinfo=datetime.UTC),
    )
    final = services.monthly_report_get_or_generate(
        MARCH, teams=None, language="en", by=None, now=APRIL_FIRST
    )
    assert final.pk == early.pk and final.generated_at == APRIL_FIRST
    later = APRIL_FIRST + datetime.timedelta(days=3)
    again = services.monthly_report_get_or_generate(
        MARCH, teams=None, language="en", by=None, now=later
    )
    assert again.generated_at == APRIL_FIRST and again.file.name == final.file.name


@pytest.mark.parametrize(
    ("month_", "language", "field"),
    [
        (datetime.date(2026, 5, 1), "en", "month"),
        (datetime.date(1969, 12, 1), "en", "month"),
        (MARCH, "fr", "language"),
        (MARCH, "", "language"),
    ],
)
def test_a_month_not_begun_or_an_unknown_language_is_refused(db, month_, language, field):
    with pytest.raises(DomainError) as refused:
        services.monthly_report_generate(
            month_, teams=None, language=language, by=None, now=APRIL_FIRST
        )
    assert list(refused.value.fields) == [field]
    assert MonthlyReport.objects.count() == 0


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-03", datetime.date(2026, 3, 1)),
        ("2026-3", None),
        ("2026-13", None),
        ("2026-00", None),
        ("26-03-01", None),
        ("２０２６-03", None),
        ("", None),
    ],
)
def test_months_are_read_as_yyyy_mm(raw, expected):
    assert content.parse_month(raw) == expected


def test_a_recipients_language_is_theirs_or_the_services(settings, analyst):
    settings.LANGUAGE_CODE = "zh-hans"
    analyst.language = "zh-Hant"
    assert services.language_of(analyst) == "zh-hant"
    analyst.language = "fr"
    assert services.language_of(analyst) == "zh-hans"
    analyst.language = ""
    settings.LANGUAGE_CODE = "en"
    assert services.language_of(analyst) == "en"
