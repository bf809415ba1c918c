import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from aftersales.catalog.models import Product, Unit
from aftersales.parts.tests.factories import make_part, make_warehouse, stocked
from aftersales.service_requests.tests.factories import make_request, move_to


@pytest.fixture
def product(db):
    return Product.objects.create(model="KFR-35GW", name="挂壁空调", warranty_months=12)


@pytest.fixture
def unit_in_warranty(product, customer_a):
    return Unit.objects.create(
        product=product,
        customer=customer_a,
        serial_number="SN-IN-1",
        purchase_date=timezone.localdate() - datetime.timedelta(days=30),
    )


@pytest.fixture
def unit_out_of_warranty(product, customer_a):
    return Unit.objects.create(
        product=product,
        customer=customer_a,
        serial_number="SN-OUT-1",
        purchase_date=timezone.localdate() - datetime.timedelta(days=800),
    )


@pytest.fixture
def part(db):
    return make_part(part_number="CMP-1", name="压缩机", unit_price=Decimal("420.00"))


@pytest.fixture
def central(db):
    return make_warehouse(code="WH-C", name="中央备件库")


@pytest.fixture
def sr(agent, technician, customer_a, team_a, unit_out_of_warranty):
    """A repair of team A, in progress with tech1, for a unit out of warranty."""
    request = make_request(by=agent, customer=customer_a, team=team_a, serial_number="SN-OUT-1")
    return move_to(request, "in_progress", by=agent, assignee=technician)


@pytest.fixture
def stock(central, part):
    return stocked(central, part, 3)
