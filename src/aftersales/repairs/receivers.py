from typing import Any

from django.dispatch import receiver

from aftersales.service_requests import signals


@receiver(signals.request_changed, dispatch_uid="repairs_follow_request")
def follow_request(sender: Any, *, request_id: int, **kwargs: Any) -> None:
    # Same transaction as the change: a cancelled request never keeps parts reserved, and an
    # approval given with the lifecycle's own buttons reserves the plan's parts (or fails).
    from aftersales.repairs import services

    services.plan_follow_request(request_id)
