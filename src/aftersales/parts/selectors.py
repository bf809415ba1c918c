"""Reads of parts and stock. Stock is read by all staff; anything naming a service request
goes through the requests' visibility rules, so request numbers cannot be probed here."""

from collections.abc import Iterable

from django.db.models import ExpressionWrapper, F, IntegerField, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.core.errors import DomainError
from aftersales.parts.models import Part, StockLevel, StockMovement, StockReservation, Warehouse
from aftersales.service_requests import access as request_access
from aftersales.service_requests import numbering
from aftersales.service_requests.models import ServiceRequest

AVAILABLE = ExpressionWrapper(F("on_hand") - F("reserved"), output_field=IntegerField())


def part_search_filter(text: str) -> Q:
    """Part number, Chinese or English name containing `text`."""
    text = text.strip()
    return Q(part_number__icontains=text) | Q(name__icontains=text) | Q(name_en__icontains=text)


def part_list() -> QuerySet[Part]:
    return Part.objects.order_by("part_number")


def part_list_with_stock(*, search: str = "", active_only: bool = True) -> QuerySet[Part]:
    """Parts with their levels in active warehouses (for the console's catalogue)."""
    parts = part_list()
    if active_only:
        parts = parts.filter(is_active=True)
    if search.strip():
        parts = parts.filter(part_search_filter(search))
    levels = StockLevel.objects.filter(warehouse__is_active=True).select_related("warehouse")
    return parts.prefetch_related(
        Prefetch("levels", queryset=levels.order_by("warehouse__kind", "warehouse__code"))
    )


def warehouse_list(*, active_only: bool = False) -> QuerySet[Warehouse]:
    qs = Warehouse.objects.select_related("technician").order_by("kind", "code")
    return qs.filter(is_active=True) if active_only else qs


def stock_level_list() -> QuerySet[StockLevel]:
    return (
        StockLevel.objects.select_related("warehouse", "part")
        .annotate(available_quantity=AVAILABLE)
        .order_by("warehouse__code", "part__part_number")
    )


def low_stock_filter() -> Q:
    """Levels whose available quantity is at or below their reorder level (needs
    `stock_level_list()`'s annotation)."""
    return Q(available_quantity__lte=F("reorder_level"))


def levels_for_part(part: Part) -> QuerySet[StockLevel]:
    return stock_level_list().filter(part=part).order_by("warehouse__kind", "warehouse__code")


def levels_for_warehouse(warehouse: Warehouse) -> QuerySet[StockLevel]:
    return stock_level_list().filter(warehouse=warehouse).order_by("part__part_number")


def movement_list() -> QuerySet[StockMovement]:
    return StockMovement.objects.select_related(
        "warehouse", "part", "counterpart", "service_request", "by"
    ).order_by("-created_at", "-id")


def visible_request_ids(user: User, request_ids: Iterable[int | None]) -> set[int]:
    """Which of these requests `user` may see (one query; none for an empty list)."""
    ids = {pk for pk in request_ids if pk is not None}
    if not ids:
        return set()
    return set(request_access.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


def reservation_list_for_user(user: User) -> QuerySet[StockReservation]:
    """Reservations of the requests `user` may see."""
    visible = request_access.visible_to(user)
    return (
        StockReservation.objects.filter(service_request__in=visible.values("pk"))
        .select_related("warehouse", "part", "service_request", "reserved_by")
        .order_by("-created_at", "-id")
    )


def reservation_get_for_user(user: User, pk: int) -> StockReservation:
    """404 for a reservation of a request `user` may not see, as for the request itself."""
    reservation = reservation_list_for_user(user).filter(pk=pk).first()
    if reservation is None:
        raise Http404("No such reservation.")
    return reservation


def service_request_for_stock(
    user: User, number: str, *, field: str = "service_request"
) -> ServiceRequest:
    """The request named in stock input. An unknown and an invisible number get the same
    answer, naming the field."""
    found = (
        request_access.visible_to(user)
        .filter(number=numbering.normalise_number(number))
        .select_related("team", "assignee")
        .first()
    )
    if found is None:
        message = _("No service request with this number.")
        raise DomainError(message, fields={field: [message]})
    return found
