"""Repair records built through the real services."""

import datetime
from typing import Any

from django.utils import timezone

from aftersales.accounts.models import User
from aftersales.repair_records import services
from aftersales.repair_records.models import RepairRecord
from aftersales.service_requests.models import ServiceRequest

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def record_data(**overrides: Any) -> dict[str, Any]:
    now = timezone.now().replace(microsecond=0)
    data: dict[str, Any] = {
        "work_done": "更换启动电容，清洗冷凝器。Replaced the start capacitor.",
        "started_at": now - datetime.timedelta(hours=2),
        "finished_at": now - datetime.timedelta(hours=1),
        "test_result": "试机 30 分钟，出风 8°C",
        "test_outcome": "passed",
    }
    data.update(overrides)
    return data


def make_record(request: ServiceRequest, *, by: User, **overrides: Any) -> RepairRecord:
    parts = overrides.pop("parts", ())
    return services.repair_record_create(request, by=by, data=record_data(**overrides), parts=parts)
