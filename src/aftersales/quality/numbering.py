"""Problem numbers PR-YYYYMMDD-NNNN: the local date in the service time zone, a counter per
day, made like service numbers (`core.counters`)."""

import datetime

from aftersales.core.counters import daily_next
from aftersales.quality.models import ProblemNumberCounter
from aftersales.service_requests.numbering import local_day


def format_number(day: datetime.date, sequence: int) -> str:
    return f"PR-{day:%Y%m%d}-{sequence:04d}"


def next_number(moment: datetime.datetime) -> str:
    """Must run inside the transaction that creates the record."""
    return format_number(local_day(moment), daily_next(ProblemNumberCounter, local_day(moment)))
