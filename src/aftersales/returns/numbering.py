"""RMA numbers RMA-YYYYMMDD-NNNN: the local date in the service time zone, a counter per day.

Bumped with one INSERT … ON CONFLICT … RETURNING (as service numbers are), which takes a row
lock, so authorisations made at the same moment on PostgreSQL each get their own number.
"""

import datetime

from django.db import connection
from django.utils import timezone

from aftersales.returns.models import RmaNumberCounter
from aftersales.service_requests.numbering import local_day


def format_number(day: datetime.date, sequence: int) -> str:
    return f"RMA-{day:%Y%m%d}-{sequence:04d}"


def next_number(moment: datetime.datetime) -> str:
    """Must run inside the transaction that creates the authorisation."""
    day = local_day(moment)
    table = connection.ops.quote_name(RmaNumberCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, last) VALUES (%s, 1) "  # noqa: S608 - table name is ours
            f"ON CONFLICT (day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [day],
        )
        (sequence,) = cursor.fetchone()
    return format_number(day, sequence)


def today() -> datetime.date:
    """Today in the service time zone: the day dates of shipments and refunds are checked on."""
    return local_day(timezone.now())
