"""The demo data set: a manufacturer's service department after two months of work.

- demo_exists: whether the demo data are already there
- demo_seed: build them once (idempotent); returns the demo accounts with their passwords

Requests are filed and moved through the real services (service_request_create,
service_request_act, comment_add), so numbers, events, due times and the search index are
exactly what the product itself would have written. Those services stamp everything with
`timezone.now()`; to replay sixty days of history they run on a simulated clock that is
set to each step's moment (never later than the real now). Everything but the passwords
comes from a fixed random seed, so the data are the same on every run.
"""

import contextlib
import datetime
import random
import secrets
import zoneinfo
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from aftersales.accounts.models import Team, User
from aftersales.catalog.models import Product, Unit
from aftersales.complaints.demo import complaints_demo_seed
from aftersales.core import demo_data
from aftersales.customers.models import Contact, Customer
from aftersales.dispatch.demo import dispatch_demo_seed
from aftersales.followups.demo import followups_demo_before_close, followups_demo_seed
from aftersales.mailin.demo import mailin_demo_seed
from aftersales.parts.demo import parts_demo_seed
from aftersales.quality.demo import quality_demo_seed
from aftersales.repair_records.demo import repair_records_demo_seed
from aftersales.repairs.demo import repairs_demo_seed
from aftersales.returns.demo import returns_demo_seed
from aftersales.search.services import search_index_rebuild
from aftersales.service_requests import services
from aftersales.service_requests.models import ServiceRequest
from aftersales.visits.demo import visits_demo_seed
from aftersales.webhooks.demo import webhooks_demo_seed

SEED = 20261122
DAYS = 60
REQUESTS = 300
ACCOUNTS_FILE = "demo-accounts.txt"

S = ServiceRequest.Status
Role = User.Role


