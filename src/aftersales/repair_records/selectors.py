"""Reads of repair records, confirmations, repeat repairs and a unit's history, always
through the requests' visibility rules (a record of a request one may not see is "not found").

Repeat repairs (SPEC §2.6, §5): a request is a repeat repair when it was reopened, or when
the same unit had another request resolved within `settings.REPEAT_REPAIR_DAYS` calendar
days (in the service time zone) before it came in. `repeat_info` answers for one request,
`repeat_flags` for many at once (reports), `unit_repeat_summary` for a unit.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from aftersales.accounts.models import User
from aftersales.catalog.models import Unit
from aftersales.parts.models import StockReservation, Warehouse
from aftersales.repair_records.models import Confirmation, PartUsed, RepairRecord
from aftersales.service_requests import access as request_access
from aftersales.service_requests.models import Attachment, ServiceRequest

S = ServiceRequest.Status


def _records() -> QuerySet[RepairRecord]:
    return RepairRecord.objects.select_related("request", "written_by").prefetch_related(
        "technicians",
        Prefetch("parts", queryset=PartUsed.objects.select_related("part", "warehouse")),
        Prefetch("photos", queryset=Attachment.objects.select_related("request").order_by("id")),
    )


def records_for(request: ServiceRequest) -> QuerySet[RepairRecord]:
    """The records of a request the caller already may see (through its selector)."""
    return _records().filter(request=request).order_by("started_at", "id")


def record_get_for_user(user: User, record_id: int) -> RepairRecord:
    """A record of a request `user` may see; 404 otherwise, as for the request itself."""
    record = (
        _records()
        .filter(pk=record_id, request__in=request_access.visible_to(user).values("pk"))
        .first()
    )
    if record is None:
        raise Http404("No such repair record.")
    return record


def record_list_for_user(user: User) -> QuerySet[RepairRecord]:
    """Every record of the requests `user` may see (staff), newest first, for the export."""
    if not request_access.is_staff(user):
        return RepairRecord.objects.none()
    return (
        RepairRecord.objects.filter(request__in=request_access.visible_to(user).values("pk"))
        .select_related("request__customer", "written_by")
        .prefetch_related(
            "technicians",
            Prefetch("parts", queryset=PartUsed.objects.order_by("id")),
        )
        .order_by("-started_at", "-id")
    )


def active_reservations(request: ServiceRequest) -> QuerySet[StockReservation]:
    """Parts still held for the request: what a record may use from a reservation."""
    return (
        StockReservation.objects.filter(
            service_request=request, status=StockReservation.Status.ACTIVE
        )
        .select_related("part", "warehouse")
        .order_by("part__part_number", "id")
    )


def warehouses_to_take_from(user: User) -> QuerySet[Warehouse]:
    """Where `user` may take parts without a reservation: a technician their own van,
    others any active warehouse (the stock service checks the same rule)."""
    active = Warehouse.objects.filter(is_active=True).order_by("kind", "code")
    if user.role == User.Role.TECHNICIAN and not user.is_superuser:
        return active.filter(kind=Warehouse.Kind.VAN, technician=user)
    return active


def confirmations_for(request: ServiceRequest) -> QuerySet[Confirmation]:
    return request.confirmations.select_related("recorded_by").order_by("answered_at", "id")


def confirmation_current(request: ServiceRequest) -> Confirmation | None:
    """The answer to the request's latest resolution, if given."""
    return request.confirmations.filter(round=request.reopen_count).first()


def awaits_confirmation(request: ServiceRequest) -> bool:
    return request.status == S.RESOLVED and confirmation_current(request) is None


# --- Repeat repairs -------------------------------------------------------------------------


@dataclass
class RepeatInfo:
    """Whether a request is a repeat repair, and why."""

    reopened: int = 0
    earlier: list[ServiceRequest] = field(default_factory=list)

    @property
    def is_repeat(self) -> bool:
        return self.reopened > 0 or bool(self.earlier)


