"""The daily rollups: read only where fresh, marked stale by the database whatever writes a
request, rebuilt by `refresh`, and never changing a figure (the hand-computed week runs on
them too: see conftest's `week`)."""

import datetime
import random
import zoneinfo

import pytest
from django.db import connection
from django.db.models import F
from django.utils import timezone

from aftersales.catalog.models import Product
from aftersales.metrics import measures, rollups
from aftersales.metrics.measures import Filters
from aftersales.metrics.models import MeasureRollup, RolledDay, RolledMonth, StaleDay
from aftersales.service_requests.models import Category, Channel, Kind, Priority, Status
from aftersales.service_requests.models import ServiceRequest as Request
from aftersales.service_requests.tests.factories import make_request
from aftersales.sla.models import Calendar
from aftersales.surveys.models import Answer, Question, Response

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
FIRST = datetime.date(2026, 5, 4)
LAST = datetime.date(2026, 5, 13)
NOW = datetime.datetime(2026, 5, 14, 12, 0, tzinfo=SHANGHAI)


def local(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SHANGHAI)


def both(settings, call):
    """`call()` read with the rollups, then from the requests only."""
    settings.MEASURE_ROLLUPS = True
    rolled = call()
    settings.MEASURE_ROLLUPS = False
    plain = call()
    settings.MEASURE_ROLLUPS = True
    return rolled, plain


def stale_dates():
    return set(StaleDay.objects.values_list("day", flat=True))


# --- Days and time zones (no database) ------------------------------------------------------


def test_a_shanghai_day_overlaps_two_utc_dates(settings):
    settings.SERVICE_TIME_ZONE = "Asia/Shanghai"
    day = datetime.date(2026, 5, 4)
    assert rollups.utc_dates(day) == [datetime.date(2026, 5, 3), day]
    assert rollups.service_days(day) == [day, datetime.date(2026, 5, 5)]


@pytest.mark.parametrize("day", [datetime.date(2026, 3, 29), datetime.date(2026, 10, 25)])
def test_days_of_a_summer_time_change(settings, day):
    # Berlin: 23 and 25 hours; each still overlaps its UTC dates exactly.
    settings.SERVICE_TIME_ZONE = "Europe/Berlin"
    assert rollups.utc_dates(day) == [day - datetime.timedelta(days=1), day]
    for utc_date in rollups.utc_dates(day):
        assert day in rollups.service_days(utc_date)


def test_runs_merge_consecutive_days():
    d = datetime.date(2026, 1, 1)
    days = [d, d + datetime.timedelta(1), d + datetime.timedelta(3)]
    assert rollups.runs(reversed(days)) == [
        (d, d + datetime.timedelta(1)),
        (d + datetime.timedelta(3), d + datetime.timedelta(3)),
    ]


def test_the_smallest_cube_holding_the_grouping_and_filters_is_read():
    assert rollups.cube_for([]) == "all"
    assert rollups.cube_for(["person"]) == "team_person"
    assert rollups.cube_for(["team", "channel"]) == "team_channel"
    assert rollups.cube_for(["team", "kind", "channel"]) == "team_kind_channel_category"
    assert rollups.cube_for(["region"]) is None
    assert rollups.cube_for(["batch", "channel"]) is None
    # Within a scope of teams only the cubes keeping each row's team serve.
    assert rollups.cube_for([], scoped=True) == "team"
    assert rollups.cube_for(["channel"]) == "channel"
    assert rollups.cube_for(["channel"], scoped=True) == "team_channel"
    assert rollups.cube_for(["batch"], scoped=True) == "team_batch"


# --- Random requests: the same figures either way -------------------------------------------


