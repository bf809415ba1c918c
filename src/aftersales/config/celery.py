"""The Celery application; the periodic schedule is declared here so it can be reviewed.

With `--scheduler django_celery_beat.schedulers:DatabaseScheduler` (what `manage.py serve`
runs), beat copies `beat_schedule` into the database when it starts; admins see the entries
under "Periodic tasks".
"""

import os
import zoneinfo
from typing import Any

from celery import Celery
from celery.signals import worker_ready
from django_celery_beat.tzcrontab import TzAwareCrontab

from aftersales.config.env import env_str

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.config.settings")

app = Celery("aftersales")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The service time zone, read as settings read it (settings cannot be imported here: they
# import this package).
SERVICE_ZONE = zoneinfo.ZoneInfo(env_str("AFTERSALES_TIME_ZONE", "Asia/Shanghai"))

app.conf.beat_schedule = {
    # Every minute: the worker proves it is alive; /api/v1/health/ reports the last beat.
    "heartbeat": {"task": "aftersales.core.tasks.heartbeat", "schedule": 60.0},
    # Every minute: SLA warnings and breaches that came due (each announced once).
    "sla-sweep": {"task": "aftersales.service_requests.tasks.sla_sweep", "schedule": 60.0},
    # Every minute: outgoing messages that are due — retries, and any whose worker stopped
    # (each is normally sent at once, right after the transaction that wrote it).
    "outbox-flush": {"task": "aftersales.notifications.tasks.outbox_flush", "schedule": 60.0},
    # Every five minutes: follow-ups' survey links that came due, follow-ups with no answer
    # after AFTERSALES_FOLLOWUP_CLOSE_AFTER_DAYS, and resolved requests whose follow-up
    # ended, closed by the system with the reason in their history.
    "followups-sweep": {"task": "aftersales.followups.tasks.followups_sweep", "schedule": 300.0},
    # Every minute: new mail from the active IMAP mailboxes (stored, marked seen, processed);
    # a failing mailbox waits longer between tries (mailin.services.mailbox_poll).
    "mail-poll": {"task": "aftersales.mailin.tasks.mail_poll", "schedule": 60.0},
    # Every minute: webhook deliveries that are due (retries, and any whose worker stopped).
    "webhooks-flush": {"task": "aftersales.webhooks.tasks.deliveries_flush", "schedule": 60.0},
    # Every day: batches failing above their own rate this week (quality/spikes.py), told
    # to the supervisors of production/QC in-app, once per batch and week.
    "quality-spikes": {"task": "aftersales.quality.tasks.spikes_notify", "schedule": 86400.0},
    # Every minute: the measures' daily rollups of the days that changed (metrics/rollups.py);
    # until a day is rebuilt the measures read it from the requests, so figures never lag.
    # A run that waited a minute in the queue is dropped: the next one does its work.
    "measure-rollups": {
        "task": "aftersales.metrics.tasks.rollups_refresh",
        "schedule": 60.0,
        "options": {"expire_seconds": 55},
    },
    # "30 6 1 * *" in the service time zone: at 06:30 on the first of each month, the
    # previous month's reports, mailed to analysts, administrators and each supervisor
    # (reports.services.monthly_reports_send; a rerun mails no one twice).
    "monthly-reports": {
        "task": "aftersales.reports.tasks.monthly_reports",
        "schedule": TzAwareCrontab(minute=30, hour=6, day_of_month=1, tz=SERVICE_ZONE),
    },
    # Every hour: Idempotency-Key answers older than AFTERSALES_IDEMPOTENCY_KEY_HOURS.
    "idempotency-cleanup": {
        "task": "aftersales.webhooks.tasks.idempotency_cleanup",
        "schedule": 3600.0,
    },
}


@worker_ready.connect
def _beat_once_at_start(sender: Any = None, **kwargs: Any) -> None:
    # Through the broker, not directly: the first beat proves broker and worker both work,
    # and health does not report "late" for the first minute after a start.
    sender.app.send_task("aftersales.core.tasks.heartbeat")
