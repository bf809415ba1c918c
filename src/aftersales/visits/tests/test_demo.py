"""The demo's visits: today's and tomorrow's for the field technicians, worked as far as the
clock has gone."""

from aftersales.core.demo import _SimulatedClock
from aftersales.service_requests import services as request_services
from aftersales.service_requests.tests.factories import make_request
from aftersales.visits import selectors
from aftersales.visits.demo import visits_demo_seed
from aftersales.visits.models import Leave, TeamSchedule, Visit
from aftersales.visits.tests.factories import MONDAY, local


def test_demo_visits_for_today_and_tomorrow(
    time_machine, agent, technician, other_technician, supervisor, team_a, team_b, customer_a
):
    time_machine.move_to(local(MONDAY, 12, 30), tick=False)
    for title in ("空调不制冷", "空调漏水", "热水器不点火"):
        request = make_request(by=agent, customer=customer_a, team=team_a, title=title)
        request_services.service_request_act(
            request, "assign", by=agent, data={"assignee": technician}
        )
    with _SimulatedClock().running() as clock:
        count = visits_demo_seed(
            teams={"field_north": team_a, "field_south": team_b},
            staff={"agent1": agent, "tech1": technician, "tech2": other_technician},
            lead_of={"field_north": supervisor},
            clock=clock,
            anchor=local(MONDAY, 12, 30),
        )
    assert count == 3
    assert TeamSchedule.objects.count() == 2
    today = selectors.day_visits_for_technician(technician, MONDAY)
    assert [(v.window_start.hour, v.status) for v in today] == [(1, "done"), (6, "booked")]
    assert Visit.objects.filter(status="booked").count() == 2
    assert Leave.objects.filter(technician=other_technician).exists()
    done = today[0]
    assert done.summary and done.ended_at == local(MONDAY, 10, 40)
