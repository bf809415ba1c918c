"""RMA numbers RMA-YYYYMMDD-NNNN: the local date in the service time zone, a counter per day.

Made like service numbers (`core.counters`): authorisations made at the same moment on
PostgreSQL each get their own number.
"""

import datetime

from django.utils import timezone

from aftersales.core.counters import daily_next
from aftersales.returns.models import RmaNumberCounter
from aftersales.service_requests.numbering import local_day


def format_number(day: datetime.date, sequence: int) -> str:
    return f"RMA-{day:%Y%m%d}-{sequence:04d}"


def next_number(moment: datetime.datetime) -> str:
    """Must run inside the transaction that creates the authorisation."""
    day = local_day(moment)
    return format_number(day, daily_next(RmaNumberCounter, day))


def today() -> datetime.date:
    """Today in the service time zone: the day dates of shipments and refunds are checked on."""
    return local_day(timezone.now())
