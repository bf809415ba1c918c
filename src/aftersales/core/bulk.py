"""Loading a large number of service requests fast, for benchmarks and capacity tests.

- bulk_seed: `count` requests with customers, units, events, replies, their search
  documents and the survey answers of resolved ones, written with COPY on PostgreSQL and
  executemany on SQLite

The rows are what the services would have stored for the same facts — numbers
SR-YYYYMMDD-NNNN reserved from ServiceNumberCounter, priorities from the impact × urgency
matrix, SLA policy, calendars and due times as the SLA engine gives them, normalised phone
and email keys, tokens made by search.tokens, survey invitations within the sample and the
cool-down — but without one ORM round trip per row, which would take hours for a million.
(Not written: follow-up records and outgoing mail.) Every run adds to what is there; ids
continue after the current largest ones.
"""

import datetime
import functools
import itertools
import json
import operator
import pickle
import queue
import random
import tempfile
import threading
import time
import zoneinfo
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import Team, User
from aftersales.catalog.models import Product, Unit
from aftersales.core import demo, demo_data
from aftersales.core.text import normalise_email, normalise_phone
from aftersales.customers.models import Customer
from aftersales.search import tokens
from aftersales.search.models import SearchDocument
from aftersales.service_requests import deadlines, numbering, priority
from aftersales.service_requests.models import (
    Comment,
    PriorityRule,
    ServiceNumberCounter,
    ServiceRequest,
    ServiceRequestEvent,
)
from aftersales.sla import calendar as business
from aftersales.sla import engine
from aftersales.surveys.models import Answer, Invitation, Question, QuestionKind
from aftersales.surveys.models import Response as SurveyResponse

S = ServiceRequest.Status
DONE = frozenset({S.RESOLVED, S.CLOSED})
# The tables of the requests' part, in the order each batch is written (references first).
WRITE_ORDER = (
    ServiceRequest,
    ServiceRequestEvent,
    Comment,
    SearchDocument,
    Invitation,
    SurveyResponse,
    Answer,
)
BATCH = 10_000
# From this many requests on, PostgreSQL's plain indexes of the tables loaded (the search
# indexes and those that only speed up reading: no unique one, no constraint's) are dropped
# for the load and built again at the end: building an index in one go, from sorted entries,
# is several times faster than growing it a row at a time.
INDEX_REBUILD_FROM = 50_000
INDEX_BUILD_MEMORY = "256MB"  # per build; a GIN build is bound by the CPU, not by this


def _comment_row(
    comment_id: int,
    request_id: int,
    author_id: int,
    author_name: str,
    body: str,
    internal: bool,
    at: object,
) -> dict[str, object]:
    return {
        "id": comment_id,
        "request_id": request_id,
        "author_id": author_id,
        "author_name": author_name,
        "body": body,
        "is_internal": internal,
        "created_at": at,
    }


# How each request's life goes. Times are drawn as fractions of its SLA targets, counted on
# the target's calendar as the SLA engine counts them; what has not happened by now has not
# happened (the request is still open), so the backlog is the requests whose work takes
# longer than their age: many young ones, a long thin tail of old ones.
CANCELLED_SHARE = 0.04
# (share, from, to): the first response within 5–95 % of its target for most, late for some.
FIRST_RESPONSE_SPANS = ((0.91, 0.05, 0.95), (0.09, 1.05, 4.0))
# Resolution: most within target, some late, a few waiting weeks (parts, disputes).
RESOLUTION_SPANS = ((0.82, 0.15, 0.97), (0.13, 1.03, 3.0), (0.05, 3.0, 40.0))
PAUSED_SHARE = 0.12  # waited for the customer once (business seconds not counted)
REOPENED_SHARE = 0.03  # resolved once, reopened, resolved again
UNTRIAGED_SHARE = 0.2  # of the requests of the last two days: nobody has answered yet
# Open states other than new/reopened, and how often each is the current one.
OPEN_STATES = (S.ASSIGNED, S.IN_PROGRESS, S.PENDING_APPROVAL, S.SCHEDULED, S.PENDING_CUSTOMER)
OPEN_WEIGHTS = (15, 45, 8, 20, 12)
# Surveys: every resolved request's follow-up invites the customer (sampling and cool-down
# as configured); some answer the link, a few are asked by phone instead.
SURVEY_ANSWER_SHARE = 0.45
PHONE_ANSWER_SHARE = 0.06
SCORE_WEIGHTS_MET = (2, 3, 10, 35, 50)  # scores 1–5 when the resolution target was met
SCORE_WEIGHTS_MISSED = (10, 15, 25, 30, 20)
SUGGESTION_SHARE = 0.12
# The action that brought a request into its final state (for its status_changed event).
_LAST_ACTION = {
    S.ASSIGNED: "assign",
    S.IN_PROGRESS: "start",
    S.PENDING_APPROVAL: "request-approval",
    S.PENDING_CUSTOMER: "wait-customer",
    S.SCHEDULED: "schedule",
    S.RESOLVED: "resolve",
    S.CLOSED: "close",
    S.REOPENED: "reopen",
    S.CANCELLED: "cancel",
}
CHANNELS = [channel for channel, _weight in demo.CHANNELS]
CHANNEL_WEIGHTS = [weight for _channel, weight in demo.CHANNELS]


@dataclass
class BulkResult:
    requests: int
    rows: int
    seconds: float


# --- Writing rows without the ORM ------------------------------------------------------------


