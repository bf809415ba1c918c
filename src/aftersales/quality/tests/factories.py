"""Problem records and batches of requests for the quality tests."""

import datetime
from typing import Any

from aftersales.accounts.models import Team, User
from aftersales.catalog.models import Product
from aftersales.customers.models import Customer
from aftersales.quality import services
from aftersales.quality.models import ProblemRecord
from aftersales.service_requests.models import ServiceRequest
from aftersales.service_requests.tests.factories import make_request


def make_problem(*, by: User, team: Team, **data: Any) -> ProblemRecord:
    data.setdefault("title", "压缩机异响")
    data.setdefault("symptom", "开机十分钟后压缩机发出尖锐异响")
    return services.problem_create(by=by, data={"team": team, **data})


def make_batch_requests(
    *,
    by: User,
    customer: Customer,
    product: Product,
    batch: str,
    times: list[datetime.datetime],
    **data: Any,
) -> list[ServiceRequest]:
    """One fault request for each moment in `times`, for `product` and `batch`."""
    data.setdefault("category", "product_quality")
    return [
        make_request(
            by=by,
            customer=customer,
            product=product,
            batch_number=batch,
            received_at=moment,
            title=data.get("title", "不制冷"),
            **{k: v for k, v in data.items() if k != "title"},
        )
        for moment in times
    ]
