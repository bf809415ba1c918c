import pytest
from django.utils import translation

from aftersales.accounts.models import Team, User
from aftersales.service_requests.tests.factories import make_request, move_to


@pytest.fixture(autouse=True)
def _english():
    """The tests read the messages as they are written."""
    with translation.override("en"):
        yield


@pytest.fixture
def desk(db):
    """The agents' team, with its supervisor."""
    lead = User.objects.create(username="desklead", role=User.Role.SUPERVISOR, first_name="D")
    team = Team.objects.create(
        name="客服中心", name_en="Service desk", kind=Team.Kind.SERVICE_DESK, supervisor=lead
    )
    lead.teams.set([team])
    return team


@pytest.fixture
def sr(agent, technician, customer_a, team_a):
    """A repair of team A, resolved by tech1: its follow-up is planned."""
    request = make_request(by=agent, customer=customer_a, team=team_a)
    return move_to(request, "resolved", by=agent, assignee=technician)