@pytest.fixture
def scattered(time_machine, agent, technician, other_technician, team_a, team_b, customer_a):
    """60 requests with random dimensions, times and states over the period and around it,
    and score answers, written with plain inserts and queryset updates as imports and bulk
    tools do."""
    rng = random.Random(20261202)
    time_machine.move_to(local(2026, 5, 1, 9, 0), tick=False)
    product = Product.objects.create(model="KFR-35GW", name="挂式空调")
    other_product = Product.objects.create(model="KFR-72LW", name="柜式空调")
    score = Question.objects.create(code="r_speed", kind="score_1_5", text_zh_hans="速度")
    text = Question.objects.create(code="r_text", kind="text", text_zh_hans="建议")
    calendars = [None, *Calendar.objects.values_list("pk", flat=True)]
    model = make_request(by=agent, customer=customer_a)
    requests = []
    for n in range(60):
        request = Request.objects.get(pk=model.pk)
        if n:  # copies of the first, written in bulk as imports do
            request.pk, request.number = None, f"SR-TEST-{n:04d}"
            request.save(force_insert=True)
        received = local(2026, 5, 2) + datetime.timedelta(minutes=rng.randrange(16 * 24 * 60))
        status = rng.choice(Status.values)
        responded = (
            received + datetime.timedelta(minutes=rng.randrange(1, 3000))
            if rng.random() < 0.8
            else None
        )
        done = status in (Status.RESOLVED, Status.CLOSED) or rng.random() < 0.1
        resolved = received + datetime.timedelta(minutes=rng.randrange(30, 9000)) if done else None
        assignee = rng.choice([technician, other_technician, None])
        if status == Status.ASSIGNED:
            assignee = assignee or technician
        Request.objects.filter(pk=request.pk).update(
            status=status,
            kind=rng.choice(Kind.values),
            category=rng.choice(Category.values),
            channel=rng.choice(Channel.values),
            priority=rng.choice(Priority.values),
            team=rng.choice([team_a, team_b, None]),
            assignee=assignee,
            product=rng.choice([product, other_product, None]),
            batch_number=rng.choice(["", "B2601", "B2602"]),
            received_at=received,
            first_responded_at=responded,
            first_response_due_at=rng.choice([None, received + datetime.timedelta(hours=8)]),
            resolution_due_at=rng.choice([None, received + datetime.timedelta(days=3)]),
            resolved_at=resolved,
            first_response_calendar_id=rng.choice(calendars),
            resolution_calendar_id=rng.choice(calendars),
            paused_seconds=rng.choice([0, 0, 600, 7200]),
            reopen_count=rng.choice([0, 0, 0, 1, 2]),
        )
        requests.append(request)
        if rng.random() < 0.4:
            response = Response.objects.create(
                request=request,
                source="phone",
                team=rng.choice([team_a, team_b, None]),
                answered_at=received + datetime.timedelta(hours=rng.randrange(1, 200)),
                recorded_by=agent,
            )
            Answer.objects.create(response=response, question=score, score=rng.randrange(1, 6))
            Answer.objects.create(response=response, question=text, text="还行")
    time_machine.move_to(NOW, tick=False)
    rollups.refresh()
    assert not stale_dates()
    return requests


GROUPINGS = [None, *measures.GROUPINGS]
FILTERS = [
    Filters(),
    Filters(channel="web"),
    Filters(kind="repair", category="usage"),
    Filters(batch="B2601"),
    Filters(region="华东"),
]


def _readings(team_a, team_b):
    for group_by in GROUPINGS:
        yield {"group_by": group_by}
    for filters in FILTERS:
        yield {"group_by": "team", "filters": filters}
        yield {"filters": filters}
    for teams in ([team_a.pk], [team_a.pk, team_b.pk], []):
        yield {"teams": teams}
        yield {"group_by": "person", "teams": teams}
        yield {"group_by": "batch", "teams": teams}
        yield {"group_by": "channel", "filters": Filters(kind="repair"), "teams": teams}
    yield {"group_by": "category", "filters": Filters(team=team_b.pk), "teams": [team_b.pk]}


def test_every_reading_is_the_same_from_the_rollups(settings, scattered, team_a, team_b):
    assert rollups.fresh_days(FIRST, LAST) == set(rollups._days(FIRST, LAST))
    for reading in _readings(team_a, team_b):
        rolled, plain = both(
            settings, lambda r=reading: measures.compute(FIRST, LAST, now=NOW, **r)
        )
        assert rolled == plain, reading
    for filters in [*FILTERS[:3], Filters(team=team_a.pk)]:
        rolled, plain = both(
            settings, lambda f=filters: measures.daily_series(FIRST, LAST, filters=f)
        )
        assert rolled == plain, filters
    # Something was counted: the comparison is not between two empty readings.
    (total,) = measures.compute(FIRST, LAST, now=NOW)
    assert total["received"] > 20 and total["csat"]["answers"] > 5


def test_the_rollups_are_what_is_read(settings, scattered):
    (before,) = measures.compute(FIRST, LAST, now=NOW)
    MeasureRollup.objects.filter(cube="all", day=FIRST).update(received=9000)
    (tampered,) = measures.compute(FIRST, LAST, now=NOW)
    assert tampered["received"] >= 9000 > before["received"]
    settings.MEASURE_ROLLUPS = False
    (plain,) = measures.compute(FIRST, LAST, now=NOW)
    assert plain == before


