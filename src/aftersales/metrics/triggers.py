"""Database triggers that mark the UTC dates a change touches as stale for the rollups.

Requests are written by the ORM, by queryset updates, by the SLA recompute's batched SQL,
by imports and by the bulk seeding's COPY: a trigger sees them all, where signals would
miss most. Each trigger adds the UTC date of every measured time of the old and the new
row (received, first responded, resolved; for satisfaction the answer's date) to
`metrics_staleday`, or raises its version. UTC dates, because SQLite has no time zones: a
service day is fresh only if none of the (one or two) UTC dates it overlaps is marked.

PostgreSQL: statement triggers with transition tables, one upsert per statement (a COPY of
a million rows marks a few hundred dates once). SQLite: row triggers.

The SQL is assembled from the constants of this module only (no input reaches it).
"""
# ruff: noqa: S608

from typing import Any

REQUESTS = "service_requests_servicerequest"
# Changing any of these changes some measure of the request (or of its answers).
MEASURED_COLUMNS = (
    "received_at",
    "resolved_at",
    "first_responded_at",
    "status",
    "kind",
    "category",
    "channel",
    "priority",
    "team_id",
    "assignee_id",
    "product_id",
    "batch_number",
    "customer_id",
    "first_response_due_at",
    "resolution_due_at",
    "first_response_calendar_id",
    "resolution_calendar_id",
    "paused_seconds",
    "reopen_count",
)
TIMES = ("received_at", "resolved_at", "first_responded_at")

_PG_UPSERT = "ON CONFLICT (day) DO UPDATE SET version = metrics_staleday.version + 1"


def _pg_day(expression: str) -> str:
    return f"(({expression}) AT TIME ZONE 'UTC')::date"


