from celery import shared_task

from aftersales.core import services


@shared_task(name="aftersales.core.tasks.heartbeat")
def heartbeat() -> None:
    services.heartbeat_record(name="worker")
