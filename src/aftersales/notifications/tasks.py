from celery import shared_task

from aftersales.notifications import services


@shared_task(name="aftersales.notifications.tasks.outbox_deliver")
def outbox_deliver(message_id: int) -> str | None:
    return services.outbox_deliver(message_id)


@shared_task(name="aftersales.notifications.tasks.outbox_flush")
def outbox_flush() -> int:
    return services.outbox_flush()
