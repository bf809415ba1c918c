import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from aftersales.catalog.models import Product, Unit
from aftersales.parts import services as stock
from aftersales.parts.tests.factories import make_part, make_van, make_warehouse, stocked
from aftersales.service_requests.tests.factories import make_request, move_to


@pytest.fixture(autouse=True)
def _clear_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def product(db):
    return Product.objects.create(model="KFR-35GW", name="挂壁空调", name_en="Wall air conditioner")


@pytest.fixture
def unit(product, customer_a):
    return Unit.objects.create(
        product=product,
        customer=customer_a,
        serial_number="SN-AC-0001",
        purchase_date=timezone.localdate() - datetime.timedelta(days=100),
    )


@pytest.fixture
def sr(agent, technician, customer_a, team_a, unit):
    """A repair of team A for customer A's unit, in progress with tech1."""
    request = make_request(by=agent, customer=customer_a, team=team_a, serial_number="SN-AC-0001")
    return move_to(request, "in_progress", by=agent, assignee=technician)


@pytest.fixture
def part(db):
    return make_part(part_number="CAP-35UF", name="启动电容", name_en="Start capacitor")


@pytest.fixture
def serial_part(db):
    return make_part(part_number="CMP-1", name="压缩机", name_en="Compressor", serialised=True)


@pytest.fixture
def central(db):
    return make_warehouse(code="WH-C", name="中央备件库")


@pytest.fixture
def van(technician):
    return make_van(technician)


@pytest.fixture
def reservation(sr, central, part, agent):
    stocked(central, part, 5)
    return stock.stock_reserve(
        warehouse=central, part=part, quantity=2, service_request=sr, by=agent
    )
