"""Service numbers SR-YYYYMMDD-NNNN: local date of the service time zone, a counter per day.

The counter row is bumped with one INSERT … ON CONFLICT … RETURNING, which takes a row lock,
so concurrent creations on PostgreSQL each get their own number; the counter grows past 9999.
"""

import datetime
import unicodedata
import zoneinfo

from django.conf import settings
from django.db import connection

from aftersales.service_requests.models import ServiceNumberCounter


def local_day(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(zoneinfo.ZoneInfo(settings.SERVICE_TIME_ZONE)).date()


def format_number(day: datetime.date, sequence: int) -> str:
    return f"SR-{day:%Y%m%d}-{sequence:04d}"


def next_number(moment: datetime.datetime) -> str:
    """Must run inside the transaction that creates the request."""
    day = local_day(moment)
    table = connection.ops.quote_name(ServiceNumberCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, last) VALUES (%s, 1) "  # noqa: S608 - table name is ours
            f"ON CONFLICT (day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [day],
        )
        (sequence,) = cursor.fetchone()
    return format_number(day, sequence)


def normalise_number(raw: str) -> str:
    """What a person typed, folded: full-width characters, spaces, case, dash look-alikes."""
    folded = unicodedata.normalize("NFKC", raw or "")
    folded = "".join(c for c in folded if not c.isspace())
    for dash in "‐‑‒–—―−":
        folded = folded.replace(dash, "-")
    return folded.upper()
