"""API rate limits for intake (RELIABILITY S17): 429 with Retry-After past the limit."""

from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import ScopedRateThrottle


class IntakeRateThrottle(ScopedRateThrottle):
    """Creations only (reading the list is not intake), per user, at the "intake" rate
    (AFTERSALES_API_INTAKE_RATE)."""

    def allow_request(self, request: Request, view: Any) -> bool:
        if request.method != "POST":
            return True
        return super().allow_request(request, view)
