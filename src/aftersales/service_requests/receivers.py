from typing import Any

from django.db import transaction
from django.dispatch import receiver

from aftersales.sla import signals as sla_signals


@receiver(sla_signals.configuration_changed, dispatch_uid="recompute_due_times_after_sla_change")
def recompute_after_configuration_change(
    sender: Any, *, calendar_id: int | None, **kwargs: Any
) -> None:
    from aftersales.service_requests import tasks

    transaction.on_commit(lambda: tasks.recompute_due_times.delay(calendar_id))
