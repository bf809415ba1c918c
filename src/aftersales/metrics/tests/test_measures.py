"""Every measure of SPEC §5 against the week in conftest.py, worked out by hand (times in
Asia/Shanghai; "service hours" 08:00–22:00 every day, "working hours" Mon–Fri 09:00–12:00 and
13:00–18:00)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.accounts.models import Team
from aftersales.customers.models import Customer
from aftersales.metrics import measures, rollups
from aftersales.metrics.measures import Filters
from aftersales.metrics.tests.conftest import FROM, NOW, TO, local
from aftersales.service_requests import deadlines
from aftersales.service_requests.tests.factories import make_request, move_to
from aftersales.surveys import selectors as surveys


def ratio(numerator, denominator, percent):
    return {
        "numerator": numerator,
        "denominator": denominator,
        "percent": None if percent is None else Decimal(percent),
    }


def by_key(rows):
    return {row["group"]["key"]: row for row in rows}


def test_the_week_in_total(week):
    (row,) = measures.compute(FROM, TO, now=NOW)
    assert row["group"] is None
    # Received Mon 9 00:00 – Sun 15 24:00: R1, R2, R3, R4, R5 (imported), R7 (Sun 23:59);
    # not R6 (before), R8 (January), R9 (Mon 16 00:00).
    assert row["received"] == 6
    assert row["cancelled"] == 1  # R3
    # Resolved or closed now, of the five not cancelled: R1, R2, R5.
    assert row["resolution_rate"] == ratio(3, 5, "60.0")
    assert row["complaint_rate"] == ratio(1, 5, "20.0")  # R4
    # Resolved in the week (by their last resolution): R1 Wed, R2 Thu (again), R5 Thu, R6 Tue.
    assert row["resolved"] == 4
    assert row["first_time_fix_rate"] == ratio(3, 4, "75.0")  # all but R2
    assert row["reopen_rate"] == ratio(1, 4, "25.0")  # R2
    # First response due 8 service hours after received: R1 (11:30 ≤ 18:00), R2 (its
    # resolution Mon 16:00 ≤ 17:00), R5 (09:00 ≤ 16:00) met; R6 (Mon 09:00 > Fri 18:00) not.
    assert row["sla_first_response"] == ratio(3, 4, "75.0")
    # Resolution due 24 working hours after received (R1: + its 5 waiting hours, Thu 16:00):
    # R1 Wed 11:00, R5 Thu 10:00 (due Thu 18:00), R6 Tue 12:00 (due Wed 10:00) met;
    # R2 Thu 17:00 after Wed 18:00 missed.
    assert row["sla_resolution"] == ratio(3, 4, "75.0")
    # First responded in the week, not cancelled (service hours): R1 1.5 h, R2 7 h, R4 1 h
    # (around the clock), R5 1 h, R6 Fri 10–22 + Sat 14 + Sun 14 + Mon 08–09 = 41 h; R3's
    # reply does not count (cancelled).
    assert row["first_response_time"] == {
        "requests": 5,
        "average_seconds": (5400 + 25200 + 3600 + 3600 + 147600) // 5,
    }
    # Working hours to resolution, less the wait for the customer: R1 Mon 7 + Tue 8 + Wed 2
    # = 17 h less 5 h waited (Mon 14–18, Tue 9–10) = 12 h; R2 Mon 8 + Tue 8 + Wed 8 + Thu 7
    # = 31 h (the day it stood resolved counts: the request was not done); R5 Tue 8 + Wed 8 +
    # Thu 1 = 17 h; R6 Fri 7 + Mon 8 + Tue 3 = 18 h.
    assert row["resolution_time"] == {
        "requests": 4,
        "average_seconds": (12 + 31 + 17 + 18) * 3600 // 4,
    }
    # Score answers in the week: 5, 4, 2 (R1) and 3 (R6); R2's on Mon 16 is after it.
    assert row["csat"] == {
        "answers": 4,
        "satisfied": 2,
        "percent": Decimal("50.0"),
        "mean_score": Decimal("3.50"),
    }
    # Open on Mon 16 12:00: R7 (12 h), R9 (12 h), R4 (5 days), R8 (imported, January).
    assert row["backlog"] == {
        "open": 4,
        "days_0_1": 2,
        "days_1_3": 0,
        "days_3_7": 1,
        "days_7_30": 0,
        "days_30_plus": 1,
    }


def test_by_team(week, team_a, team_b):
    rows = measures.compute(FROM, TO, group_by="team", now=NOW)
    assert [row["group"] for row in rows] == [
        {"key": team_a.pk, "label": "一线技术组"},
        {"key": team_b.pk, "label": "研发组"},
        {"key": None, "label": ""},  # not routed: R5, R7, R8
    ]
    a, b, none = rows
    # A: R1, R2, R4.
    assert (a["received"], a["cancelled"], a["resolved"]) == (3, 0, 2)
    assert a["resolution_rate"] == ratio(2, 3, "66.7")
    assert a["complaint_rate"] == ratio(1, 3, "33.3")
    assert a["first_time_fix_rate"] == ratio(1, 2, "50.0")
    assert a["reopen_rate"] == ratio(1, 2, "50.0")
    assert a["sla_first_response"] == ratio(2, 2, "100.0")
    assert a["sla_resolution"] == ratio(1, 2, "50.0")
    assert a["first_response_time"] == {"requests": 3, "average_seconds": 11400}
    assert a["resolution_time"] == {"requests": 2, "average_seconds": (12 + 31) * 3600 // 2}
    # 5, 4, 2: two of three satisfied; mean 11/3 = 3.666… → 3.67.
    assert a["csat"] == {
        "answers": 3,
        "satisfied": 2,
        "percent": Decimal("66.7"),
        "mean_score": Decimal("3.67"),
    }
    assert a["backlog"]["open"] == 1
    # B: R3 (cancelled), R6 (received before the week), R9 (after it).
    assert (b["received"], b["cancelled"], b["resolved"]) == (1, 1, 1)
    # Nothing received but cancelled: no rate, not 0.
    assert b["resolution_rate"] == ratio(0, 0, None)
    assert b["complaint_rate"] == ratio(0, 0, None)
    assert b["reopen_rate"] == ratio(0, 1, "0.0")
    assert b["sla_first_response"] == ratio(0, 1, "0.0")
    assert b["first_response_time"] == {"requests": 1, "average_seconds": 41 * 3600}
    assert b["csat"]["percent"] == Decimal("0.0")
    assert b["csat"]["mean_score"] == Decimal("3.00")
    assert b["backlog"]["days_0_1"] == 1
    # No team: R5 (imported, closed) and R7 received; R8 (imported) open for two months.
    assert (none["received"], none["resolved"]) == (2, 1)
    assert none["resolution_rate"] == ratio(1, 2, "50.0")
    assert none["csat"] == {"answers": 0, "satisfied": 0, "percent": None, "mean_score": None}
    assert none["backlog"]["days_30_plus"] == 1


@pytest.mark.parametrize("grouping", measures.GROUPINGS)
def test_every_grouping_adds_up_to_the_total(week, grouping):
    groups = measures.tallies(FROM, TO, group_by=grouping, now=NOW)
    assert measures.total_of(groups) == measures.compute(FROM, TO, now=NOW)[0]
    assert len(measures.rows_of(groups)) == len(groups)


def test_by_channel_person_and_region(week, technician, other_technician, customer_a):
    channels = by_key(measures.compute(FROM, TO, group_by="channel", now=NOW))
    assert {key: row["group"]["label"] for key, row in channels.items()} == {
        "dealer": "Dealer system",
        "email": "Email",
        "phone": "Hotline",
        "web": "Web portal",
    }
    assert channels["phone"]["received"] == 2  # R1, R3 (R6 before the week, R9 after)
    assert channels["phone"]["cancelled"] == 1
    assert channels["dealer"]["first_response_time"] == {"requests": 1, "average_seconds": 3600}

    people = by_key(measures.compute(FROM, TO, group_by="person", now=NOW))
    assert people[technician.pk]["group"]["label"] == "tech1"
    assert people[technician.pk]["resolved"] == 2  # R1, R2
    assert people[other_technician.pk]["resolved"] == 1  # R6
    assert people[None]["resolved"] == 1  # R5 was imported without an assignee

    regions = by_key(measures.compute(FROM, TO, group_by="region", now=NOW))
    assert regions["华东"]["received"] == 4  # R1, R2, R5, R7 (customer A)
    assert regions["华北"]["received"] == 2  # R3, R4

    customers = by_key(measures.compute(FROM, TO, group_by="customer", now=NOW))
    assert customers[customer_a.pk]["group"]["label"] == "张三"


def test_filters_and_a_supervisors_scope(week, team_a):
    (phone,) = measures.compute(FROM, TO, filters=Filters(channel="phone"), now=NOW)
    assert (phone["received"], phone["cancelled"], phone["resolved"]) == (2, 1, 2)  # R1, R6
    assert phone["first_response_time"] == {
        "requests": 2,
        "average_seconds": (5400 + 147600) // 2,
    }
    assert phone["backlog"]["open"] == 2  # R8, R9

    (mine,) = measures.compute(FROM, TO, teams=[team_a.pk], now=NOW)
    team = by_key(measures.compute(FROM, TO, group_by="team", now=NOW))[team_a.pk]
    assert {**mine, "group": None} == {**team, "group": None}
    (filtered,) = measures.compute(FROM, TO, filters=Filters(team=team_a.pk), now=NOW)
    assert filtered == mine
    (nothing,) = measures.compute(FROM, TO, teams=[], now=NOW)
    assert nothing["received"] == nothing["backlog"]["open"] == nothing["csat"]["answers"] == 0

    (complaints,) = measures.compute(FROM, TO, filters=Filters(kind="complaint"), now=NOW)
    assert complaints["complaint_rate"] == ratio(1, 1, "100.0")


def test_period_edges_are_days_in_the_service_time_zone(week):
    # Mon 16 00:00 Shanghai is still Sun 15 in UTC: R9 belongs to the 16th.
    (monday,) = measures.compute(datetime.date(2026, 3, 16), datetime.date(2026, 3, 16), now=NOW)
    assert monday["received"] == 1
    (sunday,) = measures.compute(TO, TO, now=NOW)
    assert sunday["received"] == 1  # R7 at 23:59
    (empty,) = measures.compute(datetime.date(2025, 1, 1), datetime.date(2025, 1, 31), now=NOW)
    assert empty["received"] == empty["resolved"] == 0
    assert empty["resolution_rate"]["percent"] is None
    assert empty["first_response_time"] == {"requests": 0, "average_seconds": None}
    assert empty["csat"]["mean_score"] is None
    # The backlog is counted now, whatever the period.
    assert empty["backlog"]["open"] == 4


def test_durations_are_the_slas_own_figures(week):
    """First response and resolution time per request are what the request's SLA block
    shows as used on its calendar (the pauses taken from the history)."""
    for name in ("r1", "r2", "r5", "r6"):
        request = week[name]
        block = deadlines.sla_block(request, now=NOW)
        clocks = measures._clocks()
        resolution = measures._used_seconds(
            clocks,
            request.resolution_calendar_id,
            request.received_at,
            request.resolved_at,
            request.paused_seconds,
        )
        first = measures._used_seconds(
            clocks,
            request.first_response_calendar_id,
            request.received_at,
            request.first_responded_at,
        )
        assert resolution == block["resolution"]["used_seconds"], name
        assert first == block["first_response"]["used_seconds"], name
    # R1's wait, from its history: Mon 14:00 – Tue 10:00 = 5 working hours.
    pauses = deadlines.pauses_of(week["r1"])
    assert pauses == [(local(2026, 3, 9, 14, 0), local(2026, 3, 10, 10, 0))]
    assert week["r1"].paused_seconds == 5 * 3600
    # R2's reopening is in its history, as counted.
    assert week["r2"].events.filter(action="reopen").count() == week["r2"].reopen_count == 1


def test_satisfaction_is_the_satisfaction_pages(week, team_a):
    start, end = measures.bounds(FROM, TO)
    page = surveys.summary(start=start, end=end)
    (row,) = measures.compute(FROM, TO, now=NOW)
    assert float(row["csat"]["percent"]) == page.csat
    assert float(row["csat"]["mean_score"]) == page.mean
    page_a = next(t for t in page.by_team if t["team_id"] == team_a.pk)
    mine_a = by_key(measures.compute(FROM, TO, group_by="team", now=NOW))[team_a.pk]
    assert float(mine_a["csat"]["percent"]) == page_a["csat"]
    assert float(mine_a["csat"]["mean_score"]) == page_a["mean"]


def test_daily_series(week):
    days = {day["day"]: day for day in measures.daily_series(FROM, TO)}
    assert list(days) == [FROM + datetime.timedelta(days=n) for n in range(7)]
    assert days[datetime.date(2026, 3, 9)]["by_channel"] == {"phone": 1, "web": 1}  # R1, R2
    assert days[datetime.date(2026, 3, 10)]["by_channel"] == {"dealer": 1, "phone": 1}  # R5, R3
    assert days[datetime.date(2026, 3, 10)]["received"] == 2
    assert days[datetime.date(2026, 3, 13)]["received"] == 0
    assert sum(day["received"] for day in days.values()) == 6
    # Resolved Tue 10: R6 (first response missed, resolution met).
    tuesday = days[datetime.date(2026, 3, 10)]
    assert tuesday["resolved"] == 1
    assert tuesday["sla_first_response"] == ratio(0, 1, "0.0")
    assert tuesday["sla_resolution"] == ratio(1, 1, "100.0")
    # Resolved Thu 12: R2 (resolution missed) and R5 (met).
    assert days[datetime.date(2026, 3, 12)]["sla_resolution"] == ratio(1, 2, "50.0")
    assert days[datetime.date(2026, 3, 13)]["sla_resolution"] == ratio(0, 0, None)
    assert days[datetime.date(2026, 3, 12)]["csat"]["mean_score"] == Decimal("3.67")
    assert days[datetime.date(2026, 3, 14)]["csat"]["percent"] == Decimal("0.0")
    assert days[datetime.date(2026, 3, 15)]["csat"]["answers"] == 0
    # The series and the total agree.
    (total,) = measures.compute(FROM, TO, now=NOW)
    assert (
        sum(d["sla_resolution"]["numerator"] for d in days.values())
        == (total["sla_resolution"]["numerator"])
    )
    assert sum(d["csat"]["answers"] for d in days.values()) == total["csat"]["answers"]
    (filtered,) = [
        d for d in measures.daily_series(FROM, TO, filters=Filters(channel="web")) if d["received"]
    ][:1]
    assert filtered["by_channel"] == {"web": 1}


def test_unknown_grouping_is_refused():
    with pytest.raises(ValueError, match="grouping"):
        measures.compute(FROM, TO, group_by="colour")


def _queries(call):
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


@pytest.mark.parametrize("grouping", [None, "team", "person", "region"])
def test_queries_do_not_grow_with_requests_or_groups(
    week, grouping, agent, time_machine, django_assert_max_num_queries, request
):
    rolled = request.node.callspec.params["week"] == "rollups"

    def run():
        measures.compute(FROM, TO, group_by=grouping, now=NOW)
        measures.daily_series(FROM, TO)

    few = _queries(run)
    time_machine.move_to(local(2026, 3, 13, 9, 0), tick=False)
    for n in range(12):
        team = Team.objects.create(name=f"新组{n}")
        customer = Customer.objects.create(
            name=f"客户{n}", phone=f"1370000{n:04d}", region=f"区{n}"
        )
        request = make_request(by=agent, customer=customer, team=team, channel="chat")
        if n % 2:
            move_to(request, "resolved", by=agent, assignee=agent)
    # The rollups' day list, the requests' and answers' tables, the calendars, the
    # durations: a handful of queries for compute, four for the series, whatever the size;
    # read from the rollups, the changed day is read from the requests as well (and the
    # rollups' stale marks, the calendars and the rollups themselves) until it is rebuilt.
    with django_assert_max_num_queries(19 if rolled else 12):
        run()
    if rolled:
        rollups.refresh()
    with django_assert_max_num_queries(few):
        run()