class Table:
    """One model's table: its columns in order, the defaults of the ones a row leaves out,
    and how each value is handed to the database driver."""

    def __init__(self, model: type[models.Model], *, generated_pk: bool = False):
        # generated_pk: the database numbers the rows (no ids are reserved for them).
        self.model = model
        self.name = model._meta.db_table
        self.fields = [
            f for f in model._meta.concrete_fields if not (generated_pk and f.primary_key)
        ]
        self.columns = [f.column for f in self.fields]
        self.defaults: dict[str, Any] = {}
        for f in self.fields:
            if f.has_default():
                self.defaults[f.attname] = f.get_default()
            elif f.null:
                self.defaults[f.attname] = None
            elif isinstance(f, models.CharField | models.TextField):
                self.defaults[f.attname] = ""
        self.attnames = [f.attname for f in self.fields]
        self.adapters = [self._adapter(f) for f in self.fields]

    @staticmethod
    def _adapter(field: models.Field) -> Callable[[Any], Any] | None:
        if isinstance(field, models.JSONField):
            return lambda v: json.dumps(v, ensure_ascii=False)
        if connection.vendor != "sqlite":
            return None
        # What Django's SQLite backend stores: naive UTC text, ISO dates, 0/1.
        if isinstance(field, models.DateTimeField):
            return lambda v: (
                None
                if v is None
                else v.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(" ")
            )
        if isinstance(field, models.DateField):
            return lambda v: None if v is None else v.isoformat()
        if isinstance(field, models.BooleanField):
            return lambda v: None if v is None else int(v)
        return None

    def tuples(self, rows: Iterable[dict[str, Any]]) -> list[tuple[Any, ...]]:
        pick = operator.itemgetter(*self.attnames)
        defaults = self.defaults
        adapted = [(i, a) for i, a in enumerate(self.adapters) if a is not None]
        out = []
        for row in rows:
            values = pick({**defaults, **row})
            if adapted:
                values = list(values)
                for i, adapt in adapted:
                    if values[i] is not None:
                        values[i] = adapt(values[i])
                values = tuple(values)
            out.append(values)
        return out

    def write(self, rows: Sequence[dict[str, Any]]) -> int:
        return self.write_tuples(self.tuples(rows))

    def write_tuples(self, data: list[tuple[Any, ...]]) -> int:
        if not data:
            return 0
        quote = connection.ops.quote_name
        columns = ", ".join(quote(c) for c in self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                sql = f"COPY {quote(self.name)} ({columns}) FROM STDIN"
                with cursor.cursor.copy(sql) as copy:
                    for values in data:
                        copy.write_row(values)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(
                    f"INSERT INTO {quote(self.name)} ({columns}) VALUES ({marks})",  # noqa: S608
                    data,
                )
        return len(data)


def _next_id(model: type[models.Model]) -> int:
    top = model.objects.aggregate(top=models.Max("pk"))["top"]
    return (top or 0) + 1


def lock(*tables: type[models.Model]) -> None:
    # Explicit ids are taken from the current maximum: keep other writers out meanwhile.
    # (SQLite's IMMEDIATE transactions already hold the database's write lock.)
    if connection.vendor == "postgresql":
        names = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in tables)
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE")


def _sequences_reset(*tables: type[models.Model]) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), list(tables))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _plain_indexes(tables: Sequence[type[models.Model]]) -> list[tuple[str, str]]:
    """(name, definition) of the tables' indexes that no constraint stands on: neither
    unique nor a primary key — the ones that only make reading faster (PostgreSQL)."""
    names = [m._meta.db_table for m in tables]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = ANY(%s::regclass[]) AND NOT x.indisunique "
            "AND NOT x.indisprimary AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) "
            "ORDER BY i.relname",
            [names],
        )
        return list(cursor.fetchall())


def _indexes_drop(indexes: list[tuple[str, str]]) -> None:
    with connection.cursor() as cursor:
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX IF EXISTS {connection.ops.quote_name(name)}")


def _index_build(statements: list[str]) -> None:
    """Run these index builds one after another on a connection of this thread's own."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = %s", [INDEX_BUILD_MEMORY])
            for sql in statements:
                cursor.execute(sql)
    finally:
        connection.close()


def _is_search_index(definition: str) -> bool:
    return " USING gin " in definition


@dataclass(frozen=True)
class _ForeignKey:
    table: str  # as PostgreSQL names it in SQL (quoted where needed)
    name: str
    definition: str


def _foreign_keys(tables: Sequence[type[models.Model]]) -> list[_ForeignKey]:
    names = [m._meta.db_table for m in tables]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) "
            "ORDER BY 1, 2",
            [names],
        )
        return [_ForeignKey(*row) for row in cursor.fetchall()]


def _foreign_keys_drop(keys: list[_ForeignKey]) -> None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for key in keys:
            cursor.execute(f"ALTER TABLE {key.table} DROP CONSTRAINT {quote(key.name)}")


def _foreign_keys_restore(keys: list[_ForeignKey]) -> None:
    """Put the constraints back, checking the rows written from now on (NOT VALID: the
    rows already there are checked by `_foreign_keys_validate`, all at once)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for key in keys:
            cursor.execute(
                "SELECT 1 FROM pg_constraint WHERE conrelid = %s::regclass AND conname = %s",
                [key.table, key.name],
            )
            if cursor.fetchone() is None:
                cursor.execute(
                    f"ALTER TABLE {key.table} ADD CONSTRAINT {quote(key.name)} "
                    f"{key.definition} NOT VALID"
                )


def _validations(keys: list[_ForeignKey]) -> list[str]:
    """The statements checking every row against the restored constraints: one join per
    constraint instead of one lookup per row written. A violation raises (the constraint
    stays, NOT VALID). The search documents' last: their table is busy with its indexes."""
    quote = connection.ops.quote_name
    return [
        f"ALTER TABLE {key.table} VALIDATE CONSTRAINT {quote(key.name)}"
        for key in sorted(keys, key=lambda k: k.table == SearchDocument._meta.db_table)
    ]


def _reserve_numbers(day: datetime.date, count: int) -> int:
    """Take `count` numbers of `day` from its counter at once; returns the first."""
    table = connection.ops.quote_name(ServiceNumberCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, last) VALUES (%s, %s) "  # noqa: S608 - our table
            f"ON CONFLICT (day) DO UPDATE SET last = {table}.last + %s RETURNING last",
            [day, count, count],
        )
        (last,) = cursor.fetchone()
    return last - count + 1


# --- The directory the requests refer to -----------------------------------------------------


@dataclass
class _CustomerRow:
    id: int
    name: str
    phone: str
    email: str
    address: str
    organisation: str
    tokens: list[str]
    phone_key: str
    email_key: str


