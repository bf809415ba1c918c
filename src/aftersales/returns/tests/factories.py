"""Units and requests for returns, built through the real services."""

import datetime
from typing import Any

from aftersales.accounts.models import User
from aftersales.catalog.models import Product, Unit
from aftersales.customers.models import Customer
from aftersales.returns import numbering
from aftersales.service_requests.models import ServiceRequest
from aftersales.service_requests.tests.factories import make_request


def make_unit(
    *,
    customer: Customer | None,
    serial: str = "SN-RMA-1",
    bought_days_ago: int | None = 3,
    product: Product | None = None,
) -> Unit:
    product = (
        product
        or Product.objects.get_or_create(
            model="KFR-35GW", defaults={"name": "壁挂空调", "warranty_months": 12}
        )[0]
    )
    purchase = (
        None
        if bought_days_ago is None
        else numbering.today() - datetime.timedelta(days=bought_days_ago)
    )
    return Unit.objects.create(
        product=product, customer=customer, serial_number=serial, purchase_date=purchase
    )


def make_rma_request(
    *, by: User, unit: Unit, kind: str = "return", category: str = "product_quality", **data: Any
) -> ServiceRequest:
    data.setdefault("title", "空调退货")
    return make_request(
        by=by,
        customer=unit.customer,
        serial_number=unit.serial_number,
        kind=kind,
        category=category,
        **data,
    )
