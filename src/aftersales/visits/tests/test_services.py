"""Booking, moving, cancelling and working visits: the rules, the request's lifecycle and
history, no double booking, working hours and leave."""

import datetime

import pytest

from aftersales.accounts.models import User
from aftersales.core.errors import Conflict, DomainError, InvalidTransition, NotAllowed
from aftersales.notifications.models import Notification, OutboxMessage
from aftersales.service_requests import services as request_services
from aftersales.service_requests.models import Participant, ServiceRequest, ServiceRequestEvent
from aftersales.service_requests.tests.factories import followup_done, make_request, move_to
from aftersales.sla.models import Calendar
from aftersales.visits import services
from aftersales.visits.models import Leave, TeamSchedule, Visit, VisitTechnician
from aftersales.visits.tests.factories import MONDAY, book, local, window

S = ServiceRequest.Status
V = Visit.Status
SATURDAY = MONDAY + datetime.timedelta(days=5)
TUESDAY = MONDAY + datetime.timedelta(days=1)


def visit_events(request: ServiceRequest) -> list[ServiceRequestEvent]:
    return list(request.events.filter(action__startswith="visit.").order_by("id"))


# --- Booking ---------------------------------------------------------------------------------


def test_booking_schedules_the_request_and_writes_the_history(sr, agent, technician):
    visit = book(sr, by=agent, technicians=[technician], notes="带梯子")

    assert visit.status == V.BOOKED
    assert visit.address == sr.address  # the request's address by default
    assert visit.booked_by == agent and not visit.outside_hours
    (booking,) = visit.bookings.all()
    assert (booking.technician, booking.active) == (technician, True)
    assert (booking.window_start, booking.window_end) == (visit.window_start, visit.window_end)

    sr.refresh_from_db()
    assert sr.status == S.SCHEDULED
    assert sr.scheduled_for == visit.window_start
    schedule = sr.events.get(action="schedule")
    assert schedule.changes["scheduled_for"] == visit.window_start.isoformat()
    (event,) = visit_events(sr)
    assert event.kind == ServiceRequestEvent.Kind.UPDATED and event.is_internal
    assert event.action == "visit.booked" and event.actor == agent
    assert "10:00–12:00" in event.note and technician.display_name in event.note


def test_a_request_not_being_worked_keeps_its_state_and_gets_the_visit_time(
    now, agent, technician, customer_a
):
    request = make_request(by=agent, customer=customer_a)
    visit = book(request, by=agent, technicians=[technician])
    request.refresh_from_db()
    assert request.status == S.NEW
    assert request.scheduled_for == visit.window_start
    (event,) = visit_events(request)
    old, new = event.changes["scheduled_for"]
    assert old is None and datetime.datetime.fromisoformat(new) == visit.window_start


def test_a_closed_request_gets_no_visit(sr, agent, technician):
    request_services.service_request_act(sr, "cancel", by=agent, data={"reason": "重复报修"})
    sr.refresh_from_db()
    with pytest.raises(InvalidTransition):
        book(sr, by=agent, technicians=[technician])
    assert not Visit.objects.exists()


@pytest.mark.parametrize("role", ["technician", "analyst", "customer_user", "other_technician"])
def test_only_dispatchers_book(sr, request, role, technician):
    with pytest.raises(NotAllowed):
        book(sr, by=request.getfixturevalue(role), technicians=[technician])
    assert not Visit.objects.exists()


def test_a_supervisor_books_for_their_team(sr, supervisor, technician):
    assert book(sr, by=supervisor, technicians=[technician]).status == V.BOOKED


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ((12, 0), (10, 0), "window_end"),
        ((10, 0), (10, 0), "window_end"),
        ((6, 0), (19, 0), "window_end"),  # longer than 12 hours
    ],
)
def test_a_window_must_make_sense(sr, agent, technician, start, end, field):
    with pytest.raises(DomainError) as refused:
        book(sr, by=agent, technicians=[technician], start=start, end=end, outside_hours=True)
    assert field in refused.value.fields