def test_days_built_together_or_apart_hold_the_same_rows(scattered, monkeypatch):
    def rows():
        return sorted(
            MeasureRollup.objects.values_list("day", "cube", *rollups.FINE_NAMES, *rollups.PARTS),
            key=repr,
        )

    together = rows()
    assert len({day for day, *_rest in together}) > 10
    monkeypatch.setattr(rollups, "DAYS_PER_BUILD", 3)
    RolledDay.objects.all().delete()
    result = rollups.refresh()
    assert result["left"] == 0 and result["days"] > 10
    assert rows() == together


def test_a_period_beyond_the_built_days_reads_the_rest_from_the_requests(settings, scattered):
    later = LAST + datetime.timedelta(days=20)  # after today: never built
    rolled, plain = both(settings, lambda: measures.compute(FIRST, later, group_by="team"))
    assert rolled == plain


# --- Stale marks ------------------------------------------------------------------------------


def _utc(moment):
    return moment.astimezone(datetime.UTC).date()


WRITERS = {
    "model save": lambda r: (setattr(r, "category", "installation"), r.save()),
    "queryset update": lambda r: Request.objects.filter(pk=r.pk).update(channel="chat"),
    "raw SQL": lambda r: connection.cursor().execute(
        "UPDATE service_requests_servicerequest SET reopen_count = reopen_count + 1 WHERE id = %s",
        [r.pk],
    ),
    "delete": lambda r: Request.objects.filter(pk=r.pk).delete(),
}


@pytest.mark.parametrize("writer", WRITERS)
def test_any_write_marks_the_requests_days_stale(settings, scattered, writer):
    request = next(r for r in Request.objects.filter(resolved_at__isnull=False).order_by("pk"))
    days = {_utc(request.received_at), _utc(request.resolved_at)}
    if request.first_responded_at:
        days.add(_utc(request.first_responded_at))
    WRITERS[writer](request)
    assert days <= stale_dates()
    touched = {
        day for day in rollups._days(FIRST, LAST) if days.intersection(rollups.utc_dates(day))
    }
    assert touched and not touched & rollups.fresh_days(FIRST, LAST)
    for group_by in (None, "category", "channel"):
        rolled, plain = both(
            settings, lambda g=group_by: measures.compute(FIRST, LAST, group_by=g, now=NOW)
        )
        assert rolled == plain
    rollups.refresh()
    assert not stale_dates()
    rolled, plain = both(settings, lambda: measures.compute(FIRST, LAST, group_by="channel"))
    assert rolled == plain


def test_touching_only_the_update_time_marks_nothing(scattered):
    Request.objects.update(updated_at=timezone.now())
    assert not stale_dates()


def test_a_changed_team_marks_the_days_of_its_answers(scattered, team_a, team_b):
    response = Response.objects.filter(request__team__isnull=False).first()
    request = response.request
    request.team = team_b if request.team_id == team_a.pk else team_a
    request.save()
    assert _utc(response.answered_at) in stale_dates()


def test_answers_responses_and_questions_mark_their_day(scattered):
    response = Response.objects.first()
    day = _utc(response.answered_at)
    Answer.objects.filter(response=response, score__isnull=False).update(score=1)
    assert day in stale_dates()
    StaleDay.objects.all().delete()
    Question.objects.filter(kind="score_1_5").update(kind="text")
    assert day in stale_dates()
    StaleDay.objects.all().delete()
    moved = response.answered_at + datetime.timedelta(days=3)
    Response.objects.filter(pk=response.pk).update(answered_at=moved)
    assert {day, _utc(moved)} <= stale_dates()


def test_a_mark_made_while_a_day_is_built_is_kept(scattered, monkeypatch):
    request = Request.objects.order_by("pk").first()
    first, second = [c for c in Channel.values if c != request.channel][:2]
    Request.objects.filter(pk=request.pk).update(channel=first)
    assert _utc(request.received_at) in stale_dates()
    build = rollups.build_days
    changed = []

    def build_then_change(first, last, mark=None):
        rows = build(first, last, mark)
        if not changed:  # a change committed while this run builds
            Request.objects.filter(pk=request.pk).update(channel=second)
            changed.append(first)
        return rows

    monkeypatch.setattr(rollups, "build_days", build_then_change)
    rollups.refresh()
    assert changed and _utc(request.received_at) in stale_dates()


