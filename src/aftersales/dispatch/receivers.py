from typing import Any

from django.dispatch import receiver

from aftersales.service_requests import signals


@receiver(signals.request_created, dispatch_uid="route_new_request")
def route_new_request(sender: Any, *, request: Any, **kwargs: Any) -> None:
    # Same transaction as the intake: a request is never left half-routed.
    from aftersales.dispatch import services

    services.service_request_route(request)