@dataclass
class _UnitRow:
    id: int
    customer: int
    product: int
    line: str
    serial: str
    batch: str
    produced: datetime.date
    purchased: datetime.date
    channel: str
    tokens: list[str]


def _staff_ensure() -> tuple[list[tuple[int, list[int]]], list[int]]:
    """Bulk teams with technicians, and a few agents; created once, reused by later runs."""
    teams = []
    for index in range(1, 9):
        team, _ = Team.objects.get_or_create(
            name=f"批量服务{index}组",
            defaults={"name_en": f"Bulk service team {index}", "kind": Team.Kind.FIELD_SERVICE},
        )
        members = []
        for member in range(1, 6):
            user, created = User.objects.get_or_create(
                username=f"bulk-tech-{index}-{member}",
                defaults={"role": User.Role.TECHNICIAN, "first_name": f"技师{index}-{member}"},
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
                user.teams.add(team)
            members.append(user.pk)
        teams.append((team.pk, members))
    agents = []
    for index in range(1, 6):
        user, created = User.objects.get_or_create(
            username=f"bulk-agent-{index}",
            defaults={"role": User.Role.AGENT, "first_name": f"客服{index}"},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        agents.append(user.pk)
    return teams, agents


def _products_ensure() -> dict[str, tuple[int, str, str, int]]:
    """The demo catalogue (created if missing): model -> (id, line, name, warranty)."""
    found = {}
    for model, line, name, name_en, warranty, _prefix in demo_data.PRODUCTS:
        product, _ = Product.objects.get_or_create(
            model=model,
            defaults={
                "name": name,
                "name_en": name_en,
                "category": demo_data.LINES[line][0],
                "warranty_months": warranty,
            },
        )
        found[model] = (product.pk, line, product.name, product.warranty_months)
    return found


def _customers_write(
    rng: random.Random, count: int, now: datetime.datetime, table: Table
) -> list[_CustomerRow]:
    first_id = _next_id(Customer)
    rows, made = [], []
    for offset in range(count):
        pk = first_id + offset
        city = rng.choice(demo_data.CITIES)
        surname, given = rng.choice(demo_data.SURNAMES), rng.choice(demo_data.GIVEN_NAMES)
        is_org = offset % 10 == 9
        name = (
            f"{city[0][:-1]}{rng.choice(['华信', '恒达', '金源', '长青', '东方'])}"
            f"{rng.choice(['物业', '酒店', '学校', '医院', '科技'])}有限公司{pk}"
            if is_org
            else surname[0] + given[0]
        )
        phone = f"13{rng.randint(0, 9)}{rng.randint(0, 99999999):08d}"
        email = f"{surname[1]}.{given[1]}.{pk}@{rng.choice(demo_data.EMAIL_DOMAINS)}"
        district, street = rng.choice(city[2]), rng.choice(city[3])
        address = f"{city[0]}{district}{street}{rng.randint(1, 999)}号"
        organisation = name if is_org else ""
        rows.append(
            {
                "id": pk,
                "created_at": now,
                "updated_at": now,
                "kind": Customer.Kind.ORGANISATION if is_org else Customer.Kind.PERSON,
                "name": name,
                "organisation": organisation,
                "phone": phone,
                "email": email,
                "address": address,
                "region": city[0],
                "phone_key": normalise_phone(phone),
                "email_key": normalise_email(email),
            }
        )
        made.append(
            _CustomerRow(
                pk,
                name,
                phone,
                email,
                address,
                organisation,
                tokens.index_tokens(" ".join((name, phone, email, address, organisation))),
                normalise_phone(phone),
                normalise_email(email),
            )
        )
        if len(rows) >= BATCH:
            table.write(rows)
            rows = []
    table.write(rows)
    return made


def _units_write(
    rng: random.Random,
    count: int,
    customers: list[_CustomerRow],
    products: dict[str, tuple[int, str, str, int]],
    now: datetime.datetime,
    table: Table,
) -> list[_UnitRow]:
    first_id = _next_id(Unit)
    today = now.date()
    specs = demo_data.PRODUCTS
    channels = [c for c in Unit.PurchaseChannel.values if c != "other"]
    rows, made = [], []
    for offset in range(count):
        pk = first_id + offset
        model, line, _name, _en, _warranty, prefix = rng.choice(specs)
        product_id = products[model][0]
        owner = customers[offset % len(customers)] if offset < len(customers) else None
        owner = owner or rng.choice(customers)
        produced = today - datetime.timedelta(days=rng.randint(60, 1400))
        purchased = min(today, produced + datetime.timedelta(days=rng.randint(10, 200)))
        # Nine digits of the unit id: never the shape of the demo's serial numbers.
        serial = f"{prefix}{pk:09d}"
        batch = f"B{produced:%y%m}-{prefix[:2]}{rng.randint(1, 3):02d}"
        channel = rng.choice(channels)
        rows.append(
            {
                "id": pk,
                "created_at": now,
                "updated_at": now,
                "product_id": product_id,
                "customer_id": owner.id,
                "serial_number": serial,
                "batch_number": batch,
                "production_date": produced,
                "purchase_date": purchased,
                "purchase_channel": channel,
            }
        )
        made.append(
            _UnitRow(
                pk,
                owner.id,
                product_id,
                line,
                serial,
                batch,
                produced,
                purchased,
                channel,
                tokens.index_tokens(f"{serial} {batch}"),
            )
        )
        if len(rows) >= BATCH:
            table.write(rows)
            rows = []
    table.write(rows)
    return made


# --- Requests ----------------------------------------------------------------------------------


def _day_counts(rng: random.Random, count: int, days: int) -> list[int]:
    """How many requests each day gets (oldest first), busier towards today, adding to count."""
    weights = [(0.6 + 0.8 * i / max(1, days - 1)) * rng.uniform(0.7, 1.3) for i in range(days)]
    total = sum(weights)
    counts = [int(count * w / total) for w in weights]
    for i in range(count - sum(counts)):
        counts[-1 - (i % days)] += 1
    return counts


@functools.cache
def _sequence_tokens(sequence: int) -> list[str]:
    return tokens.index_tokens(f"{sequence:04d}")


def _tokens_join(*parts: list[str]) -> str:
    return " ".join(dict.fromkeys(itertools.chain.from_iterable(parts)))


@dataclass
class _Reserved:
    request_id: int
    event_id: int
    comment_id: int
    invitation_id: int
    response_id: int
    answer_id: int
    first_numbers: dict[datetime.date, int]


def _ids_reserve(model: type[models.Model], amount: int) -> int:
    """The first of `amount` ids that no one else will be given: the table's id sequence is
    moved past them while inserts are locked out. Call inside a transaction."""
    lock(model)
    first = _next_id(model)
    last = first + amount - 1
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, last])
        else:
            cursor.execute("SELECT 1 FROM sqlite_sequence WHERE name = %s", [table])
            if cursor.fetchone():
                cursor.execute(
                    "UPDATE sqlite_sequence SET seq = MAX(seq, %s) WHERE name = %s", [last, table]
                )
            else:
                cursor.execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, last]
                )
    return first