def test_a_calendar_change_makes_every_day_read_from_the_requests(settings, scattered):
    calendar = Calendar.objects.first()
    Calendar.objects.filter(pk=calendar.pk).update(revision=calendar.revision + 1)
    assert rollups.fresh_days(FIRST, LAST) == set()
    result = rollups.refresh(limit=3)
    assert result["days"] == 3 and result["left"] > 0
    rollups.refresh()
    assert rollups.fresh_days(FIRST, LAST) == set(rollups._days(FIRST, LAST))


def test_refresh_builds_from_the_first_request_to_today(scattered):
    first = Request.objects.order_by("received_at").first().received_at.astimezone(SHANGHAI)
    days = set(RolledDay.objects.values_list("day", flat=True))
    assert set(rollups._days(first.date(), NOW.date())) <= days
    assert rollups.refresh() == {"days": 0, "months": 0, "rows": 0, "left": 0, "cleared": 0}


def test_the_command_builds_everything(scattered, capsys):
    from django.core.management import call_command

    RolledDay.objects.all().delete()
    call_command("rollup_measures")
    assert capsys.readouterr().out.strip()
    assert rollups.fresh_days(FIRST, LAST) == set(rollups._days(FIRST, LAST))


# --- Whole months -----------------------------------------------------------------------------

MAY, JUNE = datetime.date(2026, 5, 1), datetime.date(2026, 6, 1)
JULY_SECOND = local(2026, 7, 2, 12, 0)


def test_whole_months_are_read_from_their_month_rows(
    settings, scattered, time_machine, team_a, team_b
):
    time_machine.move_to(JULY_SECOND, tick=False)
    assert rollups.refresh()["months"] == 2  # May and June are over; July is not
    assert set(RolledMonth.objects.values_list("month", flat=True)) == {MAY, JUNE}
    first, last = datetime.date(2026, 4, 20), datetime.date(2026, 7, 1)
    assert rollups.whole_months(rollups.fresh_days(first, last)) == {MAY, JUNE}
    for reading in _readings(team_a, team_b):
        rolled, plain = both(
            settings, lambda r=reading: measures.compute(first, last, now=JULY_SECOND, **r)
        )
        assert rolled == plain, reading
    # The month rows are what is read for a whole month.
    (before,) = measures.compute(first, last, now=JULY_SECOND)
    MeasureRollup.objects.filter(whole_month=True, cube="all", day=MAY).update(
        received=F("received") + 1000
    )
    (tampered,) = measures.compute(first, last, now=JULY_SECOND)
    assert tampered["received"] == before["received"] + 1000 and before["received"] > 20


def test_a_rebuilt_day_drops_its_months_rows_until_they_are_summed_again(
    settings, scattered, time_machine
):
    time_machine.move_to(JULY_SECOND, tick=False)
    rollups.refresh()
    request = Request.objects.filter(received_at__gte=local(2026, 5, 10)).order_by("pk").first()
    Request.objects.filter(pk=request.pk).update(
        channel=next(c for c in Channel.values if c != request.channel)
    )
    day = request.received_at.astimezone(SHANGHAI).date()
    rollups.build_day(day)
    assert not RolledMonth.objects.filter(month=MAY).exists()
    assert not MeasureRollup.objects.filter(whole_month=True, day=MAY).exists()
    assert rollups.whole_months(rollups.fresh_days(MAY, datetime.date(2026, 5, 31))) == set()
    assert rollups.refresh()["months"] == 1
    rolled, plain = both(
        settings,
        lambda: measures.compute(MAY, datetime.date(2026, 6, 30), group_by="channel"),
    )
    assert rolled == plain


# --- Requests received per group (the dashboards' top tables) ---------------------------------


@pytest.mark.parametrize("group_by", ["category", "product_model", "batch", "team", "person"])
def test_received_by_is_the_received_of_every_measure(settings, scattered, group_by, team_a):
    for teams in (None, [team_a.pk]):
        rolled, plain = both(
            settings,
            lambda t=teams: measures.received_by(FIRST, LAST, group_by=group_by, teams=t),
        )
        rows = measures.compute(FIRST, LAST, group_by=group_by, teams=teams, now=NOW)
        expected = [{"group": r["group"], "received": r["received"]} for r in rows if r["received"]]
        assert rolled == plain == expected
        assert expected
