import datetime

from celery import shared_task

from aftersales.reports import services


@shared_task(name="aftersales.reports.tasks.monthly_reports")
def monthly_reports(month: str | None = None) -> int:
    """The previous month's reports (or `month`, YYYY-MM-DD of its first day), mailed."""
    return services.monthly_reports_send(
        month=datetime.date.fromisoformat(month) if month else None
    )
