"""SLA announcements by mail: written with the event, sent after commit, in the reader's
language and time zone, once per deadline."""

import datetime
import zoneinfo

import pytest

from aftersales.notifications.models import OutboxMessage
from aftersales.service_requests import services
from aftersales.service_requests.sla_sweep import sla_sweep
from aftersales.service_requests.tests.factories import make_request

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def local(*args):
    return datetime.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def urgent(agent, technician, supervisor, team_a, customer_a, time_machine):
    technician.email, technician.language = "tech1@example.com", "zh-hans"
    technician.save()
    supervisor.email, supervisor.language, supervisor.time_zone = (
        "lead1@example.com",
        "en",
        "Europe/Berlin",
    )
    supervisor.save()
    team_a.supervisor = supervisor
    team_a.save()
    time_machine.move_to(local(2026, 11, 2, 10, 0), tick=False)
    request = make_request(by=agent, customer=customer_a, impact="high", urgency="high")
    return services.service_request_act(request, "assign", by=agent, data={"assignee": technician})


def test_owner_and_supervisor_get_mail_in_their_own_language_and_zone(
    urgent, smtp_sink, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(local(2026, 11, 2, 10, 46), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert sla_sweep() == 1  # first response at risk: to the assignee
    [warning] = smtp_sink.to("tech1@example.com")
    assert warning["Subject"].strip() == f"{urgent.number}：首次响应即将超时"
    assert "2026-11-02 11:00 (Asia/Shanghai)" in warning.get_content()
    assert f"http://127.0.0.1:8000/{urgent.number}/" in warning.get_content()

    time_machine.move_to(local(2026, 11, 2, 11, 1), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert sla_sweep() == 1  # first response missed: to the supervisor
    [breach] = smtp_sink.to("lead1@example.com")
    assert breach["Subject"].strip() == f"{urgent.number}: First response missed"
    # 11:00 in Shanghai is 04:00 in Berlin (CET) that day.
    assert "2026-11-02 04:00 (Europe/Berlin)" in breach.get_content()
    assert OutboxMessage.objects.filter(reference=urgent.number, status="sent").count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        assert sla_sweep() == 0
    assert len(smtp_sink.received) == 2


def test_staff_without_an_address_get_the_in_app_notification_only(
    urgent, technician, time_machine
):
    technician.email = ""
    technician.save()
    time_machine.move_to(local(2026, 11, 2, 10, 46), tick=False)
    assert sla_sweep() == 1
    assert technician.notifications.count() == 1
    assert not OutboxMessage.objects.filter(recipient=technician).exists()
