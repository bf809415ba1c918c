"""Service numbers SR-YYYYMMDD-NNNN: local date of the service time zone, a counter per day
(`core.counters`: unique under concurrency, growing past 9999)."""

import datetime
import unicodedata
import zoneinfo

from django.conf import settings

from aftersales.core.counters import daily_next
from aftersales.service_requests.models import ServiceNumberCounter


def local_day(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(zoneinfo.ZoneInfo(settings.SERVICE_TIME_ZONE)).date()


def format_number(day: datetime.date, sequence: int) -> str:
    return f"SR-{day:%Y%m%d}-{sequence:04d}"


def next_number(moment: datetime.datetime) -> str:
    """Must run inside the transaction that creates the request."""
    day = local_day(moment)
    return format_number(day, daily_next(ServiceNumberCounter, day))


def normalise_number(raw: str) -> str:
    """What a person typed, folded: full-width characters, spaces, case, dash look-alikes."""
    folded = unicodedata.normalize("NFKC", raw or "")
    folded = "".join(c for c in folded if not c.isspace())
    for dash in "‐‑‒–—―−":
        folded = folded.replace(dash, "-")
    return folded.upper()
