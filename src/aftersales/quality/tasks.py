from celery import shared_task

from aftersales.quality import services


@shared_task(name="aftersales.quality.tasks.spikes_notify")
def spikes_notify_task() -> int:
    return services.spikes_notify()
