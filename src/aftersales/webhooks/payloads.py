"""What a webhook tells about a request: the fields its customer could see, never internal
notes, staff names or internal attachments."""

import datetime
from typing import Any

from aftersales.service_requests.models import ServiceRequest


def _time(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value else None


def service_request(request: ServiceRequest) -> dict[str, Any]:
    return {
        "number": request.number,
        "status": request.status,
        "priority": request.priority,
        "kind": request.kind,
        "category": request.category,
        "channel": request.channel,
        "external_reference": request.external_reference,
        "title": request.title,
        "customer_id": request.customer_id,
        "serial_number": request.serial_number,
        "received_at": _time(request.received_at),
        "first_response_due_at": _time(request.first_response_due_at),
        "first_responded_at": _time(request.first_responded_at),
        "resolution_due_at": _time(request.resolution_due_at),
        "resolved_at": _time(request.resolved_at),
        "closed_at": _time(request.closed_at),
        "cancelled_at": _time(request.cancelled_at),
        "updated_at": _time(request.updated_at),
    }