@dataclass
class DemoResult:
    created: bool
    accounts: list[tuple[str, str, str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def demo_exists() -> bool:
    return Product.objects.filter(model=demo_data.PRODUCTS[0][0]).exists()


# --- A clock the services can be run on ---------------------------------------------------


class _SimulatedClock:
    """While active, `django.utils.timezone.now()` answers `moment` (when set)."""

    def __init__(self) -> None:
        self.moment: datetime.datetime | None = None
        self._real: Callable[[], datetime.datetime] = timezone.now

    def now(self) -> datetime.datetime:
        return self.moment if self.moment is not None else self._real()

    @contextlib.contextmanager
    def running(self) -> Iterator["_SimulatedClock"]:
        self._real = timezone.now
        timezone.now = self.now
        try:
            yield self
        finally:
            timezone.now = self._real


# --- Directory: teams, staff, customers, products, units ------------------------------------

# key: (Chinese name, English name, kind)
TEAMS = {
    "desk": ("客服中心", "Service desk", Team.Kind.SERVICE_DESK),
    "complaints": ("投诉处理组", "Complaints", Team.Kind.COMPLAINTS),
    "technical": ("技术支持部", "Technical support", Team.Kind.TECHNICAL),
    "field_north": ("上门服务一组（华北）", "Field service North", Team.Kind.FIELD_SERVICE),
    "field_south": ("上门服务二组（华南）", "Field service South", Team.Kind.FIELD_SERVICE),
    "quality": ("质量控制部", "Production / QC", Team.Kind.QUALITY),
    "rnd": ("研发部", "R&D", Team.Kind.RND),
    "training": ("培训部", "Training", Team.Kind.TRAINING),
    "warehouse": ("仓储物流部", "Warehouse", Team.Kind.WAREHOUSE),
}

# username: (role, surname, given name, teams, supervises)
STAFF = {
    "agent1": (Role.AGENT, "王", "芳", ["desk"], []),
    "agent2": (Role.AGENT, "李", "娜", ["desk"], []),
    "agent3": (Role.AGENT, "陈", "静", ["desk", "complaints"], []),
    "agent4": (Role.AGENT, "赵", "敏", ["desk", "complaints"], []),
    "tech1": (Role.TECHNICIAN, "张", "强", ["field_north"], []),
    "tech2": (Role.TECHNICIAN, "刘", "磊", ["field_north"], []),
    "tech3": (Role.TECHNICIAN, "黄", "军", ["field_south"], []),
    "tech4": (Role.TECHNICIAN, "周", "勇", ["field_south"], []),
    "tech5": (Role.TECHNICIAN, "吴", "涛", ["technical", "training"], []),
    "tech6": (Role.TECHNICIAN, "徐", "杰", ["technical", "quality"], []),
    "tech7": (Role.TECHNICIAN, "孙", "明", ["rnd"], []),
    "lead1": (Role.SUPERVISOR, "郭", "建华", ["desk", "complaints"], ["desk", "complaints"]),
    "lead2": (
        Role.SUPERVISOR,
        "马",
        "志强",
        ["field_north", "field_south"],
        ["field_north", "field_south"],
    ),
    "lead3": (
        Role.SUPERVISOR,
        "林",
        "海波",
        ["technical", "quality", "rnd", "training"],
        ["technical", "quality", "rnd", "training"],
    ),
    "qc1": (Role.DEPARTMENT, "何", "晓燕", ["quality"], []),
    "rnd1": (Role.DEPARTMENT, "罗", "超", ["rnd"], []),
    "train1": (Role.DEPARTMENT, "梁", "雪梅", ["training"], []),
    "wh1": (Role.DEPARTMENT, "宋", "刚", ["warehouse"], ["warehouse"]),
    "analyst1": (Role.ANALYST, "郑", "平", [], []),
}
CUSTOMER_ACCOUNTS = 5


PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105 - an alphabet, not a password


def _password() -> str:
    # Letters and digits only, none that look alike: easy to read off a terminal.
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(12))


def _phone(rng: random.Random) -> str:
    return f"13{rng.randint(0, 9)}{rng.randint(0, 99999999):08d}"


def _address(rng: random.Random, city: tuple[str, str, list[str], list[str]]) -> str:
    name, _region, districts, streets = city
    return (
        f"{name}{rng.choice(districts)}{rng.choice(streets)}{rng.randint(1, 999)}号"
        f"{rng.randint(1, 30)}栋{rng.randint(1, 28)}0{rng.randint(1, 6)}室"
    )


@dataclass
class _Directory:
    teams: dict[str, Team]
    staff: dict[str, User]
    customers: list[Customer]
    english: set[int]
    region: dict[int, str]
    accounts: dict[int, User]
    units: dict[int, list[Unit]]
    lead_of: dict[str, User]
    dept_of: dict[str, User]


def _build_directory(rng: random.Random, anchor: datetime.datetime) -> tuple[_Directory, list]:
    teams = {
        key: Team.objects.create(name=name, name_en=name_en, kind=kind)
        for key, (name, name_en, kind) in TEAMS.items()
    }
    customers: list[Customer] = []
    english: set[int] = set()
    region: dict[int, str] = {}
    used_emails: set[str] = set()

    def person(surname: tuple[str, str], given: tuple[str, str]) -> tuple[str, str]:
        email = f"{surname[1]}.{given[1]}"
        while email in used_emails:
            email = f"{surname[1]}.{given[1]}{rng.randint(1, 99)}"
        used_emails.add(email)
        return surname[0] + given[0], f"{email}@{rng.choice(demo_data.EMAIL_DOMAINS)}"

    for _ in range(43):
        city = rng.choice(demo_data.CITIES)
        name, email = person(rng.choice(demo_data.SURNAMES), rng.choice(demo_data.GIVEN_NAMES))
        customer = Customer(
            kind=Customer.Kind.PERSON,
            name=name,
            phone=_phone(rng),
            email=email if rng.random() < 0.8 else "",
            address=_address(rng, city),
            region=city[0],
        )
        customer.save()
        customers.append(customer)
        region[customer.pk] = city[1]
    for en_name, handle in demo_data.ENGLISH_CUSTOMERS:
        city = rng.choice([c for c in demo_data.CITIES if c[0] in {"上海市", "北京市", "深圳市"}])
        customer = Customer(
            kind=Customer.Kind.PERSON,
            name=en_name,
            phone=_phone(rng),
            email=f"{handle}@example.com",
            address=_address(rng, city),
            region=city[0],
            language="en",
        )
        customer.save()
        customers.append(customer)
        english.add(customer.pk)
        region[customer.pk] = city[1]
    for org_name, city_name, roles in demo_data.ORGANISATIONS:
        city = next(c for c in demo_data.CITIES if c[0] == city_name)
        is_english = not any("\u4e00" <= ch <= "\u9fff" for ch in org_name)
        customer = Customer(
            kind=Customer.Kind.ORGANISATION,
            name=org_name,
            organisation=org_name,
            phone=f"0{rng.randint(10, 29)}-{rng.randint(60000000, 89999999)}",
            email=f"service{len(customers)}@{rng.choice(demo_data.EMAIL_DOMAINS)}",
            address=_address(rng, city).split("号")[0] + "号",
            region=city_name,
            language="en" if is_english else "",
        )
        customer.save()
        customers.append(customer)
        region[customer.pk] = city[1]
        if is_english:
            english.add(customer.pk)
        for role in roles:
            if is_english:
                contact_name, handle = rng.choice(demo_data.ENGLISH_CUSTOMERS)
                contact_email = f"{handle}.{len(customers)}@example.org"
            else:
                contact_name, contact_email = person(
                    rng.choice(demo_data.SURNAMES), rng.choice(demo_data.GIVEN_NAMES)
                )
            Contact(
                customer=customer,
                name=contact_name,
                role=role,
                phone=_phone(rng),
                email=contact_email,
            ).save()

    products = []
    for model, line, name, name_en, warranty, _prefix in demo_data.PRODUCTS:
        products.append(
            Product.objects.create(
                model=model,
                name=name,
                name_en=name_en,
                category=demo_data.LINES[line][0],
                warranty_months=warranty,
            )
        )

    today = anchor.date()
    units: list[Unit] = []
    counters: dict[str, int] = {}
    owners = [c for c in customers if c.kind == Customer.Kind.PERSON]
    orgs = [c for c in customers if c.kind == Customer.Kind.ORGANISATION]
    for index in range(200):
        spec_index = rng.randrange(len(demo_data.PRODUCTS))
        spec, product = demo_data.PRODUCTS[spec_index], products[spec_index]
        # Every person owns at least one unit; organisations buy in bulk.
        if index < len(owners):
            owner = owners[index]
        elif index % 2:
            owner = rng.choice(orgs)
        else:
            owner = rng.choice(customers)
        produced = today - datetime.timedelta(days=rng.randint(40, 1000))
        purchased = min(today, produced + datetime.timedelta(days=rng.randint(10, 200)))
        line_no = rng.randint(1, 3)
        batch = f"B{produced:%y%m}-{spec[5][:2]}{line_no:02d}"
        key = f"{spec[5]}{produced:%y%m}"
        counters[key] = counters.get(key, 0) + 1
        channel = (
            Unit.PurchaseChannel.PROJECT
            if owner.kind == Customer.Kind.ORGANISATION
            else rng.choice(
                [
                    Unit.PurchaseChannel.DEALER,
                    Unit.PurchaseChannel.ONLINE,
                    Unit.PurchaseChannel.ONLINE,
                    Unit.PurchaseChannel.DIRECT,
                ]
            )
        )
        units.append(
            Unit(
                product=product,
                customer=owner,
                serial_number=f"{key}{line_no}{counters[key]:05d}",
                batch_number=batch,
                production_date=produced,
                purchase_date=purchased,
                purchase_channel=channel,
            )
        )
    Unit.objects.bulk_create(units)
    by_customer: dict[int, list[Unit]] = {}
    for unit in Unit.objects.select_related("product").order_by("id"):
        by_customer.setdefault(unit.customer_id, []).append(unit)

    # Accounts: staff of every role, and a few customers who use the portal.
    people = list(STAFF.items())
    persons = [c for c in customers if c.kind == Customer.Kind.PERSON]
    # The first English-speaking customer has an account too.
    account_customers = [*persons[: CUSTOMER_ACCOUNTS - 1], customers[43]]
    staff: dict[str, User] = {}
    printed = []
    for username, (role, surname, given, team_keys, _sup) in people:
        user = User(
            username=username,
            role=role,
            # Chinese names read surname first, with no space: one field keeps that order.
            first_name=surname + given,
            email=f"{username}@aftersales.example.com",
            phone=_phone(rng),
        )
        user.set_unusable_password()  # the real one is hashed in the background, see demo_seed
        user.full_clean()
        user.save()
        user.teams.set([teams[k] for k in team_keys])
        staff[username] = user
        printed.append((username, str(user.get_role_display()), _password()))
    for key in TEAMS:
        supervisor = next(
            (staff[u] for u, spec in STAFF.items() if key in spec[4]),
            None,
        )
        if supervisor is not None:
            teams[key].supervisor = supervisor
            teams[key].save(update_fields=["supervisor", "updated_at"])
    accounts: dict[int, User] = {}
    for number, customer in enumerate(account_customers, start=1):
        username = f"cust{number}"
        user = User(
            username=username,
            role=Role.CUSTOMER,
            customer=customer,
            first_name=customer.name,
            email=customer.email,
            phone=customer.phone,
        )
        user.set_unusable_password()
        user.full_clean()
        user.save()
        accounts[customer.pk] = user
        printed.append((username, str(user.get_role_display()), _password()))

    lead_of = {key: staff[u] for key in TEAMS for u, spec in STAFF.items() if key in spec[4]}
    dept_of = {
        "quality": staff["qc1"],
        "rnd": staff["rnd1"],
        "training": staff["train1"],
        "warehouse": staff["wh1"],
    }
    directory = _Directory(
        teams=teams,
        staff=staff,
        customers=customers,
        english=english,
        region=region,
        accounts=accounts,
        units=by_customer,
        lead_of=lead_of,
        dept_of=dept_of,
    )
    return directory, printed


# --- Requests: a plan of steps per request, run on the simulated clock ---------------------

FINAL_STATES = list(S)  # every status, in the order of the lifecycle
_WEIGHTS_RECENT = [22, 18, 15, 6, 8, 10, 12, 4, 1, 4]
_WEIGHTS_MIDDLE = [3, 5, 12, 5, 8, 8, 20, 27, 6, 6]
_WEIGHTS_OLD = [1, 1, 4, 2, 4, 2, 8, 68, 3, 7]
CHANNELS = [
    (ServiceRequest.Channel.PHONE, 32),
    (ServiceRequest.Channel.WEB, 16),
    (ServiceRequest.Channel.EMAIL, 10),
    (ServiceRequest.Channel.CHAT, 8),
    (ServiceRequest.Channel.WECHAT, 6),
    (ServiceRequest.Channel.SOCIAL, 4),
    (ServiceRequest.Channel.DEALER, 3),
    (ServiceRequest.Channel.WALK_IN, 5),
    (ServiceRequest.Channel.API, 9),
    (ServiceRequest.Channel.IMPORT, 7),
]


@dataclass
class Step:
    hours: float
    action: str  # a lifecycle action, or "reply", "note", "customer-reply", "dept-note"
    actor: str  # "agent", "worker", "lead", "customer", "dept"
    data: dict[str, Any] = field(default_factory=dict)


def _route(
    rng: random.Random, kind: str, category: str, region: str, directory: _Directory
) -> tuple[str, User]:
    """The team and person a request goes to (SPEC §2.3: by category, then by region)."""
    staff = directory.staff
    field_team = "field_north" if region == "north" else "field_south"
    field_people = ["tech1", "tech2"] if region == "north" else ["tech3", "tech4"]
    if kind == "complaint":
        return "complaints", staff[rng.choice(["agent3", "agent4", "lead1"])]
    if category == "software":
        return "rnd", staff["tech7"]
    if kind in {"return", "replacement"}:
        return "technical", staff[rng.choice(["tech5", "tech6"])]
    if category == "product_quality" and rng.random() < 0.3:
        return "quality", staff["tech6"]
    if kind == "consultation" or (category == "usage" and kind != "maintenance"):
        if category == "usage" and rng.random() < 0.5:
            return "training", staff["tech5"]
        return "desk", staff[rng.choice(["agent1", "agent2"])]
    if category == "technical" and rng.random() < 0.4:
        return "technical", staff[rng.choice(["tech5", "tech6"])]
    return field_team, staff[rng.choice(field_people)]


def _visit_time(rng: random.Random, after: datetime.datetime) -> datetime.datetime:
    """A visit on a later day between 09:00 and 17:00 service time."""
    tz = zoneinfo.ZoneInfo(settings.SERVICE_TIME_ZONE)
    local = after.astimezone(tz) + datetime.timedelta(days=rng.randint(1, 3))
    return local.replace(
        hour=rng.randint(9, 16), minute=rng.choice([0, 30]), second=0, microsecond=0
    ).astimezone(datetime.UTC)


def _plan(
    rng: random.Random,
    final: str,
    *,
    kind: str,
    category: str,
    team: str,
    english: bool,
    has_account: bool,
) -> list[Step]:
    """Steps (hours after receipt) that lead to `final` the way the process runs."""
    pick = rng.choice
    hours = 0.0
    steps: list[Step] = []

    def add(gap: tuple[float, float], action: str, actor: str, **data: Any) -> None:
        nonlocal hours
        hours += rng.uniform(*gap)
        steps.append(Step(hours, action, actor, data))

    replies = demo_data.FIRST_REPLIES_EN if english else demo_data.FIRST_REPLIES
    if final == S.NEW:
        if rng.random() < 0.4:
            add((0.05, 2), "reply", "agent", body=pick(replies))
        return steps
    if final == S.CANCELLED:
        if rng.random() < 0.5:
            add((0.05, 2), "reply", "agent", body=pick(replies))
        add((0.5, 30), "cancel", "agent", reason=pick(demo_data.CANCEL_REASONS))
        return steps
    add((0.05, 2.5), "reply", "agent", body=pick(replies))
    simple = kind == "consultation" and category in {"usage", "consultation"} and team == "desk"
    if simple and final in {S.RESOLVED, S.CLOSED} and rng.random() < 0.6:
        # Solved on the spot by the agent who took the call (SPEC §2.2).
        add((0.05, 0.5), "resolve", "agent", resolution=pick(demo_data.RESOLUTIONS[3:4]))
        if final == S.CLOSED:
            add((20, 60), "note", "agent", body=pick(demo_data.FOLLOW_UPS))
            add((0.1, 2), "close", "agent")
        return steps
    add((0.1, 4), "assign", "agent" if rng.random() < 0.8 else "lead")
    if final == S.ASSIGNED:
        return steps
    visit = kind in {"installation", "maintenance"} or (
        team.startswith("field") and rng.random() < 0.7
    )
    if final == S.SCHEDULED:
        add((0.3, 6), "schedule", "worker", scheduled_for="later")
        add((0.1, 2), "reply", "worker", body=pick(demo_data.VISIT_REPLIES))
        return steps
    if visit:
        add((0.3, 6), "schedule", "worker", scheduled_for="next")
        add((0.1, 2), "reply", "worker", body=pick(demo_data.VISIT_REPLIES))
        add((18, 60), "start", "worker")
    else:
        add((0.5, 20), "start", "worker")
    if rng.random() < 0.5:
        add((0.2, 4), "note", "worker", body=pick(demo_data.INTERNAL_NOTES))
    if team in {"quality", "rnd", "training"} and rng.random() < 0.7:
        add((1, 24), "dept-note", "dept")
    if final == S.IN_PROGRESS:
        return steps
    if final == S.PENDING_APPROVAL:
        add((0.5, 8), "request-approval", "worker", note=pick(demo_data.APPROVAL_NOTES))
        return steps
    if final == S.PENDING_CUSTOMER:
        add((0.5, 6), "wait-customer", "worker", note=pick(demo_data.WAIT_NOTES))
        add((0.05, 0.3), "reply", "worker", body=pick(demo_data.WAIT_NOTES))
        return steps
    if rng.random() < 0.25 and final in {S.PENDING_CUSTOMER, S.RESOLVED, S.CLOSED, S.REOPENED}:
        add((0.5, 6), "wait-customer", "worker", note=pick(demo_data.WAIT_NOTES))
        if has_account:
            add((1, 30), "customer-reply", "customer", body=pick(demo_data.CUSTOMER_REPLIES))
        add((0.2, 10), "start", "worker")
    if kind == "complaint" or rng.random() < 0.15:
        add((0.5, 8), "request-approval", "worker", note=pick(demo_data.APPROVAL_NOTES))
        if rng.random() < 0.25:
            add((1, 12), "reject", "lead", reason=pick(demo_data.REJECT_REASONS))
            add((1, 8), "request-approval", "worker", note=pick(demo_data.APPROVAL_NOTES))
        add((1, 12), "approve", "lead")
    add((0.5, 24), "resolve", "worker", resolution=pick(demo_data.RESOLUTIONS))
    if final == S.RESOLVED:
        return steps
    if final == S.REOPENED or (final == S.CLOSED and rng.random() < 0.08):
        by = "customer" if has_account and rng.random() < 0.6 else "agent"
        add((12, 100), "reopen", by, reason=pick(demo_data.REOPEN_REASONS))
        if final == S.REOPENED:
            return steps
        add((1, 12), "start", "worker")
        add((1, 24), "resolve", "worker", resolution=pick(demo_data.RESOLUTIONS))
    if has_account and rng.random() < 0.5:
        add((2, 48), "customer-reply", "customer", body=pick(demo_data.CUSTOMER_REPLIES))
        add((0.1, 12), "close", "customer")
    else:
        add((20, 72), "note", "agent", body=pick(demo_data.FOLLOW_UPS))
        add((0.1, 2), "close", "agent")
    return steps


def _received_times(
    rng: random.Random, anchor: datetime.datetime, count: int
) -> list[datetime.datetime]:
    """Mostly during service hours (08:00–22:00 local), more recent days a little busier."""
    tz = zoneinfo.ZoneInfo(settings.SERVICE_TIME_ZONE)
    local_anchor = anchor.astimezone(tz)
    moments = []
    while len(moments) < count:
        days_ago = int(DAYS * rng.random() ** 1.2)
        hour = rng.choice([8, 9, 9, 10, 10, 11, 13, 14, 14, 15, 16, 17, 19, 20, 21])
        local = (local_anchor - datetime.timedelta(days=days_ago)).replace(
            hour=hour, minute=rng.randint(0, 59), second=rng.randint(0, 59), microsecond=0
        )
        moment = local.astimezone(datetime.UTC)
        if moment < anchor - datetime.timedelta(minutes=10):
            moments.append(moment)
    return sorted(moments)


def _weights(age_days: float) -> list[int]:
    if age_days < 2:
        return _WEIGHTS_RECENT
    if age_days < 10:
        return _WEIGHTS_MIDDLE
    return _WEIGHTS_OLD


def _build_requests(
    rng: random.Random, directory: _Directory, anchor: datetime.datetime, clock: _SimulatedClock
) -> int:
    received = _received_times(rng, anchor, REQUESTS)
    # The ten most recent requests take one final state each, so every state is there.
    forced = {len(received) - 1 - i: state for i, state in enumerate(FINAL_STATES)}
    channels, channel_weights = zip(*CHANNELS, strict=True)
    staff = directory.staff
    agents = [staff[u] for u in ("agent1", "agent2", "agent3", "agent4")]
    by_id = {c.pk: c for c in directory.customers}
    units_by_line: dict[str, list[Unit]] = {}
    line_of_model = {spec[0]: spec[1] for spec in demo_data.PRODUCTS}
    for units in directory.units.values():
        for unit in units:
            units_by_line.setdefault(line_of_model[unit.product.model], []).append(unit)
    for index, received_at in enumerate(received):
        age_days = (anchor - received_at).total_seconds() / 86400
        final = forced.get(index) or rng.choices(FINAL_STATES, _weights(age_days))[0]
        if index < len(demo_data.PROBLEMS):
            # The oldest requests walk the templates in turn: every kind and category is there.
            problem = demo_data.PROBLEMS[index]
            if problem[0]:
                unit = rng.choice(units_by_line[problem[0]])
                customer = by_id[unit.customer_id]
            else:
                customer = rng.choice(directory.customers)
                unit = rng.choice(directory.units.get(customer.pk) or [None])
        else:
            customer = rng.choice(directory.customers)
            units = directory.units.get(customer.pk, [])
            unit = rng.choice(units) if units and rng.random() < 0.92 else None
            line = line_of_model[unit.product.model] if unit else ""
            problems = (
                demo_data.PROBLEMS_EN if customer.pk in directory.english else demo_data.PROBLEMS
            )
            problem = rng.choice([p for p in problems if p[0] in {line, ""}])
        english = customer.pk in directory.english
        _line, title, description, kind, category, impact, urgency = problem
        if unit is not None:
            product_name = unit.product.name
        elif problem[0]:
            product_name = demo_data.LINES[problem[0]][0 if not english else 1]
        else:
            product_name = "unit" if english else "产品"
        channel = (
            channels[index % len(channels)]
            if index < len(channels)
            else rng.choices(channels, channel_weights)[0]
        )
        account = directory.accounts.get(customer.pk)
        team_key, worker = _route(
            rng, kind, category, directory.region.get(customer.pk, "south"), directory
        )
        steps = _plan(
            rng,
            final,
            kind=kind,
            category=category,
            team=team_key,
            english=english,
            has_account=account is not None,
        )
        # Squeeze the story in if it would run past the present.
        budget_hours = (anchor - received_at).total_seconds() / 3600 - 0.1
        if steps and steps[-1].hours > budget_hours:
            factor = budget_hours / steps[-1].hours
            for step in steps:
                step.hours *= factor

        intake_agent = rng.choice(agents)
        data: dict[str, Any] = {
            "title": title,
            "description": description.format(product=product_name),
            "kind": kind,
            "category": category,
        }
        if unit is not None:
            data["unit"] = unit
        if customer.kind == Customer.Kind.ORGANISATION:
            contact = customer.contacts.order_by("id").first()
            if contact is not None:
                data |= {"contact_name": contact.name, "contact_phone": contact.phone}
        clock.moment = received_at
        if channel == ServiceRequest.Channel.WEB:
            # Demo history is back-dated: its customers are not sent receipts.
            request = services.service_request_create(
                by=account, customer=customer, data=data, public=account is None, receipt=False
            )
        else:
            data |= {"channel": channel, "impact": impact, "urgency": urgency}
            request = services.service_request_create(
                by=intake_agent, customer=customer, data=data, receipt=False
            )
        actors = {
            "agent": intake_agent,
            "worker": worker,
            "lead": directory.lead_of[team_key],
            "customer": account,
            "dept": directory.dept_of.get(team_key),
        }
        for position, step in enumerate(steps):
            moment = received_at + datetime.timedelta(hours=step.hours)
            clock.moment = moment
            actor = actors[step.actor]
            if actor is None:
                continue
            if step.action in {"reply", "customer-reply"}:
                services.comment_add(request, by=actor, body=step.data["body"], internal=False)
            elif step.action == "note":
                services.comment_add(request, by=actor, body=step.data["body"], internal=True)
            elif step.action == "dept-note":
                notes = {
                    "quality": demo_data.QUALITY_NOTES,
                    "rnd": demo_data.RND_NOTES,
                    "training": demo_data.TRAINING_NOTES,
                }[team_key]
                services.comment_add(request, by=actor, body=rng.choice(notes), internal=True)
            else:
                payload = dict(step.data)
                if step.action == "assign":
                    payload = {"assignee": worker, "team": directory.teams[team_key]}
                if step.action == "schedule":
                    following = next(
                        (s for s in steps[position + 1 :] if s.action == "start"), None
                    )
                    if payload["scheduled_for"] == "next" and following is not None:
                        payload["scheduled_for"] = received_at + datetime.timedelta(
                            hours=following.hours
                        )
                    else:
                        payload["scheduled_for"] = _visit_time(rng, anchor)
                if step.action == "close":
                    followups_demo_before_close(request, agent=intake_agent)
                request = services.service_request_act(request, step.action, by=actor, data=payload)
    return len(received)


@contextlib.contextmanager
def _search_index_deferred() -> Iterator[None]:
    """Keep the search index out of the per-change path while thousands of changes are
    replayed, then build it in one pass (what search_index_rebuild is for)."""
    from aftersales.search import receivers as search_receivers
    from aftersales.service_requests import signals

    uid = "search_document_update"
    signals.request_changed.disconnect(dispatch_uid=uid)
    try:
        yield
    finally:
        signals.request_changed.connect(search_receivers.update_search_document, dispatch_uid=uid)
    search_index_rebuild()


@transaction.atomic
def demo_seed(*, anchor: datetime.datetime | None = None) -> DemoResult:
    """Build the demo data once; does nothing (created=False) if they are already there.

    Also writes the accounts and passwords to `demo-accounts.txt` in the data directory
    (readable by its owner only), since they are printed just once.
    """
    if demo_exists():
        return DemoResult(created=False)
    rng = random.Random(SEED)  # noqa: S311 - demo data, not secrets
    anchor = (anchor or timezone.now()).replace(microsecond=0)
    directory, printed = _build_directory(rng, anchor)
    # Password hashing is slow on purpose and releases the GIL: it runs in threads while
    # the requests are built.
    with ThreadPoolExecutor(max_workers=2) as pool:
        hashing = pool.map(make_password, [password for _u, _r, password in printed])
        with _SimulatedClock().running() as clock, _search_index_deferred():
            requests = _build_requests(rng, directory, anchor, clock)
        for (username, _role, _password_text), hashed in zip(printed, hashing, strict=True):
            User.objects.filter(username=username).update(password=hashed)
    parts_demo_seed(by=directory.staff["wh1"])
    repairs_demo_seed()
    repair_records_demo_seed()
    returns_demo_seed(warehouse=directory.staff["wh1"])
    dispatch_demo_seed(teams=directory.teams)
    with _SimulatedClock().running() as clock:
        visits_demo_seed(
            teams=directory.teams,
            staff=directory.staff,
            lead_of=directory.lead_of,
            clock=clock,
            anchor=anchor,
        )
    with _SimulatedClock().running() as clock:
        complaints_demo_seed(clock=clock, anchor=anchor)
    followups_demo_seed()
    quality_demo_seed()
    webhooks_demo_seed()
    mailin_demo_seed()
    _accounts_save(printed)
    return DemoResult(
        created=True,
        accounts=printed,
        counts={
            "customers": len(directory.customers),
            "units": sum(len(u) for u in directory.units.values()),
            "requests": requests,
        },
    )


def _accounts_save(accounts: list[tuple[str, str, str]]) -> None:
    path = Path(settings.DATA_DIR) / ACCOUNTS_FILE
    lines = [f"{username}\t{role}\t{password}" for username, role, password in accounts]
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)