def test_a_visit_cannot_start_in_the_past(sr, agent, technician, time_machine):
    time_machine.move_to(local(MONDAY, 10, 30), tick=False)
    with pytest.raises(DomainError) as refused:
        book(sr, by=agent, technicians=[technician])
    assert "window_start" in refused.value.fields


def test_a_visit_needs_a_technician_who_can_work(sr, agent, department):
    with pytest.raises(DomainError) as refused:
        book(sr, by=agent, technicians=[])
    assert "technicians" in refused.value.fields
    with pytest.raises(DomainError) as refused:
        book(sr, by=agent, technicians=[department])
    assert "technicians" in refused.value.fields


def test_a_technician_of_another_team_joins_the_task_force(sr, agent, technician, other_technician):
    visit = book(sr, by=agent, technicians=[technician, other_technician])
    assert [p.technician for p in visit.bookings.order_by("id")] == [technician, other_technician]
    assert Participant.objects.filter(request=sr, user=other_technician).exists()
    assert not Participant.objects.filter(request=sr, user=technician).exists()  # the assignee


# --- No double booking -----------------------------------------------------------------------


def test_touching_windows_are_allowed(sr, second_sr, agent, technician):
    book(sr, by=agent, technicians=[technician], start=(10, 0), end=(12, 0))
    later = book(second_sr, by=agent, technicians=[technician], start=(13, 0), end=(15, 0))
    book(sr, by=agent, technicians=[technician], start=(15, 0), end=(16, 0))
    assert later.status == V.BOOKED
    assert VisitTechnician.objects.filter(technician=technician, active=True).count() == 3


def test_touching_windows_without_a_break_are_allowed(sr, second_sr, agent, technician):
    book(sr, by=agent, technicians=[technician], start=(10, 0), end=(12, 0), outside_hours=True)
    book(
        second_sr,
        by=agent,
        technicians=[technician],
        start=(12, 0),
        end=(14, 0),
        outside_hours=True,
    )
    assert Visit.objects.filter(status=V.BOOKED).count() == 2


def test_an_overlapping_window_is_refused_naming_the_technician_and_the_visit(
    sr, second_sr, agent, technician
):
    first = book(sr, by=agent, technicians=[technician], start=(10, 0), end=(12, 0))
    with pytest.raises(Conflict) as refused:
        book(second_sr, by=agent, technicians=[technician], start=(11, 0), end=(12, 0))
    conflict = refused.value
    assert technician.display_name in conflict.message
    assert str(first.pk) in conflict.message and sr.number in conflict.message
    assert conflict.fields["technicians"] == [conflict.message]
    assert conflict.extra == {"technician": technician.username, "visit": first.pk}
    assert Visit.objects.count() == 1
    second_sr.refresh_from_db()
    assert second_sr.status == S.ASSIGNED  # nothing of the refused booking stays


def test_the_clashing_request_is_not_named_to_who_cannot_see_it(
    sr, agent, technician, supervisor, team_b, customer_b
):
    other = make_request(by=agent, customer=customer_b, team=team_b)
    book(other, by=agent, technicians=[technician], outside_hours=True)
    with pytest.raises(Conflict) as refused:
        book(sr, by=supervisor, technicians=[technician])
    assert other.number not in refused.value.message


def test_other_technicians_may_overlap(sr, second_sr, agent, technician, supervisor):
    book(sr, by=agent, technicians=[technician])
    assert book(second_sr, by=agent, technicians=[supervisor]).status == V.BOOKED