def window_start(received_at: datetime.datetime, days: int | None = None) -> datetime.datetime:
    """The earliest resolution that makes a request received at `received_at` a repeat:
    midnight, in the service time zone, `days` calendar days before the day it came in."""
    days = settings.REPEAT_REPAIR_DAYS if days is None else days
    zone = ZoneInfo(settings.SERVICE_TIME_ZONE)
    first_day = timezone.localtime(received_at, zone).date() - datetime.timedelta(days=days)
    return datetime.datetime.combine(first_day, datetime.time.min, tzinfo=zone)


def _is_earlier_repair(
    earlier_resolved_at: datetime.datetime | None, received_at: datetime.datetime
) -> bool:
    return earlier_resolved_at is not None and (
        window_start(received_at) <= earlier_resolved_at <= received_at
    )


def repeat_info(request: ServiceRequest) -> RepeatInfo:
    """Why `request` is a repeat repair (reopened, and the unit's recent requests)."""
    info = RepeatInfo(reopened=request.reopen_count)
    if request.unit_id is None:
        return info
    candidates = (
        ServiceRequest.objects.filter(
            unit_id=request.unit_id,
            resolved_at__gte=window_start(request.received_at),
            resolved_at__lte=request.received_at,
        )
        .exclude(pk=request.pk)
        .order_by("-resolved_at")
    )
    info.earlier = list(candidates)
    return info


def repeat_flags(requests: Iterable[ServiceRequest]) -> dict[int, RepeatInfo]:
    """`repeat_info` for many requests with one query for all their units' resolutions."""
    requests = list(requests)
    unit_ids = {r.unit_id for r in requests if r.unit_id is not None}
    resolved: dict[int, list[ServiceRequest]] = defaultdict(list)
    if unit_ids:
        for other in ServiceRequest.objects.filter(
            unit_id__in=unit_ids, resolved_at__isnull=False
        ).order_by("-resolved_at"):
            resolved[other.unit_id].append(other)
    flags = {}
    for request in requests:
        earlier = [
            other
            for other in resolved.get(request.unit_id, [])  # type: ignore[arg-type]
            if other.pk != request.pk and _is_earlier_repair(other.resolved_at, request.received_at)
        ]
        flags[request.pk] = RepeatInfo(reopened=request.reopen_count, earlier=earlier)
    return flags


@dataclass
class UnitRepeats:
    """How often a unit came back: its requests, how many were repeat repairs, and how many
    times its requests were reopened in all."""

    requests: int
    repeats: int
    reopens: int


def unit_repeat_summary(
    unit: Unit, requests: Iterable[ServiceRequest] | None = None
) -> UnitRepeats:
    rows = list(ServiceRequest.objects.filter(unit=unit) if requests is None else requests)
    flags = repeat_flags(rows)
    return UnitRepeats(
        requests=len(rows),
        repeats=sum(1 for info in flags.values() if info.is_repeat),
        reopens=sum(r.reopen_count for r in rows),
    )


# --- A unit's service history ---------------------------------------------------------------


def unit_get_for_user(user: User, *, pk: int | None = None, serial: str | None = None) -> Unit:
    """A unit `user` may see (its owner, or staff who see one of its requests); else 404."""
    units = request_access.units_visible_to(user).select_related("product", "customer")
    unit = units.filter(pk=pk).first() if pk is not None else None
    if serial is not None:
        unit = units.filter(serial_number=serial.strip()).first()
    if unit is None:
        raise Http404("No such unit.")
    return unit


def unit_history(user: User, unit: Unit) -> list[ServiceRequest]:
    """The unit's requests that `user` may see, newest first, with their records, the parts
    replaced and the customer's answers."""
    return list(
        request_access.visible_to(user)
        .filter(unit=unit)
        .select_related("product", "assignee", "team")
        .prefetch_related(
            Prefetch("repair_records", queryset=_records().order_by("started_at", "id")),
            Prefetch("confirmations", queryset=Confirmation.objects.order_by("answered_at")),
        )
        .order_by("-received_at", "-id")
    )
