"""Checking every row of a sheet before anything is written, and planning the writes.

`plan_for(kind, sheet)` reads what the rows refer to in a few queries (customers by phone,
email and external id, units by serial, products, users, teams, earlier imports' keys),
checks each row, and returns a `Plan`: the error report (row, column, value, message) and
the rows to create, to update and those unchanged. Nothing here writes.
"""

import datetime
import hashlib
import json
import re
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftersales.accounts.models import Team, User
from aftersales.catalog.models import Product, Unit
from aftersales.core.text import normalise_email, normalise_phone
from aftersales.customers.models import Customer
from aftersales.imports.columns import COLUMNS, header_key, header_map
from aftersales.imports.models import ImportKey, Kind
from aftersales.imports.reading import Sheet, cell_text
from aftersales.service_requests import access as request_access
from aftersales.service_requests.models import (
    Category,
    Channel,
    Priority,
    ServiceRequest,
)
from aftersales.service_requests.models import Kind as RequestKind
from aftersales.service_requests.models import Status as RequestStatus

S = RequestStatus
IMPORTABLE_STATUSES = (S.NEW, S.IN_PROGRESS, S.RESOLVED, S.CLOSED, S.CANCELLED)
NUMBER_PATTERN = re.compile(r"^SR-(\d{8})-(\d{4,})$")
CUSTOMER_FIELDS = [
    "name",
    "kind",
    "organisation",
    "phone",
    "email",
    "address",
    "region",
    "language",
]
UNIT_FIELDS = [
    "product_id",
    "customer_id",
    "batch_number",
    "production_date",
    "purchase_date",
    "purchase_channel",
    "warranty_end_override",
]


@dataclass
class RequestRow:
    row: int
    source_key: str
    number: str  # "" → generated when written
    request: ServiceRequest
    status: str
    first_responded_at: datetime.datetime | None


@dataclass
class Plan:
    kind: str
    total: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0
    # customers / units
    creates: list[tuple[int, Any, str]] = field(default_factory=list)  # (row, object, ext id)
    updates: list[tuple[int, Any, list[str]]] = field(default_factory=list)
    # requests
    requests: list[RequestRow] = field(default_factory=list)
    # Keys to record for rows matched on phone/email (customers given an external id).
    keys: list[tuple[int, Any, str]] = field(default_factory=list)

    @property
    def new(self) -> int:
        return len(self.creates) + len(self.requests)

    @property
    def updated(self) -> int:
        return len(self.updates)

    def error(self, row: int, column: str, value: Any, message: str) -> None:
        self.errors.append(
            {"row": row, "column": column, "value": cell_text(value), "message": str(message)}
        )


class RowError(Exception):
    def __init__(self, column: str, value: Any, message: str):
        super().__init__(message)
        self.column, self.value, self.message = column, value, str(message)


# --- Values ----------------------------------------------------------------------------------


_ALIASES: dict[tuple[str, ...], dict[str, str]] = {}


def _choice_aliases(choices: Iterable[tuple[str, Any]]) -> dict[str, str]:
    """A choice by its code, or its label in English or Chinese (as the interface shows it)."""
    pairs = list(choices)
    cache_key = tuple(value for value, _label in pairs)
    if cache_key not in _ALIASES:
        _ALIASES[cache_key] = _aliases_of(pairs)
    return _ALIASES[cache_key]


def _aliases_of(pairs: list[tuple[str, Any]]) -> dict[str, str]:
    aliases: dict[str, str] = {}
    for language in ("en", "zh-hans", "zh-hant"):
        with translation.override(language):
            for value, label in pairs:
                aliases[header_key(str(label))] = value
    for value, _label in pairs:
        aliases[header_key(value)] = value
    return aliases


def _choice(column: str, raw: Any, choices: Iterable[tuple[str, Any]], default: str) -> str:
    text = cell_text(raw)
    if not text:
        return default
    found = _choice_aliases(choices).get(header_key(text))
    if found is None:
        values = ", ".join(value for value, _label in choices)
        raise RowError(
            column, raw, _("Unknown value; use one of: %(values)s.") % {"values": values}
        )
    return found


def _service_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.SERVICE_TIME_ZONE)


