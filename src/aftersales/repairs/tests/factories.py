"""Plans built through the real services."""

from decimal import Decimal
from typing import Any

from aftersales.accounts.models import User
from aftersales.repairs import services
from aftersales.repairs.models import SolutionPlan
from aftersales.service_requests.models import ServiceRequest


def plan_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "summary": "更换启动电容并检测压缩机",
        "estimated_minutes": 90,
        "steps": ["断电并拆开室外机", "更换电容", "试机 30 分钟"],
        "tools": "万用表、螺丝刀",
        "fee_lines": [
            {
                "kind": "labour",
                "description": "人工",
                "quantity": Decimal("1"),
                "unit_price": Decimal("80.00"),
            },
        ],
    }
    data.update(overrides)
    return data


def make_plan(request: ServiceRequest, *, by: User, **overrides: Any) -> SolutionPlan:
    return services.plan_create(request, by=by, data=plan_data(**overrides))
