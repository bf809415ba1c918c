"""The Celery application; the periodic schedule is declared here so it can be reviewed."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.config.settings")

app = Celery("aftersales")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Every minute: the worker proves it is alive; /api/v1/health/ reports the last beat.
    "heartbeat": {"task": "aftersales.core.tasks.heartbeat", "schedule": 60.0},
}
