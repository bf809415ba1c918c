"""Per-day counters for human-readable numbers (SR-…, RMA-…).

The counter row is bumped with one INSERT … ON CONFLICT … RETURNING, which takes a row lock,
so numbers made at the same moment on PostgreSQL each get their own; a rolled-back
transaction gives its number back. Counters grow past 9999.
"""

import datetime

from django.db import connection, models


def daily_next(counter: type[models.Model], day: datetime.date) -> int:
    """The next sequence of `day` in `counter` (a model with `day` as key and `last`).
    Must run inside the transaction that uses the number."""
    table = connection.ops.quote_name(counter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, last) VALUES (%s, 1) "  # noqa: S608 - table name is ours
            f"ON CONFLICT (day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [day],
        )
        (sequence,) = cursor.fetchone()
    return sequence
