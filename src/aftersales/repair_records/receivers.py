from typing import Any

from django.dispatch import receiver

from aftersales.service_requests import signals


@receiver(signals.request_changed, dispatch_uid="repair_records_ask_for_confirmation")
def ask_for_confirmation(sender: Any, *, request_id: int, **kwargs: Any) -> None:
    # Same transaction as the change: the mail is written with the resolution and leaves
    # after its commit, or not at all. Once per resolution, whatever else changes later.
    from aftersales.repair_records import services

    services.confirmation_link_send(request_id)
