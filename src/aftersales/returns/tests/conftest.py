import pytest
from django.core.cache import cache
from django.utils import translation

from aftersales.accounts.models import Team, User
from aftersales.returns.tests.factories import make_rma_request, make_unit
from aftersales.service_requests import services as request_services

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _english():
    """The tests read the messages as they are written; pages choose their own language."""
    with translation.override("en"):
        yield


@pytest.fixture
def warehouse_user(db):
    """Department staff in the warehouse team: sees no request, handles every parcel."""
    team = Team.objects.create(name="成品仓", name_en="Warehouse", kind=Team.Kind.WAREHOUSE)
    user = User.objects.create(username="wh1", role=User.Role.DEPARTMENT, first_name="wh1")
    user.teams.set([team])
    return user


@pytest.fixture
def unit(customer_a):
    return make_unit(customer=customer_a)


@pytest.fixture
def sr(agent, technician, unit):
    """A return request for the unit, assigned to tech1 (team A) and in progress."""
    request = make_rma_request(by=agent, unit=unit)
    request = request_services.service_request_act(
        request, "assign", by=agent, data={"assignee": technician}
    )
    return request_services.service_request_act(request, "start", by=technician)