@pytest.mark.parametrize("ending", ["cancel", "no_one_home", "finish", "reschedule"])
def test_a_visit_that_ended_frees_the_slot(sr, second_sr, agent, technician, ending):
    visit = book(sr, by=agent, technicians=[technician])
    if ending == "cancel":
        services.visit_cancel(visit, by=agent, reason="客户改约")
    elif ending == "no_one_home":
        services.visit_no_one_home(visit, by=technician, note="敲门无人应答，电话未接")
    elif ending == "finish":
        services.visit_finish(visit, by=technician)
    else:
        services.visit_reschedule(
            visit,
            by=agent,
            reason="客户改约",
            window_start=window(TUESDAY)[0],
            window_end=window(TUESDAY)[1],
        )
    assert not VisitTechnician.objects.filter(visit=visit, active=True).exists()
    assert book(second_sr, by=agent, technicians=[technician]).status == V.BOOKED


# --- Working hours and leave ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "start", "end"),
    [
        (MONDAY, (11, 0), (13, 0)),  # over the lunch break
        (MONDAY, (17, 0), (19, 0)),  # past the end of the day
        (SATURDAY, (10, 0), (12, 0)),  # weekend
    ],
)
def test_outside_working_hours_is_refused_naming_window_start(
    sr, agent, technician, day, start, end
):
    with pytest.raises(DomainError) as refused:
        book(sr, by=agent, technicians=[technician], day=day, start=start, end=end)
    assert list(refused.value.fields) == ["window_start"]
    assert technician.display_name in refused.value.message
    assert "工作时间" in refused.value.message


def test_the_dispatcher_may_book_outside_working_hours_on_purpose(sr, agent, technician):
    visit = book(sr, by=agent, technicians=[technician], day=SATURDAY, outside_hours=True)
    assert visit.outside_hours
    assert "outside working hours" in visit_events(sr)[0].note


def test_a_team_schedule_gives_the_working_hours(sr, agent, technician, team_a):
    TeamSchedule.objects.create(team=team_a, calendar=Calendar.objects.get(name="服务时间"))
    visit = book(sr, by=agent, technicians=[technician], day=SATURDAY, start=(19, 0), end=(21, 0))
    assert not visit.outside_hours


def test_leave_is_refused_naming_window_start_unless_overridden(sr, agent, technician, admin_user):
    services.leave_add(
        technician=technician,
        start=local(MONDAY, 13, 0),
        end=local(TUESDAY, 0, 0),
        reason="培训",
        by=admin_user,
    )
    with pytest.raises(DomainError) as refused:
        book(sr, by=agent, technicians=[technician], start=(14, 0), end=(16, 0))
    assert list(refused.value.fields) == ["window_start"]
    assert "leave" in refused.value.message
    assert book(sr, by=agent, technicians=[technician], start=(10, 0), end=(12, 0))
    visit = book(
        sr, by=agent, technicians=[technician], start=(14, 0), end=(16, 0), outside_hours=True
    )
    assert visit.outside_hours


def test_leave_is_entered_by_admins_and_the_technicians_supervisors(
    now, technician, supervisor, agent, other_technician, admin_user, team_b
):
    start, end = local(TUESDAY, 9), local(TUESDAY, 18)
    assert services.leave_add(technician=technician, start=start, end=end, by=supervisor)
    assert services.leave_add(technician=other_technician, start=start, end=end, by=admin_user)
    for who, whom in [
        (supervisor, other_technician),
        (agent, technician),
        (technician, technician),
    ]:
        with pytest.raises(NotAllowed):
            services.leave_add(technician=whom, start=start, end=end, by=who)
    with pytest.raises(DomainError) as refused:
        services.leave_add(technician=technician, start=end, end=start, by=supervisor)
    assert "end" in refused.value.fields
    leave = Leave.objects.filter(technician=technician).get()
    with pytest.raises(NotAllowed):
        services.leave_delete(leave, by=agent)
    services.leave_delete(leave, by=supervisor)
    assert not Leave.objects.filter(technician=technician).exists()


