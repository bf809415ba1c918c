from celery import shared_task

from aftersales.followups import services


@shared_task(name="aftersales.followups.tasks.followups_sweep")
def followups_sweep_task() -> dict[str, int]:
    return services.followups_sweep()
