from celery import shared_task

from aftersales.webhooks import services


@shared_task(name="aftersales.webhooks.tasks.delivery_deliver")
def delivery_deliver(delivery_id: int) -> str | None:
    return services.delivery_deliver(delivery_id)


@shared_task(name="aftersales.webhooks.tasks.deliveries_flush")
def deliveries_flush() -> int:
    return services.deliveries_flush()


@shared_task(name="aftersales.webhooks.tasks.idempotency_cleanup")
def idempotency_cleanup() -> int:
    return services.idempotency_cleanup()