def _date(column: str, raw: Any) -> datetime.date | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    text = cell_text(raw).replace("/", "-").replace(".", "-")
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text[:10]) if len(text) >= 10 else _short_date(text)
    except ValueError as exc:
        raise RowError(column, raw, _("Not a date; write YYYY-MM-DD.")) from exc


def _short_date(text: str) -> datetime.date:
    year, month, day = (int(part) for part in text.split("-"))
    return datetime.date(year, month, day)


def _moment(column: str, raw: Any) -> datetime.datetime | None:
    """A date and time; without an offset it is local time of the service time zone."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, datetime.datetime):
        moment = raw
    elif isinstance(raw, datetime.date):
        moment = datetime.datetime.combine(raw, datetime.time())
    else:
        text = cell_text(raw).replace("/", "-")
        if not text:
            return None
        try:
            moment = datetime.datetime.fromisoformat(text)
        except ValueError:
            loose = _loose_moment(text)
            if loose is None:
                message = _("Not a date and time; write YYYY-MM-DD HH:MM.")
                raise RowError(column, raw, message) from None
            moment = loose
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_service_zone())
    return moment.astimezone(datetime.UTC)


# What spreadsheets in China often write: 2025/3/1 9:30, 2025-03-01 09:30:15.
_LOOSE_MOMENT = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


def _loose_moment(text: str) -> datetime.datetime | None:
    """Local time (the caller adds the service time zone), or None."""
    match = _LOOSE_MOMENT.match(text.strip())
    if not match:
        return None
    year, month, day, hour, minute, second = (int(g) if g else 0 for g in match.groups())
    try:
        return datetime.datetime(year, month, day, hour, minute, second)  # noqa: DTZ001
    except ValueError:
        return None


def _check_model(obj: Any, columns: dict[str, str], exclude: list[str]) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        name, messages = next(iter(exc.message_dict.items()))
        column = columns.get(name, name)
        raise RowError(column, getattr(obj, name, ""), " ".join(messages)) from exc


# --- Reading the rows ------------------------------------------------------------------------


def _records(kind: str, sheet: Sheet, plan: Plan) -> list[tuple[int, dict[str, Any]]]:
    """The rows as {column name: value}; header problems are errors of row 1."""
    known = header_map(kind)
    positions: dict[str, int] = {}
    for index, title in enumerate(sheet.header):
        if not str(title).strip():
            continue
        name = known.get(header_key(title))
        if name is None:
            plan.error(1, str(title), title, _("Unknown column."))
        elif name in positions:
            plan.error(1, str(title), title, _("This column appears twice."))
        else:
            positions[name] = index
    for column in COLUMNS[kind]:
        if column.required and column.name not in positions:
            plan.error(1, column.name, "", _("This column is required."))
    records = []
    for number, values in sheet.rows:
        record = {
            name: values[index] if index < len(values) else None
            for name, index in positions.items()
        }
        records.append((number, record))
    plan.total = len(records)
    return records


def _text(record: dict[str, Any], name: str) -> str:
    return cell_text(record.get(name))


def _duplicate(
    plan: Plan, seen: dict[str, int], key: str, row: int, column: str, value: Any
) -> bool:
    if not key:
        return False
    first = seen.get(key)
    if first is not None:
        plan.error(
            row,
            column,
            value,
            _("Duplicate of row %(first)s (rows %(first)s and %(row)s).")
            % {"first": first, "row": row},
        )
        return True
    seen[key] = row
    return False


def _keys(kind: str, keys: Iterable[str]) -> dict[str, int]:
    wanted = [k for k in set(keys) if k]
    found: dict[str, int] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.update(
            ImportKey.objects.filter(kind=kind, key__in=chunk).values_list("key", "object_id")
        )
    return found


def _in_chunks(model: Any, field_name: str, values: Iterable[str]) -> list[Any]:
    wanted = [v for v in set(values) if v]
    found: list[Any] = []
    for start in range(0, len(wanted), 500):
        found.extend(model.objects.filter(**{f"{field_name}__in": wanted[start : start + 500]}))
    return found


class _CustomerIndex:
    """Existing customers by external id, phone key and email key (the oldest wins)."""

    def __init__(self, external_ids: Iterable[str], phones: Iterable[str], emails: Iterable[str]):
        self.by_external = _keys(Kind.CUSTOMERS, external_ids)
        self.by_id: dict[int, Customer] = {}
        self.by_phone: dict[str, Customer] = {}
        self.by_email: dict[str, Customer] = {}
        customers = [
            *_in_chunks(Customer, "phone_key", phones),
            *_in_chunks(Customer, "email_key", emails),
            *_in_chunks(Customer, "pk", [str(v) for v in self.by_external.values()]),
        ]
        for customer in sorted(customers, key=lambda c: c.pk):
            self.by_id.setdefault(customer.pk, customer)
            if customer.phone_key:
                self.by_phone.setdefault(customer.phone_key, customer)
            if customer.email_key:
                self.by_email.setdefault(customer.email_key, customer)

    def find(self, external_id: str, phone_key: str, email_key: str) -> Customer | None:
        if external_id and external_id in self.by_external:
            return self.by_id.get(self.by_external[external_id])
        if phone_key and phone_key in self.by_phone:
            return self.by_phone[phone_key]
        if email_key and email_key in self.by_email:
            return self.by_email[email_key]
        return None


def _customer_ref(record: dict[str, Any], index: _CustomerIndex, required: bool) -> Customer | None:
    external_id = _text(record, "customer_external_id")
    phone = normalise_phone(_text(record, "customer_phone"))
    email = normalise_email(_text(record, "customer_email"))
    if not (external_id or phone or email):
        if required:
            raise RowError(
                "customer_phone",
                "",
                _("Name the customer: customer_external_id, customer_phone or customer_email."),
            )
        return None
    customer = index.find(external_id, phone, email)
    if customer is None:
        column = (
            "customer_external_id"
            if external_id
            else "customer_phone"
            if phone
            else "customer_email"
        )
        value = record.get(column)
        raise RowError(column, value, _("No such customer; import the customers first."))
    return customer


# --- Customers -------------------------------------------------------------------------------


def _plan_customers(records: list[tuple[int, dict[str, Any]]], plan: Plan) -> None:
    index = _CustomerIndex(
        (_text(r, "external_id") for _n, r in records),
        (normalise_phone(_text(r, "phone")) for _n, r in records),
        (normalise_email(_text(r, "email")) for _n, r in records),
    )
    seen_external: dict[str, int] = {}
    seen_phone: dict[str, int] = {}
    seen_email: dict[str, int] = {}
    seen_customers: dict[str, int] = {}
    columns = {name: name for name in CUSTOMER_FIELDS}
    for row, record in records:
        try:
            external_id = _text(record, "external_id")
            name = _text(record, "name")
            phone, email = _text(record, "phone"), _text(record, "email")
            phone_key, email_key = normalise_phone(phone), normalise_email(email)
            if len(external_id) > 150:
                raise RowError("external_id", external_id, _("At most 150 characters."))
            if not name:
                raise RowError("name", "", _("A name is required."))
            if not (phone_key or email_key):
                raise RowError("phone", phone, _("A phone number or an email is required."))
            duplicate = _duplicate(
                plan, seen_external, external_id, row, "external_id", external_id
            )
            duplicate |= _duplicate(plan, seen_phone, phone_key, row, "phone", phone)
            duplicate |= _duplicate(plan, seen_email, email_key, row, "email", email)
            if duplicate:
                continue
            values = {
                "name": name,
                "kind": _choice("kind", record.get("kind"), Customer.Kind.choices, "person"),
                "organisation": _text(record, "organisation"),
                "phone": phone,
                "email": email,
                "address": _text(record, "address"),
                "region": _text(record, "region"),
                "language": _choice("language", record.get("language"), settings.LANGUAGES, ""),
            }
            existing = index.find(external_id, phone_key, email_key)
            if existing is not None and _duplicate(
                plan,
                seen_customers,
                str(existing.pk),
                row,
                "phone" if phone else "email",
                phone or email,
            ):
                continue  # two rows that are the same stored customer
            if existing is None:
                customer = Customer(**values, phone_key=phone_key, email_key=email_key)
                _check_model(customer, columns, ["phone_key", "email_key"])
                plan.creates.append((row, customer, external_id))
                continue
            # Only what the file says is changed; an empty cell keeps the stored value.
            changed = [
                name for name, value in values.items() if value and getattr(existing, name) != value
            ]
            if changed:
                for name in changed:
                    setattr(existing, name, values[name])
                existing.phone_key = normalise_phone(existing.phone)
                existing.email_key = normalise_email(existing.email)
                _check_model(existing, columns, ["phone_key", "email_key"])
                plan.updates.append((row, existing, changed))
            else:
                plan.unchanged += 1
            if external_id and external_id not in index.by_external:
                plan.keys.append((row, existing, external_id))
        except RowError as exc:
            plan.error(row, exc.column, exc.value, exc.message)


# --- Units -----------------------------------------------------------------------------------


def _plan_units(records: list[tuple[int, dict[str, Any]]], plan: Plan) -> None:
    serials = [_text(r, "serial_number") for _n, r in records]
    existing_units = {u.serial_number: u for u in _in_chunks(Unit, "serial_number", serials)}
    products = {
        p.model.casefold(): p
        for p in _in_chunks(Product, "model", (_text(r, "product_model") for _n, r in records))
    }
    # Models typed in another case: read the catalogue once.
    if len(products) < len({_text(r, "product_model").casefold() for _n, r in records}):
        products = {p.model.casefold(): p for p in Product.objects.all()}
    index = _CustomerIndex(
        (_text(r, "customer_external_id") for _n, r in records),
        (normalise_phone(_text(r, "customer_phone")) for _n, r in records),
        (normalise_email(_text(r, "customer_email")) for _n, r in records),
    )
    seen: dict[str, int] = {}
    columns = {
        "serial_number": "serial_number",
        "product": "product_model",
        "batch_number": "batch_number",
        "production_date": "production_date",
        "purchase_date": "purchase_date",
        "purchase_channel": "purchase_channel",
        "warranty_end_override": "warranty_end",
    }
    for row, record in records:
        try:
            serial = _text(record, "serial_number")
            if not serial:
                raise RowError("serial_number", "", _("A serial number is required."))
            if _duplicate(plan, seen, serial, row, "serial_number", serial):
                continue
            model = _text(record, "product_model")
            product = products.get(model.casefold())
            if product is None:
                raise RowError(
                    "product_model", model, _("No product with this model in the catalogue.")
                )
            customer = _customer_ref(record, index, required=False)
            values = {
                "product_id": product.pk,
                "customer_id": customer.pk if customer else None,
                "batch_number": _text(record, "batch_number"),
                "production_date": _date("production_date", record.get("production_date")),
                "purchase_date": _date("purchase_date", record.get("purchase_date")),
                "purchase_channel": _choice(
                    "purchase_channel",
                    record.get("purchase_channel"),
                    Unit.PurchaseChannel.choices,
                    "",
                ),
                "warranty_end_override": _date("warranty_end", record.get("warranty_end")),
            }
            produced, purchased = values["production_date"], values["purchase_date"]
            if produced and purchased and purchased < produced:
                raise RowError(
                    "purchase_date",
                    record.get("purchase_date"),
                    _("The purchase date is before the production date."),
                )
            unit = existing_units.get(serial)
            if unit is None:
                unit = Unit(serial_number=serial, **values)
                _check_model(unit, columns, ["product", "customer"])
                plan.creates.append((row, unit, ""))
                continue
            changed = [
                name
                for name, value in values.items()
                if value not in (None, "") and getattr(unit, name) != value
            ]
            if changed:
                for name in changed:
                    setattr(unit, name, values[name])
                if (
                    unit.production_date
                    and unit.purchase_date
                    and unit.purchase_date < unit.production_date
                ):
                    raise RowError(
                        "purchase_date",
                        record.get("purchase_date"),
                        _("The purchase date is before the production date."),
                    )
                _check_model(unit, columns, ["product", "customer"])
                plan.updates.append((row, unit, changed))
            else:
                plan.unchanged += 1
        except RowError as exc:
            plan.error(row, exc.column, exc.value, exc.message)


# --- Historical requests ---------------------------------------------------------------------


def row_hash(record: dict[str, Any]) -> str:
    """The identity of a row without number or reference: its values, normalised."""
    canonical = {name: cell_text(value) for name, value in sorted(record.items())}
    return hashlib.sha256(json.dumps(canonical, ensure_ascii=False).encode()).hexdigest()


def source_key(record: dict[str, Any]) -> str:
    reference = _text(record, "external_reference")
    if reference:
        return f"ref:{reference}"
    number = _text(record, "number")
    if number:
        return f"number:{number.upper()}"
    return f"row:{row_hash(record)}"


def _plan_requests(records: list[tuple[int, dict[str, Any]]], plan: Plan) -> None:
    now = timezone.now()
    index = _CustomerIndex(
        (_text(r, "customer_external_id") for _n, r in records),
        (normalise_phone(_text(r, "customer_phone")) for _n, r in records),
        (normalise_email(_text(r, "customer_email")) for _n, r in records),
    )
    keys = {row: source_key(record) for row, record in records}
    imported = _keys(Kind.REQUESTS, keys.values())
    numbers = {_text(r, "number").upper() for _n, r in records if _text(r, "number")}
    taken = {r.number.upper(): r.pk for r in _in_chunks(ServiceRequest, "number", numbers)}
    references = {
        (r.channel, r.external_reference)
        for r in _in_chunks(
            ServiceRequest,
            "external_reference",
            (_text(r, "external_reference") for _n, r in records),
        )
    }
    imported_ids = set(
        ImportKey.objects.filter(
            kind=Kind.REQUESTS, object_id__in=list(taken.values())
        ).values_list("object_id", flat=True)
    )
    units = {
        u.serial_number: u
        for u in _in_chunks(Unit, "serial_number", (_text(r, "serial_number") for _n, r in records))
    }
    usernames = {_text(r, "assignee") for _n, r in records}
    users = {u.username: u for u in _in_chunks(User, "username", usernames)}
    teams: dict[str, Team] = {}
    for team in Team.objects.all():
        teams.setdefault(header_key(team.name), team)
        if team.name_en:
            teams.setdefault(header_key(team.name_en), team)
    products = {
        p.pk: p for p in Product.objects.filter(pk__in={u.product_id for u in units.values()})
    }
    seen_keys: dict[str, int] = {}
    seen_numbers: dict[str, int] = {}
    for row, record in records:
        try:
            key = keys[row]
            number = _text(record, "number").upper()
            if _duplicate(plan, seen_keys, key, row, _key_column(key), _key_value(record, key)):
                continue
            if _duplicate(plan, seen_numbers, number, row, "number", number):
                continue
            if key in imported:
                plan.unchanged += 1
                continue
            if number and number in taken:
                if taken[number] in imported_ids:
                    plan.unchanged += 1
                    continue
                raise RowError(
                    "number", number, _("A request with this number exists and was not imported.")
                )
            if len(number) > 32:
                raise RowError("number", number, _("At most 32 characters."))
            if len(_text(record, "external_reference")) > 100:
                raise RowError(
                    "external_reference",
                    record.get("external_reference"),
                    _("At most 100 characters."),
                )
            item = _request_row(row, record, key, number, now, index, units, products, users, teams)
            reference = _text(record, "external_reference")
            if reference and (item.request.channel, reference) in references:
                raise RowError(
                    "external_reference",
                    reference,
                    _("A request from this channel already has this reference."),
                )
            references.add((item.request.channel, reference))
            plan.requests.append(item)
        except RowError as exc:
            plan.error(row, exc.column, exc.value, exc.message)


def _key_column(key: str) -> str:
    return {"ref": "external_reference", "number": "number"}.get(key.split(":", 1)[0], "")


def _key_value(record: dict[str, Any], key: str) -> Any:
    column = _key_column(key)
    return record.get(column) if column else _("the same row")


def _request_row(
    row: int,
    record: dict[str, Any],
    key: str,
    number: str,
    now: datetime.datetime,
    index: _CustomerIndex,
    units: dict[str, Unit],
    products: dict[int, Product],
    users: dict[str, User],
    teams: dict[str, Team],
) -> RequestRow:
    received = _moment("received_at", record.get("received_at"))
    if received is None:
        raise RowError("received_at", "", _("The time received is required."))
    if received > now:
        raise RowError(
            "received_at",
            record.get("received_at"),
            _("The time received cannot be in the future."),
        )
    status = _choice(
        "status", record.get("status"), [(s.value, s.label) for s in IMPORTABLE_STATUSES], ""
    )
    if not status:
        raise RowError(
            "status",
            "",
            _("The status is required: new, in_progress, resolved, closed or cancelled."),
        )
    times: dict[str, datetime.datetime | None] = {}
    for name in ("first_responded_at", "resolved_at", "closed_at", "cancelled_at"):
        moment = _moment(name, record.get(name))
        if moment is not None and moment < received:
            raise RowError(name, record.get(name), _("This is before the time received."))
        if moment is not None and moment > now:
            raise RowError(name, record.get(name), _("This time is in the future."))
        times[name] = moment
    resolution = _text(record, "resolution")
    needs = {
        S.RESOLVED: {"resolved_at"},
        S.CLOSED: {"resolved_at", "closed_at"},
        S.CANCELLED: {"cancelled_at"},
    }.get(status, set())
    for name in ("resolved_at", "closed_at", "cancelled_at"):
        if name in needs and times[name] is None:
            raise RowError(name, "", _("Required for this status."))
        if name not in needs and times[name] is not None:
            raise RowError(name, record.get(name), _("Must be empty for this status."))
    if status in (S.RESOLVED, S.CLOSED) and not resolution:
        raise RowError("resolution", "", _("A resolution is required for this status."))
    if status == S.CLOSED and times["closed_at"] < times["resolved_at"]:
        raise RowError("closed_at", record.get("closed_at"), _("Closed before it was resolved."))
    customer = _customer_ref(record, index, required=True)
    assignee = None
    username = _text(record, "assignee")
    if username:
        assignee = users.get(username)
        if assignee is None:
            raise RowError("assignee", username, _("No user with this username."))
        if not request_access.can_work_as_assignee(assignee):
            raise RowError("assignee", username, _("This user cannot work requests."))
    elif status == S.IN_PROGRESS:
        raise RowError("assignee", "", _("A request in progress needs an assignee."))
    team = None
    team_name = _text(record, "team")
    if team_name:
        team = teams.get(header_key(team_name))
        if team is None:
            raise RowError("team", team_name, _("No team with this name."))
    serial = _text(record, "serial_number")
    unit = units.get(serial) if serial else None
    product = products.get(unit.product_id) if unit else None
    priority = _choice("priority", record.get("priority"), Priority.choices, Priority.MEDIUM)
    request = ServiceRequest(
        number=number,
        status=status,
        kind=_choice("kind", record.get("kind"), RequestKind.choices, RequestKind.REPAIR),
        category=_choice("category", record.get("category"), Category.choices, Category.OTHER),
        priority=priority,
        channel=_choice("channel", record.get("channel"), Channel.choices, Channel.IMPORT),
        customer=customer,
        contact_name=customer.name,
        contact_phone=customer.phone,
        contact_email=customer.email,
        contact_phone_key=customer.phone_key,
        contact_email_key=customer.email_key,
        address=customer.address,
        organisation=customer.organisation,
        unit=unit,
        product=product,
        serial_number=serial,
        batch_number=unit.batch_number if unit else "",
        production_date=unit.production_date if unit else None,
        purchase_date=unit.purchase_date if unit else None,
        purchase_channel=unit.get_purchase_channel_display() if unit else "",
        external_reference=_text(record, "external_reference"),
        title=_text(record, "title"),
        description=_text(record, "description"),
        received_at=received,
        team=team or None,
        assignee=assignee,
        first_responded_at=times["first_responded_at"],
        resolved_at=times["resolved_at"],
        closed_at=times["closed_at"],
        cancelled_at=times["cancelled_at"],
        resolution=resolution,
    )
    if not request.title:
        raise RowError("title", "", _("A title is required."))
    columns = {f: f for f in ("title", "description", "resolution", "serial_number")}
    _check_model(
        request,
        columns,
        ["number", "customer", "unit", "product", "team", "assignee", "recorded_by"],
    )
    return RequestRow(row, key, number, request, status, times["first_responded_at"])


PLANNERS = {
    Kind.CUSTOMERS: _plan_customers,
    Kind.UNITS: _plan_units,
    Kind.REQUESTS: _plan_requests,
}


def plan_for(kind: str, sheet: Sheet) -> Plan:
    plan = Plan(kind=kind)
    records = _records(kind, sheet, plan)
    if plan.errors:
        return plan  # the header is wrong: the rows cannot be read
    PLANNERS[kind](records, plan)
    plan.errors.sort(key=lambda e: (e["row"], e["column"]))
    return plan