def test_leave_lists_the_visits_booked_in_it(sr, agent, technician, admin_user):
    visit = book(sr, by=agent, technicians=[technician])
    leave = services.leave_add(
        technician=technician, start=local(MONDAY, 0), end=local(TUESDAY, 0), by=admin_user
    )
    assert services.leave_clashes(leave) == [visit.pk]


# --- Rescheduling and cancelling --------------------------------------------------------------


def test_rescheduling_keeps_the_old_visit_linked_with_the_reason(sr, agent, technician):
    old = book(sr, by=agent, technicians=[technician])
    new = services.visit_reschedule(
        old,
        by=agent,
        reason="客户周一加班",
        window_start=local(TUESDAY, 14),
        window_end=local(TUESDAY, 16),
    )
    old.refresh_from_db()
    assert old.status == V.RESCHEDULED and old.reason == "客户周一加班"
    assert old.rescheduled_to == new and new.rescheduled_from == old
    assert old.ended_by == agent
    assert new.status == V.BOOKED
    assert list(new.technicians.all()) == [technician]
    assert new.address == old.address
    sr.refresh_from_db()
    assert sr.status == S.SCHEDULED and sr.scheduled_for == local(TUESDAY, 14)
    event = visit_events(sr)[-1]
    assert event.action == "visit.rescheduled" and "客户周一加班" in event.note
    before, after = (datetime.datetime.fromisoformat(v) for v in event.changes["scheduled_for"])
    assert (before, after) == (local(MONDAY, 10), local(TUESDAY, 14))


def test_a_visit_can_move_by_an_hour_over_its_own_window(sr, agent, technician):
    old = book(sr, by=agent, technicians=[technician], start=(9, 0), end=(11, 0))
    new = services.visit_reschedule(
        old,
        by=agent,
        reason="晚一小时",
        window_start=local(MONDAY, 10),
        window_end=local(MONDAY, 12),
    )
    assert new.status == V.BOOKED


def test_rescheduling_needs_a_reason_and_a_free_window(sr, second_sr, agent, technician):
    old = book(sr, by=agent, technicians=[technician])
    book(second_sr, by=agent, technicians=[technician], day=TUESDAY)
    with pytest.raises(DomainError) as refused:
        services.visit_reschedule(
            old,
            by=agent,
            reason=" ",
            window_start=local(TUESDAY, 14),
            window_end=local(TUESDAY, 16),
        )
    assert "reason" in refused.value.fields
    with pytest.raises(Conflict):
        services.visit_reschedule(
            old,
            by=agent,
            reason="改期",
            window_start=local(TUESDAY, 11),
            window_end=local(TUESDAY, 12),
        )
    old.refresh_from_db()
    assert old.status == V.BOOKED  # the refused move changed nothing
    assert old.bookings.get().active


def test_rescheduling_may_change_the_technicians(sr, agent, technician, supervisor):
    old = book(sr, by=agent, technicians=[technician])
    new = services.visit_reschedule(
        old,
        by=agent,
        reason="换人",
        technicians=[supervisor],
        window_start=local(TUESDAY, 9),
        window_end=local(TUESDAY, 11),
    )
    assert list(new.technicians.all()) == [supervisor]
    assert Notification.objects.filter(recipient=technician, key=f"visit:{old.pk}:removed").exists()


def test_cancelling_needs_a_reason_and_brings_the_request_back_to_work(sr, agent, technician):
    visit = book(sr, by=agent, technicians=[technician])
    with pytest.raises(DomainError) as refused:
        services.visit_cancel(visit, by=agent, reason="")
    assert "reason" in refused.value.fields
    services.visit_cancel(visit, by=agent, reason="客户已自行解决")
    visit.refresh_from_db()
    assert visit.status == V.CANCELLED and visit.reason == "客户已自行解决"
    sr.refresh_from_db()
    assert sr.status == S.IN_PROGRESS
    assert sr.scheduled_for is None
    assert visit_events(sr)[-1].action == "visit.cancelled"
    with pytest.raises(InvalidTransition):
        services.visit_cancel(visit, by=agent, reason="再次取消")