def _pg_function(name: str, days_sql: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO metrics_staleday (day, version)
    SELECT DISTINCT d, 1 FROM ({days_sql}) AS touched (d) WHERE d IS NOT NULL
    {_PG_UPSERT};
    RETURN NULL;
END $$;"""


def _pg_trigger(name: str, event: str, table: str, transitions: str) -> str:
    return (
        f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {transitions} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {name}();"
    )


def _pg_request_days(source: str) -> str:
    """The UTC dates of the requests in `source` (a transition table or a subquery)."""
    parts = [f"SELECT {_pg_day('x.' + column)} FROM {source} AS x" for column in TIMES]
    parts.append(
        f"SELECT {_pg_day('r.answered_at')} FROM surveys_response r "
        f"JOIN {source} AS x ON r.request_id = x.id"
    )
    return " UNION ".join(parts)


def _pg_changed(side: str) -> str:
    """The old (`side` "o") or new ("n") rows of the requests whose measured columns changed."""
    old = ", ".join(f"o.{c}" for c in MEASURED_COLUMNS)
    new = ", ".join(f"n.{c}" for c in MEASURED_COLUMNS)
    return (
        f"(SELECT {side}.* FROM old_rows o JOIN new_rows n ON o.id = n.id "
        f"WHERE ROW({old}) IS DISTINCT FROM ROW({new}))"
    )


def _pg_answer_days(rows: str) -> str:
    return (
        f"SELECT {_pg_day('r.answered_at')} FROM surveys_response r "
        f"JOIN {rows} x ON r.id = x.response_id"
    )


def _pg_statements() -> list[str]:
    request_update_days = (
        _pg_request_days(_pg_changed("o")) + " UNION " + _pg_request_days(_pg_changed("n"))
    )
    response_days = "SELECT {day} FROM {rows}"
    statements = [
        _pg_function("metrics_requests_inserted", _pg_request_days("new_rows")),
        _pg_trigger("metrics_requests_inserted", "INSERT", REQUESTS, "NEW TABLE AS new_rows"),
        _pg_function("metrics_requests_updated", request_update_days),
        _pg_trigger(
            "metrics_requests_updated",
            "UPDATE",
            REQUESTS,
            "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        ),
        _pg_function("metrics_requests_deleted", _pg_request_days("old_rows")),
        _pg_trigger("metrics_requests_deleted", "DELETE", REQUESTS, "OLD TABLE AS old_rows"),
    ]
    day = _pg_day("answered_at")
    for event, transitions, days in (
        ("INSERT", "NEW TABLE AS new_rows", response_days.format(day=day, rows="new_rows")),
        (
            "UPDATE",
            "OLD TABLE AS old_rows NEW TABLE AS new_rows",
            response_days.format(day=day, rows="old_rows")
            + " UNION "
            + response_days.format(day=day, rows="new_rows"),
        ),
        ("DELETE", "OLD TABLE AS old_rows", response_days.format(day=day, rows="old_rows")),
    ):
        name = f"metrics_responses_{event.lower()}d"
        statements += [
            _pg_function(name, days),
            _pg_trigger(name, event, "surveys_response", transitions),
        ]
    for event, transitions, days in (
        ("INSERT", "NEW TABLE AS new_rows", _pg_answer_days("new_rows")),
        (
            "UPDATE",
            "OLD TABLE AS old_rows NEW TABLE AS new_rows",
            _pg_answer_days("old_rows") + " UNION " + _pg_answer_days("new_rows"),
        ),
        ("DELETE", "OLD TABLE AS old_rows", _pg_answer_days("old_rows")),
    ):
        name = f"metrics_answers_{event.lower()}d"
        statements += [
            _pg_function(name, days),
            _pg_trigger(name, event, "surveys_answer", transitions),
        ]
    # A question that stops (or starts) being a score question changes its answers' days.
    question_days = (
        f"SELECT {_pg_day('r.answered_at')} FROM surveys_response r "
        "JOIN surveys_answer a ON a.response_id = r.id "
        "JOIN new_rows n ON a.question_id = n.id "
        "JOIN old_rows o ON o.id = n.id WHERE o.kind IS DISTINCT FROM n.kind"
    )
    statements += [
        _pg_function("metrics_questions_updated", question_days),
        _pg_trigger(
            "metrics_questions_updated",
            "UPDATE",
            "surveys_question",
            "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        ),
    ]
    return statements


_PG_NAMES = (
    ("metrics_requests_inserted", REQUESTS),
    ("metrics_requests_updated", REQUESTS),
    ("metrics_requests_deleted", REQUESTS),
    ("metrics_responses_inserted", "surveys_response"),
    ("metrics_responses_updated", "surveys_response"),
    ("metrics_responses_deleted", "surveys_response"),
    ("metrics_answers_inserted", "surveys_answer"),
    ("metrics_answers_updated", "surveys_answer"),
    ("metrics_answers_deleted", "surveys_answer"),
    ("metrics_questions_updated", "surveys_question"),
)


# --- SQLite ----------------------------------------------------------------------------------


def _sqlite_trigger(name: str, event: str, table: str, days_sql: str, when: str = "") -> str:
    condition = f" WHEN {when}" if when else ""
    return f"""
CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{condition}
BEGIN
    INSERT INTO metrics_staleday (day, version)
    SELECT DISTINCT d, 1 FROM ({days_sql}) WHERE d IS NOT NULL
    ON CONFLICT (day) DO UPDATE SET version = version + 1;
END;"""


def _sqlite_request_days(row: str) -> str:
    parts = [f"SELECT date({row}.{column}) AS d" for column in TIMES]
    parts.append(f"SELECT date(answered_at) FROM surveys_response WHERE request_id = {row}.id")
    return " UNION ".join(parts)


def _sqlite_answer_days(row: str) -> str:
    return f"SELECT date(answered_at) AS d FROM surveys_response WHERE id = {row}.response_id"


def _sqlite_statements() -> list[str]:
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in MEASURED_COLUMNS)
    return [
        _sqlite_trigger(
            "metrics_requests_inserted", "INSERT", REQUESTS, _sqlite_request_days("NEW")
        ),
        _sqlite_trigger(
            "metrics_requests_updated",
            "UPDATE",
            REQUESTS,
            _sqlite_request_days("OLD") + " UNION " + _sqlite_request_days("NEW"),
            when=changed,
        ),
        _sqlite_trigger(
            "metrics_requests_deleted", "DELETE", REQUESTS, _sqlite_request_days("OLD")
        ),
        _sqlite_trigger(
            "metrics_responses_inserted",
            "INSERT",
            "surveys_response",
            "SELECT date(NEW.answered_at) AS d",
        ),
        _sqlite_trigger(
            "metrics_responses_updated",
            "UPDATE",
            "surveys_response",
            "SELECT date(OLD.answered_at) AS d UNION SELECT date(NEW.answered_at)",
        ),
        _sqlite_trigger(
            "metrics_responses_deleted",
            "DELETE",
            "surveys_response",
            "SELECT date(OLD.answered_at) AS d",
        ),
        _sqlite_trigger(
            "metrics_answers_inserted", "INSERT", "surveys_answer", _sqlite_answer_days("NEW")
        ),
        _sqlite_trigger(
            "metrics_answers_updated",
            "UPDATE",
            "surveys_answer",
            _sqlite_answer_days("OLD") + " UNION " + _sqlite_answer_days("NEW"),
        ),
        _sqlite_trigger(
            "metrics_answers_deleted", "DELETE", "surveys_answer", _sqlite_answer_days("OLD")
        ),
        _sqlite_trigger(
            "metrics_questions_updated",
            "UPDATE",
            "surveys_question",
            "SELECT date(r.answered_at) AS d FROM surveys_response r "
            "JOIN surveys_answer a ON a.response_id = r.id WHERE a.question_id = NEW.id",
            when="OLD.kind IS NOT NEW.kind",
        ),
    ]


def install(schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = _pg_statements()
    elif vendor == "sqlite":
        statements = _sqlite_statements()
    else:
        raise RuntimeError(f"no rollup triggers for {vendor}")
    for statement in statements:
        schema_editor.execute(statement)


def remove(schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    for name, table in _PG_NAMES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
