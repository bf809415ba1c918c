from typing import Any

from django.dispatch import receiver

from aftersales.service_requests import signals


@receiver(signals.request_changed, dispatch_uid="visits_follow_request")
def follow_request(sender: Any, *, request_id: int, **kwargs: Any) -> None:
    # Same transaction as the change: a cancelled or closed request does not keep a
    # technician's time booked.
    from aftersales.visits import services

    services.visits_follow_request(request_id)
