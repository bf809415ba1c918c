"""Repeat repairs (SPEC §2.6, §5): a request reopened, or a unit back within N calendar days
of another request's resolution."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from aftersales.repair_records import selectors
from aftersales.service_requests import services as requests
from aftersales.service_requests.models import ServiceRequest
from aftersales.service_requests.tests.factories import make_request, move_to

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: str, clock: str = "12:00") -> datetime.datetime:
    return datetime.datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=SHANGHAI)


@pytest.fixture
def first(agent, technician, customer_a, team_a, unit):
    request = make_request(
        by=agent,
        customer=customer_a,
        team=team_a,
        unit=unit,
        received_at=at("2026-02-20"),
    )
    request = move_to(request, "closed", by=agent, assignee=technician)
    ServiceRequest.objects.filter(pk=request.pk).update(resolved_at=at("2026-03-01", "08:00"))
    return request


def again(agent, customer, unit, received_at, **extra) -> ServiceRequest:
    return make_request(by=agent, customer=customer, unit=unit, received_at=received_at, **extra)


@pytest.mark.parametrize(
    ("received", "repeat"),
    [
        (at("2026-03-01", "09:00"), True),  # the same day, after the resolution
        (at("2026-05-30", "23:59"), True),  # 90 calendar days later (more than 90 × 24 h)
        (at("2026-05-31", "00:01"), False),  # day 91
    ],
)
def test_a_unit_back_within_the_window_is_a_repeat(
    first, agent, customer_a, unit, received, repeat
):
    later = again(agent, customer_a, unit, received)
    info = selectors.repeat_info(later)
    assert info.is_repeat is repeat
    assert info.earlier == ([first] if repeat else [])
    assert selectors.repeat_flags([later])[later.pk].is_repeat is repeat


def test_the_window_is_configurable(first, agent, customer_a, unit, settings):
    later = again(agent, customer_a, unit, at("2026-03-20"))
    settings.REPEAT_REPAIR_DAYS = 10
    assert not selectors.repeat_info(later).is_repeat
    settings.REPEAT_REPAIR_DAYS = 19
    assert selectors.repeat_info(later).is_repeat


def test_a_resolution_after_the_new_request_came_in_does_not_count(first, agent, customer_a, unit):
    earlier_arrival = again(agent, customer_a, unit, at("2026-02-25"))
    assert not selectors.repeat_info(earlier_arrival).is_repeat


def test_another_units_requests_and_unresolved_ones_do_not_count(
    first, agent, technician, customer_a, product, team_a
):
    from aftersales.catalog.models import Unit

    other_unit = Unit.objects.create(product=product, customer=customer_a, serial_number="SN-2")
    assert not selectors.repeat_info(
        again(agent, customer_a, other_unit, at("2026-03-02"))
    ).is_repeat
    # A request of the unit that was cancelled, or is still open, was never resolved.
    open_one = again(agent, customer_a, first.unit, at("2026-03-03"))
    assert selectors.repeat_info(open_one).is_repeat  # because of `first`
    no_unit = again(agent, customer_a, None, at("2026-03-04"))
    assert not selectors.repeat_info(no_unit).is_repeat


def test_a_reopened_request_is_a_repeat(sr, agent, technician):
    assert not selectors.repeat_info(sr).is_repeat
    resolved = requests.service_request_act(sr, "resolve", by=technician, data={"resolution": "好"})
    reopened = requests.service_request_act(resolved, "reopen", by=agent, data={"reason": "又坏了"})
    info = selectors.repeat_info(reopened)
    assert info.is_repeat
    assert info.reopened == 1


def test_a_units_summary_counts_its_repeats_and_reopens(first, agent, technician, customer_a, unit):
    second = again(agent, customer_a, unit, at("2026-03-10"))
    second = move_to(second, "reopened", by=agent, assignee=technician)
    third = again(agent, customer_a, unit, at("2026-12-01"))
    summary = selectors.unit_repeat_summary(unit)
    assert (summary.requests, summary.repeats, summary.reopens) == (3, 1, 1)
    flags = selectors.repeat_flags(ServiceRequest.objects.filter(unit=unit))
    assert {pk for pk, info in flags.items() if info.is_repeat} == {second.pk}
    assert not flags[third.pk].is_repeat


def test_bulk_flags_take_one_query_for_the_units(
    first, agent, customer_a, unit, django_assert_num_queries
):
    rows = [again(agent, customer_a, unit, at(f"2026-03-{day:02d}")) for day in (2, 3, 4)]
    with django_assert_num_queries(1):
        flags = selectors.repeat_flags(rows)
    assert all(flags[r.pk].is_repeat for r in rows)