def test_cancelling_one_of_two_visits_moves_the_visit_time_to_the_other(sr, agent, technician):
    first = book(sr, by=agent, technicians=[technician])
    second = book(sr, by=agent, technicians=[technician], day=TUESDAY)
    services.visit_cancel(first, by=agent, reason="合并到周二")
    sr.refresh_from_db()
    assert sr.status == S.SCHEDULED
    assert sr.scheduled_for == second.window_start


def test_only_dispatchers_move_or_cancel(sr, agent, technician):
    visit = book(sr, by=agent, technicians=[technician])
    with pytest.raises(NotAllowed):
        services.visit_cancel(visit, by=technician, reason="我有事")
    with pytest.raises(NotAllowed):
        services.visit_reschedule(
            visit,
            by=technician,
            reason="我有事",
            window_start=local(TUESDAY, 9),
            window_end=local(TUESDAY, 11),
        )


# --- The technician's steps -------------------------------------------------------------------


def test_setting_off_and_arriving_start_the_request(sr, agent, technician):
    visit = book(sr, by=agent, technicians=[technician])
    visit = services.visit_start(visit, by=technician)
    assert visit.status == V.EN_ROUTE and visit.en_route_at is not None
    sr.refresh_from_db()
    assert sr.status == S.IN_PROGRESS
    assert sr.events.filter(action="start", actor=technician).count() == 1
    visit = services.visit_start(visit, by=technician, on_site=True)
    assert visit.status == V.IN_PROGRESS and visit.arrived_at is not None
    with pytest.raises(InvalidTransition):
        services.visit_start(visit, by=technician)
    actions = [e.action for e in visit_events(sr)]
    assert actions == ["visit.booked", "visit.en_route", "visit.arrived"]


def test_only_the_visits_technicians_work_it(sr, agent, technician, supervisor):
    visit = book(sr, by=agent, technicians=[technician])
    for who in (agent, supervisor):
        with pytest.raises(NotAllowed):
            services.visit_start(visit, by=who)
        with pytest.raises(NotAllowed):
            services.visit_finish(visit, by=who)
        with pytest.raises(NotAllowed):
            services.visit_no_one_home(visit, by=who, note="无人")


def test_work_is_recorded_as_an_internal_note(sr, agent, technician):
    visit = book(sr, by=agent, technicians=[technician])
    services.visit_start(visit, by=technician, on_site=True)
    comment = services.visit_work_record(visit, by=technician, body="更换启动电容，试机正常")
    assert comment.is_internal and comment.request_id == sr.pk and comment.author == technician
    with pytest.raises(DomainError) as refused:
        services.visit_work_record(visit, by=technician, body="  ")
    assert "body" in refused.value.fields


def test_no_one_home_is_recorded_and_a_new_visit_can_be_booked(sr, agent, technician, time_machine):
    visit = book(sr, by=agent, technicians=[technician])
    time_machine.move_to(local(MONDAY, 10, 20), tick=False)
    with pytest.raises(DomainError) as refused:
        services.visit_no_one_home(visit, by=technician, note="")
    assert "note" in refused.value.fields
    visit = services.visit_no_one_home(
        visit, by=technician, note="敲门无人，电话未接，等候 20 分钟"
    )
    assert visit.status == V.NO_ONE_HOME
    assert visit.ended_at == local(MONDAY, 10, 20) and visit.ended_by == technician
    assert visit.reason.startswith("敲门无人")
    sr.refresh_from_db()
    assert sr.status == S.IN_PROGRESS and sr.scheduled_for is None
    event = visit_events(sr)[-1]
    assert event.action == "visit.no_one_home" and "10:20" in event.note
    assert Notification.objects.filter(
        recipient=agent, key=f"visit:{visit.pk}:no_one_home"
    ).exists()
    again = book(sr, by=agent, technicians=[technician], day=TUESDAY)
    sr.refresh_from_db()
    assert sr.status == S.SCHEDULED and sr.scheduled_for == again.window_start