def bulk_seed(
    *,
    count: int,
    seed: int = 1,
    days: int | None = None,
    progress: Callable[[int, int, float], None] | None = None,
) -> BulkResult:
    """Add `count` service requests over the last `days` days (default: up to a year).

    Ids and numbers are reserved first; then one thread makes the rows while this one
    writes them, a batch per transaction, so Python and the database work at the same time.
    """
    started = time.perf_counter()
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    now = timezone.now().replace(microsecond=0)
    tz = zoneinfo.ZoneInfo(settings.SERVICE_TIME_ZONE)
    days = days or max(30, min(365, count // 200))
    tables = {
        model: Table(model)
        for model in (
            Customer,
            Unit,
            *WRITE_ORDER,
        )
    }

    with transaction.atomic():
        lock(Customer, Unit)
        teams, agents = _staff_ensure()
        products = _products_ensure()
        customers = _customers_write(rng, max(50, count // 10), now, tables[Customer])
        units = _units_write(rng, max(50, count // 5), customers, products, now, tables[Unit])
        _sequences_reset(Customer, Unit)
    rows = len(customers) + len(units)

    day_counts = _day_counts(rng, count, days)
    first_day = now.astimezone(tz).date() - datetime.timedelta(days=days - 1)
    with transaction.atomic():
        # At most four events (created, status changed, survey invited and answered), two
        # comments, one invitation and response and five answers per request.
        reserved = _Reserved(
            request_id=_ids_reserve(ServiceRequest, count),
            event_id=_ids_reserve(ServiceRequestEvent, 4 * count),
            comment_id=_ids_reserve(Comment, 2 * count),
            invitation_id=_ids_reserve(Invitation, count),
            response_id=_ids_reserve(SurveyResponse, count),
            answer_id=_ids_reserve(Answer, 5 * count),
            first_numbers={
                first_day + datetime.timedelta(days=offset): _reserve_numbers(
                    first_day + datetime.timedelta(days=offset), amount
                )
                for offset, amount in enumerate(day_counts)
                if amount
            },
        )
    factory = _RequestFactory(
        rng=rng,
        now=now,
        tz=tz,
        teams=teams,
        agents=agents,
        products=products,
        customers=customers,
        units=units,
        matrix=_priority_matrix(),
        # As the intake service copies it: the unit's purchase channel in words (in the
        # language active here; the maker's thread has none).
        channel_labels={value: str(label) for value, label in Unit.PurchaseChannel.choices},
        names={
            user.pk: user.display_name
            for user in User.objects.filter(pk__in=[*agents, *(m for _t, ms in teams for m in ms)])
        },
        targets=_SlaTargets(),
        survey=_Survey.load(),
    )
    rebuilt: list[tuple[str, str]] = []
    keys: list[_ForeignKey] = []
    if connection.vendor == "postgresql" and count >= INDEX_REBUILD_FROM:
        rebuilt = _plain_indexes(WRITE_ORDER)
        _indexes_drop(rebuilt)
        # The foreign keys too: checked per row at each commit, they cost the load as much
        # as writing; they come back and are validated over all rows at the end.
        keys = _foreign_keys(WRITE_ORDER)
        _foreign_keys_drop(keys)
    # With the indexes rebuilt (and the foreign keys checked at the end), the search
    # documents go first; the search indexes are then built while the rest (kept meanwhile
    # in a temporary file, as made) is written: the GIN builds take longest, each keeping
    # one core busy.
    first = (SearchDocument,) if rebuilt else WRITE_ORDER
    later = [model for model in WRITE_ORDER if model not in first]

    def make() -> Iterator[tuple[list[list[tuple[Any, ...]]], bytes]]:
        for batch in factory.batches(reserved, first_day, day_counts):
            data = dict(zip(WRITE_ORDER, batch.parts(), strict=True))
            spooled = [tables[model].tuples(data[model]) for model in later]
            yield (
                [tables[model].tuples(data[model]) for model in first],
                pickle.dumps(spooled, protocol=pickle.HIGHEST_PROTOCOL) if later else b"",
            )

    def write(models_: Sequence[type[models.Model]], parts: list[list[tuple[Any, ...]]]) -> int:
        with transaction.atomic():
            return sum(tables[m].write_tuples(d) for m, d in zip(models_, parts, strict=True))

    done = 0
    searching = [d for _n, d in rebuilt if _is_search_index(d)]
    other_indexes = [d for _n, d in rebuilt if not _is_search_index(d)]
    with (
        tempfile.TemporaryFile() as spool,
        ThreadPoolExecutor(max_workers=len(searching) + 1) as builders,
    ):
        builds = []
        try:
            for parts, spooled in _in_background(make()):
                rows += write(first, parts)
                spool.write(spooled)
                done += len(parts[0])
                if progress is not None:
                    progress(done, count, time.perf_counter() - started)
            first_tables = {m._meta.db_table for m in first}
            _foreign_keys_restore([k for k in keys if k.table in first_tables])
            builds = [builders.submit(_index_build, [sql]) for sql in searching]
            spool.seek(0)
            while later:
                try:
                    parts = pickle.load(spool)  # noqa: S301 - our own file, just written
                except EOFError:
                    break
                rows += write(later, parts)
        finally:
            _foreign_keys_restore(keys)
            if not builds:
                builds = [builders.submit(_index_build, [sql]) for sql in searching]
            after = other_indexes + _validations(keys)
            if after:
                builds.append(builders.submit(_index_build, after))
            for build in builds:
                build.result()
        _sequences_reset(*(model for model in WRITE_ORDER if model is not SearchDocument))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in tables:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return BulkResult(requests=done, rows=rows, seconds=time.perf_counter() - started)


_DONE = object()


def _in_background(items: Iterator[Any], *, ahead: int = 2) -> Iterator[Any]:
    """`items`, made by a thread up to `ahead` in advance; its exceptions are raised here."""
    handoff: queue.Queue[Any] = queue.Queue(maxsize=ahead)
    stop = threading.Event()

    def run() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        handoff.put(item, timeout=0.5)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            handoff.put(_DONE)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            handoff.put(exc)

    maker = threading.Thread(target=run, name="bulk-rows", daemon=True)
    maker.start()
    try:
        while True:
            item = handoff.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        maker.join(timeout=5)


def _priority_matrix() -> dict[tuple[str, str], str]:
    matrix = dict(priority.DEFAULT_MATRIX)
    matrix.update({(r.impact, r.urgency): r.priority for r in PriorityRule.objects.all()})
    return matrix


class _AroundTheClock:
    """The clock of requests no SLA policy applies to (every policy switched off): 24×7."""

    @staticmethod
    def add(start: datetime.datetime, seconds: int) -> datetime.datetime:
        return start + datetime.timedelta(seconds=seconds)

    @staticmethod
    def elapsed(start: datetime.datetime, end: datetime.datetime) -> int:
        return max(0, int((end - start).total_seconds()))


@dataclass(frozen=True)
class _Sla:
    """A request's targets as the SLA engine gives them: policy, calendars and clocks."""

    policy_id: int | None
    percent: int
    first_calendar_id: int | None
    first_minutes: int | None
    first_clock: Any
    first_seconds: int
    resolution_calendar_id: int | None
    resolution_minutes: int | None
    resolution_clock: Any
    resolution_seconds: int

    def resolution_due(
        self,
        received: datetime.datetime,
        seconds: int,
        pause: tuple[datetime.datetime, datetime.datetime] | None,
    ) -> datetime.datetime:
        """`seconds` of the resolution clock after `received`, not counting a finished wait."""
        clock = self.resolution_clock
        if pause is None:
            return clock.add(received, seconds)
        if isinstance(clock, _AroundTheClock):
            return received + datetime.timedelta(seconds=seconds) + (pause[1] - pause[0])
        due = business.due_with_pauses(clock, received, seconds, [pause])
        assert due is not None  # the wait has ended  # noqa: S101
        return due


class _SlaTargets:
    """The active policies, read once (in the thread with the database connection): the
    request's `_Sla` is then found without a query, as `engine.due_times` would find it."""

    def __init__(self) -> None:
        self.snapshot = engine.PolicySnapshot.load()
        self.by_customer = any(p.customers.all() for p, _t in self.snapshot.policies)
        self.clocks: dict[int, Any] = {}
        for _policy, targets in self.snapshot.policies:
            for target in targets.values():
                for calendar in (target.first_response_calendar, target.resolution_calendar):
                    self.clocks[calendar.pk] = engine.clock_for(calendar)
        self.cache: dict[tuple[str, str, str, str, int], _Sla] = {}

    def sla(
        self, *, kind: str, category: str, channel: str, priority: str, customer_id: int
    ) -> _Sla:
        key = (kind, category, channel, priority, customer_id if self.by_customer else 0)
        found = self.cache.get(key)
        if found is not None:
            return found
        target = self.snapshot.target_for(
            kind=kind,
            category=category,
            channel=channel,
            priority=priority,
            customer_id=customer_id,
        )
        if target is None:
            targets = (
                deadlines.COMPLAINT_TARGETS
                if kind == "complaint"
                else deadlines.DEFAULT_TARGETS[priority]
            )
            clock = _AroundTheClock()
            found = _Sla(
                None,
                75,
                None,
                None,
                clock,
                int(targets.first_response.total_seconds()),
                None,
                None,
                clock,
                int(targets.resolution.total_seconds()),
            )
        else:
            found = _Sla(
                target.policy_id,
                target.policy.warning_percent,
                target.first_response_calendar_id,
                target.first_response_minutes,
                self.clocks[target.first_response_calendar_id],
                target.first_response_minutes * 60,
                target.resolution_calendar_id,
                target.resolution_minutes,
                self.clocks[target.resolution_calendar_id],
                target.resolution_minutes * 60,
            )
        self.cache[key] = found
        return found


def _span(rng: random.Random, spans: tuple[tuple[float, float, float], ...]) -> float:
    """A fraction drawn from (share, from, to) ranges."""
    x = rng.random()
    for share, low, high in spans:
        if x < share:
            return rng.uniform(low, high)
        x -= share
    return rng.uniform(spans[-1][1], spans[-1][2])


def _passed(moment: datetime.datetime | None, stop: datetime.datetime) -> datetime.datetime | None:
    """When the SLA sweep marked `moment` (a warning or due time): if it came before the
    target stopped counting."""
    return moment if moment is not None and moment < stop else None


def _life(
    rng: random.Random, now: datetime.datetime, received: datetime.datetime, sla: _Sla
) -> dict[str, Any]:
    """A request's status and the times of its life up to now, with its SLA columns."""
    first_clock, res_clock = sla.first_clock, sla.resolution_clock
    first_due = first_clock.add(received, sla.first_seconds)
    first_warn = first_clock.add(received, sla.first_seconds * sla.percent // 100)
    responded = first_clock.add(received, int(sla.first_seconds * _span(rng, FIRST_RESPONSE_SPANS)))
    work = int(sla.resolution_seconds * _span(rng, RESOLUTION_SPANS))
    pause = None
    if rng.random() < PAUSED_SHARE:
        waited = rng.randint(1800, 20 * 3600)
        start = res_clock.add(received, int(work * rng.uniform(0.1, 0.6)))
        pause = (start, res_clock.add(start, waited))
        work += waited
    resolved = res_clock.add(received, work)
    if resolved <= responded:
        resolved = responded + datetime.timedelta(minutes=rng.randint(10, 120))
    reopened_at = (
        received + (resolved - received) * rng.uniform(0.5, 0.8)
        if rng.random() < REOPENED_SHARE
        else None
    )
    cancelled_at = (
        received + datetime.timedelta(seconds=rng.randint(600, 3 * 86400))
        if rng.random() < CANCELLED_SHARE
        else None
    )
    age = now - received

    paused_since = closed_at = None
    reopen_count = 0
    if cancelled_at is not None and cancelled_at <= now:
        status, last_change = S.CANCELLED, cancelled_at
        if responded >= cancelled_at:
            responded = None
        resolved = pause = None
    elif resolved <= now:
        closed = resolved + datetime.timedelta(seconds=rng.randint(86400, 7 * 86400))
        status = S.CLOSED if closed <= now else S.RESOLVED
        closed_at = closed if status == S.CLOSED else None
        last_change = closed_at or resolved
        reopen_count = 1 if reopened_at is not None else 0
    else:
        resolved = None
        if responded > now or (age < datetime.timedelta(days=2) and rng.random() < UNTRIAGED_SHARE):
            status, responded, last_change = S.NEW, None, received
        elif pause is not None and pause[0] <= now < pause[1]:
            status, last_change = S.PENDING_CUSTOMER, pause[0]
            paused_since, pause = pause[0], None  # the running wait is counted when it ends
        elif reopened_at is not None and reopened_at <= now:
            status, last_change, reopen_count = S.REOPENED, reopened_at, 1
        else:
            status = rng.choices(OPEN_STATES, OPEN_WEIGHTS)[0]
            last_change = responded + (now - responded) * rng.uniform(0.1, 0.9)
            if status == S.PENDING_CUSTOMER:
                paused_since = last_change
    if pause is not None and pause[1] > min(now, resolved or now):
        pause = None  # not waited yet
    resolution_due = sla.resolution_due(received, sla.resolution_seconds, pause)
    resolution_warn = sla.resolution_due(
        received, sla.resolution_seconds * sla.percent // 100, pause
    )
    if status == S.CANCELLED:
        first_stop = responded or cancelled_at
        res_stop = cancelled_at
    else:
        first_stop = responded or now
        res_stop = resolved or paused_since or now
    return {
        "status": status,
        "updated_at": last_change,
        "sla_policy_id": sla.policy_id,
        "sla_warning_percent": sla.percent,
        "first_response_calendar_id": sla.first_calendar_id,
        "first_response_minutes": sla.first_minutes,
        "first_response_warn_at": first_warn,
        "first_response_due_at": first_due,
        "first_response_warned_at": _passed(first_warn, first_stop),
        "first_response_breached_at": _passed(first_due, first_stop),
        "first_responded_at": responded,
        "resolution_calendar_id": sla.resolution_calendar_id,
        "resolution_minutes": sla.resolution_minutes,
        "resolution_warn_at": resolution_warn,
        "resolution_due_at": resolution_due,
        "resolution_warned_at": _passed(resolution_warn, res_stop),
        "resolution_breached_at": _passed(resolution_due, res_stop),
        "resolved_at": resolved,
        "closed_at": closed_at,
        "cancelled_at": cancelled_at if status == S.CANCELLED else None,
        "reopen_count": reopen_count,
        "paused_since": paused_since,
        "paused_seconds": res_clock.elapsed(*pause) if pause is not None else 0,
        "version": 1 if status == S.NEW else 3 + 2 * reopen_count,
    }


@dataclass(frozen=True)
class _Survey:
    """What the survey rows need: the questions by code (active ones only for the link,
    as `surveys.services`), the cool-down and the texts of the events."""

    link_questions: tuple[tuple[int, str, str], ...]  # (id, code, kind)
    call_questions: tuple[tuple[int, str, str], ...]
    follow_up: datetime.timedelta
    valid: datetime.timedelta
    cooldown: datetime.timedelta
    sample_percent: int
    invited_note: str
    answered_note: str

    @classmethod
    def load(cls) -> "_Survey":
        rows = list(
            Question.objects.order_by("order", "id").values_list("id", "code", "kind", "is_active")
        )
        return cls(
            link_questions=tuple((pk, code, kind) for pk, code, kind, active in rows if active),
            call_questions=tuple(
                (pk, code, kind)
                for pk, code, kind, _active in rows
                if code in {"solved", "solution", "attitude", "speed"}
            ),
            follow_up=datetime.timedelta(hours=settings.FOLLOWUP_HOURS),
            valid=datetime.timedelta(days=settings.SURVEY_DAYS),
            cooldown=datetime.timedelta(days=settings.SURVEY_COOLDOWN_DAYS),
            sample_percent=settings.SURVEY_SAMPLE_PERCENT,
            invited_note=_("Survey link mailed to the customer."),
            answered_note=_("The customer answered the survey."),
        )


class _Ids:
    """The next id of each table, from the reserved ranges."""

    def __init__(self, reserved: "_Reserved") -> None:
        self.request = reserved.request_id
        self.event = reserved.event_id
        self.comment = reserved.comment_id
        self.invitation = reserved.invitation_id
        self.response = reserved.response_id
        self.answer = reserved.answer_id


class _RequestFactory:
    """Rows of requests, events, comments, search documents and survey answers; pure
    Python, no database."""

    def __init__(
        self,
        *,
        rng: random.Random,
        now: datetime.datetime,
        tz: zoneinfo.ZoneInfo,
        teams: list[tuple[int, list[int]]],
        agents: list[int],
        products: dict[str, tuple[int, str, str, int]],
        customers: list[_CustomerRow],
        units: list[_UnitRow],
        matrix: dict[tuple[str, str], str],
        channel_labels: dict[str, str],
        names: dict[int, str],
        targets: _SlaTargets,
        survey: _Survey,
    ):
        self.names = names
        self.rng, self.now, self.tz = rng, now, tz
        self.teams, self.agents, self.units = teams, agents, units
        self.matrix, self.channel_labels = matrix, channel_labels
        self.targets, self.survey = targets, survey
        self.customer_by_id = {c.id: c for c in customers}
        self.product_by_id = {
            pk: (line, name, model) for model, (pk, line, name, _w) in products.items()
        }
        self.problems_by_line: dict[str, list[tuple[Any, ...]]] = {}
        for problem in demo_data.PROBLEMS:
            for line in demo_data.LINES:
                if problem[0] in {line, ""}:
                    self.problems_by_line.setdefault(line, []).append(problem)
        self.text_tokens: dict[tuple[str, str], list[str]] = {}
        self.reply_tokens = {b: tokens.index_tokens(b) for b in demo_data.FIRST_REPLIES}
        self.note_tokens = {b: tokens.index_tokens(b) for b in demo_data.INTERNAL_NOTES}
        self.resolution_tokens = {b: tokens.index_tokens(b) for b in demo_data.RESOLUTIONS}
        # Survey invitations made so far, per customer (the cool-down).
        self.invited: dict[int, list[datetime.datetime]] = {}

    def _surveys(self, row: dict[str, Any], ids: _Ids, out: "_Rows") -> None:
        """The follow-up's survey of a resolved request: an invitation by email (if the
        sample and the cool-down allow), maybe answered; or answers taken on a call."""
        rng, now, survey = self.rng, self.now, self.survey
        request_id, resolved = row["id"], row["resolved_at"]
        asked = resolved + survey.follow_up + datetime.timedelta(minutes=rng.randint(0, 240))
        if asked >= now:
            return
        met = row["resolution_due_at"] is None or resolved <= row["resolution_due_at"]
        invitation_id = None
        answered: datetime.datetime | None = None
        questions: tuple[tuple[int, str, str], ...] = ()
        earlier = self.invited.setdefault(row["customer_id"], [])
        if rng.randrange(100) < survey.sample_percent and all(
            abs(asked - moment) >= survey.cooldown for moment in earlier
        ):
            earlier.append(asked)
            invitation_id = ids.invitation
            ids.invitation += 1
            expires = asked + survey.valid
            if rng.random() < SURVEY_ANSWER_SHARE:
                answered = asked + datetime.timedelta(seconds=rng.randint(600, 5 * 86400))
                if answered >= min(now, expires):
                    answered = None
            out.invitations.append(
                {
                    "id": invitation_id,
                    "created_at": asked,
                    "updated_at": answered or asked,
                    "request_id": request_id,
                    "customer_id": row["customer_id"],
                    "channel": "email",
                    "recipient": row["contact_email"],
                    "language": settings.LANGUAGE_CODE,
                    "expires_at": expires,
                    "used_at": answered,
                }
            )
            out.events.append(
                {
                    "id": ids.event,
                    "request_id": request_id,
                    "kind": ServiceRequestEvent.Kind.UPDATED,
                    "action": "survey.invited",
                    "note": survey.invited_note,
                    "changes": {},
                    "is_internal": True,
                    "created_at": asked,
                }
            )
            ids.event += 1
            questions = survey.link_questions
            if answered is not None:
                out.events.append(
                    {
                        "id": ids.event,
                        "request_id": request_id,
                        "kind": ServiceRequestEvent.Kind.UPDATED,
                        "action": "survey.answered",
                        "note": survey.answered_note,
                        "changes": {},
                        "is_internal": True,
                        "created_at": answered,
                    }
                )
                ids.event += 1
        elif rng.random() < PHONE_ANSWER_SHARE:
            answered = asked + datetime.timedelta(minutes=rng.randint(5, 600))
            questions = survey.call_questions
            if answered >= now:
                answered = None
        if answered is None or not questions:
            return
        response_id = ids.response
        ids.response += 1
        out.responses.append(
            {
                "id": response_id,
                "request_id": request_id,
                "invitation_id": invitation_id,
                "source": "survey" if invitation_id else "phone",
                "team_id": row["team_id"],
                "answered_at": answered,
                "recorded_by_id": None if invitation_id else rng.choice(self.agents),
            }
        )
        weights = SCORE_WEIGHTS_MET if met else SCORE_WEIGHTS_MISSED
        solved = rng.random() < (0.93 if met else 0.75)
        for question_id, code, kind in questions:
            answer: dict[str, Any] = {"id": ids.answer, "response_id": response_id}
            if kind == QuestionKind.YES_NO:
                answer["yes"] = solved if code == "solved" else rng.random() < 0.8
            elif kind == QuestionKind.SCORE:
                if rng.random() >= 0.93:
                    continue  # left empty
                answer["score"] = rng.choices((1, 2, 3, 4, 5), weights)[0] - (0 if solved else 1)
                answer["score"] = max(1, answer["score"])
            else:
                if rng.random() >= SUGGESTION_SHARE:
                    continue
                answer["text"] = rng.choice(demo_data.SURVEY_SUGGESTIONS)
            answer["question_id"] = question_id
            out.answers.append(answer)
            ids.answer += 1

    def batches(
        self, reserved: "_Reserved", first_day: datetime.date, day_counts: list[int]
    ) -> Iterator["_Rows"]:
        rng, now, tz = self.rng, self.now, self.tz
        ids = _Ids(reserved)
        out = _Rows()
        units, agents, teams = self.units, self.agents, self.teams
        customer_by_id, product_by_id = self.customer_by_id, self.product_by_id
        problems_by_line, text_tokens, matrix = self.problems_by_line, self.text_tokens, self.matrix
        reply_tokens, note_tokens = self.reply_tokens, self.note_tokens
        resolution_tokens, channel_labels = self.resolution_tokens, self.channel_labels
        names, sla_of = self.names, self.targets.sla
        for offset, amount in enumerate(day_counts):
            if not amount:
                continue
            day = first_day + datetime.timedelta(days=offset)
            first_sequence = reserved.first_numbers[day]
            # "SR-20261122-0001" is tokenised in two halves: tokens never span a dash.
            day_tokens = tokens.index_tokens(numbering.format_number(day, 0).rsplit("-", 1)[0])
            moments = sorted(
                datetime.datetime.combine(
                    day,
                    datetime.time(
                        rng.choice((8, 9, 10, 10, 11, 13, 14, 15, 16, 17, 19, 20, 21)),
                        rng.randint(0, 59),
                        rng.randint(0, 59),
                    ),
                    tzinfo=tz,
                ).astimezone(datetime.UTC)
                for _ in range(amount)
            )
            for sequence, received in enumerate(moments, start=first_sequence):
                received = min(received, now - datetime.timedelta(minutes=1))
                request_id = ids.request
                unit = rng.choice(units)
                customer = customer_by_id[unit.customer]
                line, product_name, model = product_by_id[unit.product]
                problem = rng.choice(problems_by_line[line])
                _l, title, description, kind, category, impact, urgency = problem
                description = description.format(product=product_name)
                key = (title, product_name)
                if key not in text_tokens:
                    text_tokens[key] = tokens.index_tokens(
                        f"{title} {description} {model} {product_name}"
                    )
                number = numbering.format_number(day, sequence)
                prio = matrix[(impact, urgency)]
                channel = rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0]
                life = _life(
                    rng,
                    now,
                    received,
                    sla_of(
                        kind=kind,
                        category=category,
                        channel=channel,
                        priority=prio,
                        customer_id=customer.id,
                    ),
                )
                status = life["status"]
                team_id, members = rng.choice(teams)
                assigned = status not in {S.NEW, S.CANCELLED}
                resolution = rng.choice(demo_data.RESOLUTIONS) if life["resolved_at"] else ""
                row = {
                    "id": request_id,
                    "created_at": received,
                    "number": number,
                    "kind": kind,
                    "category": category,
                    "impact": impact,
                    "urgency": urgency,
                    "priority": prio,
                    "channel": channel,
                    "customer_id": customer.id,
                    "contact_name": customer.name,
                    "contact_phone": customer.phone,
                    "contact_email": customer.email,
                    "contact_phone_key": customer.phone_key,
                    "contact_email_key": customer.email_key,
                    "address": customer.address,
                    "organisation": customer.organisation,
                    "product_id": unit.product,
                    "unit_id": unit.id,
                    "serial_number": unit.serial,
                    "batch_number": unit.batch,
                    "production_date": unit.produced,
                    "purchase_date": unit.purchased,
                    "purchase_channel": channel_labels[unit.channel],
                    "title": title,
                    "description": description,
                    "received_at": received,
                    "recorded_by_id": None if channel == "web" else rng.choice(agents),
                    "team_id": team_id if assigned else None,
                    "assignee_id": rng.choice(members) if assigned else None,
                    "scheduled_for": (
                        now + datetime.timedelta(hours=rng.randint(18, 96))
                        if status == S.SCHEDULED
                        else None
                    ),
                    "resolution": resolution,
                    **life,
                }
                out.requests.append(row)
                out.events.append(
                    {
                        "id": ids.event,
                        "request_id": request_id,
                        "kind": ServiceRequestEvent.Kind.CREATED,
                        "actor_id": row["recorded_by_id"],
                        "to_status": S.NEW,
                        "changes": {"channel": channel, "priority": prio},
                        "created_at": received,
                    }
                )
                ids.event += 1
                if status != S.NEW:
                    out.events.append(
                        {
                            "id": ids.event,
                            "request_id": request_id,
                            "kind": ServiceRequestEvent.Kind.STATUS_CHANGED,
                            "action": _LAST_ACTION[status],
                            "actor_id": row["assignee_id"] or rng.choice(agents),
                            "from_status": S.NEW,
                            "to_status": status,
                            "note": resolution,
                            "created_at": life["updated_at"],
                        }
                    )
                    ids.event += 1
                public_parts = [
                    day_tokens,
                    _sequence_tokens(sequence),
                    text_tokens[key],
                    customer.tokens,
                    unit.tokens,
                ]
                internal_parts: list[list[str]] = []
                if resolution:
                    public_parts.append(resolution_tokens[resolution])
                responded = life["first_responded_at"]
                if responded is not None:
                    body = rng.choice(demo_data.FIRST_REPLIES)
                    author = row["recorded_by_id"] or agents[0]
                    out.comments.append(
                        _comment_row(
                            ids.comment, request_id, author, names[author], body, False, responded
                        )
                    )
                    ids.comment += 1
                    public_parts.append(reply_tokens[body])
                    if rng.random() < 0.25:
                        note = rng.choice(demo_data.INTERNAL_NOTES)
                        author = row["assignee_id"] or agents[0]
                        out.comments.append(
                            _comment_row(
                                ids.comment,
                                request_id,
                                author,
                                names[author],
                                note,
                                True,
                                responded,
                            )
                        )
                        ids.comment += 1
                        internal_parts.append(note_tokens[note])
                out.documents.append(
                    {
                        "request_id": request_id,
                        "public": _tokens_join(*public_parts),
                        "internal": _tokens_join(*internal_parts),
                    }
                )
                if status in DONE:
                    self._surveys(row, ids, out)
                ids.request += 1
                if len(out.requests) >= BATCH:
                    yield out
                    out = _Rows()
        if out.requests:
            yield out


@dataclass
class _Rows:
    """One batch: rows of each table, in the order they are written (references first)."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)
    documents: list[dict[str, Any]] = field(default_factory=list)
    invitations: list[dict[str, Any]] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)
    answers: list[dict[str, Any]] = field(default_factory=list)

    def parts(self) -> list[list[dict[str, Any]]]:
        return [
            self.requests,
            self.events,
            self.comments,
            self.documents,
            self.invitations,
            self.responses,
            self.answers,
        ]
