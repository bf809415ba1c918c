import pytest

from aftersales.accounts.models import Team, User
from aftersales.parts.tests.factories import make_part, make_van, make_warehouse
from aftersales.service_requests import services as request_services
from aftersales.service_requests.tests.factories import make_request


@pytest.fixture
def part(db):
    return make_part(part_number="CAP-35UF", name="压缩机启动电容 35μF")


@pytest.fixture
def central(db):
    return make_warehouse(code="WH-CENTRAL", name="中央备件库", name_en="Central store")


@pytest.fixture
def van(technician):
    return make_van(technician)


@pytest.fixture
def warehouse_clerk(db):
    """Department staff in a warehouse team: they receive, count and transfer stock."""
    team = Team.objects.create(name="仓储物流部", name_en="Warehouse", kind=Team.Kind.WAREHOUSE)
    user = User.objects.create(username="wh1", role=User.Role.DEPARTMENT, first_name="宋刚")
    user.teams.set([team])
    return user


@pytest.fixture
def sr(agent, technician, customer_a, team_a):
    """A request of team A, assigned to tech1."""
    request = make_request(by=agent, customer=customer_a, team=team_a)
    return request_services.service_request_act(
        request, "assign", by=agent, data={"assignee": technician}
    )
