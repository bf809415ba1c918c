from typing import Any

from celery import shared_task

from aftersales.metrics import rollups

# Days built per run: a minute's run stays short when the calendars changed (every day is
# then rebuilt, a run at a time); the first run after an import does the newest days first.
DAYS_PER_RUN = 120


@shared_task(name="aftersales.metrics.tasks.rollups_refresh")
def rollups_refresh() -> dict[str, Any]:
    return rollups.refresh(limit=DAYS_PER_RUN)
