import pytest
from django.utils import translation

from aftersales.service_requests.tests.factories import make_request, move_to
from aftersales.surveys import services
from aftersales.surveys.models import Invitation


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def sr(agent, technician, customer_a, team_a):
    request = make_request(by=agent, customer=customer_a, team=team_a)
    return move_to(request, "resolved", by=agent, assignee=technician)


@pytest.fixture
def invitation(sr, agent) -> Invitation:
    made, reason = services.invitation_create(sr, channel="email", by=agent)
    assert made is not None, reason
    return made


@pytest.fixture
def link(invitation) -> str:
    return services.survey_link(invitation).split("127.0.0.1:8000", 1)[-1]


def ensure_default_questions() -> None:
    """The default questions, as their data migration writes them: tests on a transactional
    database start after others have emptied it, data migrations included."""
    import importlib

    from django.apps import apps

    importlib.import_module("aftersales.surveys.migrations.0002_default_questions").add(apps, None)


GOOD = {"solved": "yes", "solution": "5", "attitude": "4", "speed": "3", "suggestions": "挺好"}


@pytest.fixture
def client():
    """A browser asking for English, the language the assertions are written in."""
    from django.test import Client

    return Client(headers={"accept-language": "en"})