def test_finishing_leaves_the_request_in_progress_to_be_resolved(sr, agent, technician):
    visit = book(sr, by=agent, technicians=[technician])
    visit = services.visit_finish(visit, by=technician, summary="已更换电容")
    assert visit.status == V.DONE and visit.summary == "已更换电容"
    sr.refresh_from_db()
    assert sr.status == S.IN_PROGRESS  # started, since it was waiting for this visit
    assert visit_events(sr)[-1].action == "visit.done"
    with pytest.raises(InvalidTransition):
        services.visit_finish(visit, by=technician)
    with pytest.raises(InvalidTransition):
        services.visit_cancel(visit, by=agent, reason="太晚了")


def test_available_actions_follow_the_state_and_the_person(sr, agent, technician):
    visit = book(sr, by=agent, technicians=[technician])
    assert services.available_actions(visit, agent) == ["reschedule", "cancel"]
    assert services.available_actions(visit, technician) == [
        "start",
        "arrive",
        "record",
        "no_one_home",
        "finish",
    ]
    visit = services.visit_start(visit, by=technician, on_site=True)
    assert services.available_actions(visit, agent) == []
    assert services.available_actions(visit, technician) == ["record", "no_one_home", "finish"]


def test_the_request_may_be_resolved_after_the_visit(sr, agent, technician):
    visit = book(sr, by=agent, technicians=[technician])
    services.visit_finish(visit, by=technician)
    sr.refresh_from_db()
    resolved = request_services.service_request_act(
        sr, "resolve", by=technician, data={"resolution": "更换电容后恢复正常"}
    )
    assert resolved.status == S.RESOLVED


def test_a_scheduled_request_from_before_visits_is_booked_too(now, agent, technician, customer_a):
    request = move_to(
        make_request(by=agent, customer=customer_a), "scheduled", by=agent, assignee=technician
    )
    visit = book(request, by=agent, technicians=[technician], day=TUESDAY)
    request.refresh_from_db()
    assert request.status == S.SCHEDULED and request.scheduled_for == visit.window_start


# --- Telling people ---------------------------------------------------------------------------


def test_the_customer_is_mailed_once_per_change_in_their_language(
    sr, agent, technician, customer_a
):
    visit = book(sr, by=agent, technicians=[technician])
    mail = OutboxMessage.objects.get(key=f"visit:{visit.pk}:booked")
    assert mail.to_address == sr.contact_email == "zhang@example.com"
    assert sr.number in mail.subject and "10:00–12:00" in mail.subject
    assert "地址" in mail.body  # Chinese: the customer's language is not known
    assert f"/portal/track/?number={sr.number}" in mail.body
    # Noticing the same change again writes nothing new.
    from aftersales.visits import notices

    notices.customer_mail("booked", visit)
    assert OutboxMessage.objects.filter(key=f"visit:{visit.pk}:booked").count() == 1

    customer_a.language = "en"
    customer_a.save()
    new = services.visit_reschedule(
        visit,
        by=agent,
        reason="改期",
        window_start=local(TUESDAY, 9),
        window_end=local(TUESDAY, 11),
    )
    moved = OutboxMessage.objects.get(key=f"visit:{visit.pk}:rescheduled")
    assert "Address" in moved.body and "09:00–11:00" in moved.body and "10:00–12:00" in moved.body
    assert "改期" not in moved.body  # the reason is the staff's
    services.visit_cancel(new, by=agent, reason="客户取消")
    cancelled = OutboxMessage.objects.get(key=f"visit:{new.pk}:cancelled")
    assert "cancelled" in cancelled.subject and "客户取消" not in cancelled.body
    assert (
        OutboxMessage.objects.filter(reference=sr.number, event__startswith="visit_").count() == 3
    )


