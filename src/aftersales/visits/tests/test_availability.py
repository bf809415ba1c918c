"""A technician's calendar from the database: their team's working hours, leave, visits."""

import datetime

from aftersales.accounts.models import Team
from aftersales.sla.models import Calendar, CalendarPeriod
from aftersales.visits import availability, services
from aftersales.visits.models import TeamSchedule
from aftersales.visits.tests.factories import MONDAY, book, local

H = datetime.timedelta(hours=1)


def hm(intervals):
    return [(f"{s:%H:%M}", f"{e:%H:%M}") for s, e in intervals]


def test_without_a_team_schedule_the_shipped_working_hours_apply(db, technician):
    calendar = availability.calendar_for(technician)
    assert calendar.name == "工作时间"
    assert hm(availability.working_intervals(calendar, MONDAY)) == [
        ("09:00", "12:00"),
        ("13:00", "18:00"),
    ]
    assert availability.working_intervals(calendar, MONDAY + datetime.timedelta(days=5)) == []


def test_the_first_team_with_a_schedule_gives_the_calendar(db, technician, team_a):
    field = Calendar.objects.create(name="上门服务时间", time_zone="Asia/Shanghai")
    for weekday in range(7):
        CalendarPeriod.objects.create(
            calendar=field, weekday=weekday, start=datetime.time(8), end=datetime.time(20)
        )
    later_team = Team.objects.create(name="夜班组")
    technician.teams.add(later_team)
    TeamSchedule.objects.create(team=later_team, calendar=Calendar.objects.get(name="服务时间"))
    TeamSchedule.objects.create(team=team_a, calendar=field)
    assert availability.calendar_for(technician) == field
    saturday = MONDAY + datetime.timedelta(days=5)
    assert hm(availability.working_intervals(field, saturday)) == [("08:00", "20:00")]


def test_free_time_leaves_out_visits_and_leave(sr, agent, technician, admin_user):
    book(sr, by=agent, technicians=[technician], start=(10, 0), end=(11, 30))
    services.leave_add(
        technician=technician, start=local(MONDAY, 15), end=local(MONDAY, 16), by=admin_user
    )
    free = availability.free_time([technician], MONDAY, length=2 * H)
    assert hm(free.working) == [("09:00", "12:00"), ("13:00", "18:00")]
    assert hm(free.free) == [
        ("09:00", "10:00"),
        ("11:30", "12:00"),
        ("13:00", "15:00"),
        ("16:00", "18:00"),
    ]
    assert hm(free.suggested) == [("13:00", "15:00"), ("16:00", "18:00")]
    assert free.time_zone == "Asia/Shanghai"


def test_free_time_starts_now_on_the_day_itself(now, technician, time_machine):
    time_machine.move_to(local(MONDAY, 14, 10), tick=False)
    free = availability.free_time([technician], MONDAY, length=H, now=local(MONDAY, 14, 10))
    assert hm(free.suggested)[0] == ("14:30", "15:30")


def test_two_technicians_are_offered_the_time_both_are_free(
    sr, second_sr, agent, technician, supervisor
):
    book(sr, by=agent, technicians=[technician], start=(9, 0), end=(11, 0))
    book(second_sr, by=agent, technicians=[supervisor], start=(13, 0), end=(16, 0))
    free = availability.free_time([technician, supervisor], MONDAY, length=H)
    assert hm(free.free) == [("11:00", "12:00"), ("16:00", "18:00")]


def test_a_window_inside_working_hours_is_checked_with_the_calendar(db, technician):
    calendar = availability.calendar_for(technician)
    assert availability.within_working_hours(calendar, local(MONDAY, 9), local(MONDAY, 12))
    assert not availability.within_working_hours(calendar, local(MONDAY, 11), local(MONDAY, 13))
    assert availability.within_working_hours(None, local(MONDAY, 1), local(MONDAY, 2))
