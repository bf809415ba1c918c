from celery import shared_task

from aftersales.service_requests import services, sla_sweep


@shared_task(name="aftersales.service_requests.tasks.recompute_due_times", acks_late=True)
def recompute_due_times(calendar_id: int | None = None) -> int:
    return services.due_times_recompute(calendar_id=calendar_id)


@shared_task(name="aftersales.service_requests.tasks.sla_sweep")
def sla_sweep_task() -> int:
    return sla_sweep.sla_sweep()
