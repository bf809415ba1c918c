import pytest
from django.utils import translation

from aftersales.service_requests import services as request_services
from aftersales.service_requests.tests.factories import make_request
from aftersales.visits.tests.factories import MONDAY, local


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English; without this they came out in the default
    language or in whatever an earlier test in the same worker left active."""
    with translation.override("en"):
        yield


@pytest.fixture
def now(time_machine):
    """Monday 2026-03-02, 08:00 in Shanghai: the week's working hours lie ahead."""
    moment = local(MONDAY, 8, 0)
    time_machine.move_to(moment, tick=False)
    return moment


@pytest.fixture
def sr(now, agent, technician, customer_a, team_a):
    """A request of team A, assigned to tech1, with an address and a contact email."""
    request = make_request(
        by=agent,
        customer=customer_a,
        team=team_a,
        address="上海市徐汇区漕溪北路 88 号 1201 室",
    )
    return request_services.service_request_act(
        request, "assign", by=agent, data={"assignee": technician}
    )


@pytest.fixture
def second_sr(now, agent, technician, customer_b, team_a):
    request = make_request(by=agent, customer=customer_b, team=team_a, title="热水器不点火")
    return request_services.service_request_act(
        request, "assign", by=agent, data={"assignee": technician}
    )