def test_without_an_email_the_customer_gets_a_text_message(now, agent, technician, customer_a):
    customer_a.email = ""
    customer_a.save()
    request = make_request(by=agent, customer=customer_a, contact_email="")
    visit = book(request, by=agent, technicians=[technician])
    (text,) = OutboxMessage.objects.filter(key__startswith=f"visit:{visit.pk}:booked")
    assert text.channel == "sms" and text.to_address == customer_a.phone
    assert request.number in text.body


def test_no_message_without_any_address(now, agent, technician, customer_a):
    customer_a.email = customer_a.phone = ""
    customer_a.save()
    request = make_request(by=agent, customer=customer_a, contact_email="", contact_phone="")
    book(request, by=agent, technicians=[technician])
    assert not OutboxMessage.objects.filter(event__startswith="visit_").exists()


def test_the_technicians_are_told_in_the_app(sr, agent, technician, other_technician):
    visit = book(sr, by=agent, technicians=[technician, other_technician])
    for person in (technician, other_technician):
        note = Notification.objects.get(recipient=person, key=f"visit:{visit.pk}:booked")
        assert sr.number in note.title and note.url == f"/{sr.number}/"
    assert not Notification.objects.filter(recipient=agent).exists()
    services.visit_cancel(visit, by=agent, reason="取消")
    assert Notification.objects.filter(key=f"visit:{visit.pk}:cancelled").count() == 2


def test_a_changed_contact_time_zone_does_not_change_the_mail(sr, agent, technician, settings):
    settings.SERVICE_TIME_ZONE = "Asia/Shanghai"
    visit = book(sr, by=agent, technicians=[technician], start=(14, 0), end=(16, 0))
    assert "14:00–16:00" in OutboxMessage.objects.get(key=f"visit:{visit.pk}:booked").body


def test_technician_accounts_that_left_are_not_booked(sr, agent, technician):
    technician.is_active = False
    technician.save()
    with pytest.raises(DomainError):
        book(sr, by=agent, technicians=[User.objects.get(pk=technician.pk)])


def test_a_request_with_another_visit_booked_waits_for_it(sr, agent, technician):
    today = book(sr, by=agent, technicians=[technician])
    tomorrow = book(sr, by=agent, technicians=[technician], day=TUESDAY)
    services.visit_start(today, by=technician, on_site=True)
    sr.refresh_from_db()
    assert sr.status == S.IN_PROGRESS
    services.visit_finish(today, by=technician, summary="需要订配件，明天再来")
    sr.refresh_from_db()
    assert sr.status == S.SCHEDULED and sr.scheduled_for == tomorrow.window_start


@pytest.mark.parametrize("path", ["cancel", "close"])
def test_a_cancelled_or_closed_request_keeps_no_visit_booked(sr, agent, technician, path):
    visit = book(sr, by=agent, technicians=[technician])
    done = book(sr, by=agent, technicians=[technician], day=TUESDAY)
    services.visit_finish(done, by=technician)
    if path == "cancel":
        request_services.service_request_act(sr, "cancel", by=agent, data={"reason": "客户撤回"})
    else:
        sr.refresh_from_db()
        sr = request_services.service_request_act(
            sr, "resolve", by=technician, data={"resolution": "远程指导解决"}
        )
        followup_done(sr, by=agent)  # closing waits for the follow-up visit
        request_services.service_request_act(sr, "close", by=agent)
    visit.refresh_from_db()
    assert visit.status == V.CANCELLED and visit.ended_by is None
    assert not visit.bookings.filter(active=True).exists()
    done.refresh_from_db()
    assert done.status == V.DONE
    assert Notification.objects.filter(
        recipient=technician, key=f"visit:{visit.pk}:cancelled"
    ).exists()
    assert visit_events(sr)[-1].action == "visit.cancelled"
