"""Reads of returns: permission-scoped look-ups, the eligibility of a request or a unit."""

import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from aftersales.accounts.models import User
from aftersales.catalog.models import Unit
from aftersales.parts.models import Warehouse
from aftersales.returns import access, eligibility
from aftersales.returns.models import ReturnAuthorisation, ReturnPolicy
from aftersales.service_requests.models import ServiceRequest
from aftersales.service_requests.numbering import local_day, normalise_number

_RELATED = ("request", "request__customer", "unit", "unit__product", "replacement_unit")


def rma_list(user: User) -> QuerySet[ReturnAuthorisation]:
    return access.visible_to(user).select_related(*_RELATED, "authorised_by")


def rma_get_for_user(user: User, pk: int) -> ReturnAuthorisation:
    """The authorisation if `user` may see it; 404 otherwise (never 403: ids are not probed)."""
    rma = rma_list(user).select_related("warehouse").filter(pk=pk).first()
    if rma is None:
        raise Http404("No such RMA.")
    return rma


def rma_for_request(request: ServiceRequest) -> ReturnAuthorisation | None:
    """The request's latest authorisation (the current one, unless it was cancelled or
    refused and no new decision followed)."""
    return (
        request.return_authorisations.select_related(
            "unit", "unit__product", "replacement_unit", "warehouse", "authorised_by"
        )
        .order_by("-id")
        .first()
    )


def rma_find_by_number(queryset: QuerySet[ReturnAuthorisation], number: str):  # type: ignore[no-untyped-def]
    return queryset.filter(number=normalise_number(number))


def terms_of(product_id: int | None) -> tuple[int, int]:
    """The product's return and replacement windows in days (the defaults without a policy)."""
    policy = ReturnPolicy.objects.filter(product_id=product_id).first() if product_id else None
    if policy is None:
        return eligibility.DEFAULT_RETURN_DAYS, eligibility.DEFAULT_REPLACEMENT_DAYS
    return policy.return_days, policy.replacement_days


def eligibility_inputs(request: ServiceRequest) -> dict[str, Any] | None:
    """What the eligibility of `request`'s unit is computed from; None without a unit."""
    unit = request.unit
    if unit is None:
        return None
    return_days, replacement_days = terms_of(unit.product_id)
    return {
        "purchase_date": unit.purchase_date,
        "stated_purchase_date": request.purchase_date if unit.purchase_date is None else None,
        "received_on": local_day(request.received_at),
        "warranty_end": unit.warranty_end,
        "quality_fault": request.category == ServiceRequest.Category.PRODUCT_QUALITY,
        "return_days": return_days,
        "replacement_days": replacement_days,
    }


def eligibility_for_request(request: ServiceRequest) -> eligibility.Eligibility | None:
    inputs = eligibility_inputs(request)
    return None if inputs is None else eligibility.assess(**inputs)


def eligibility_for_unit(
    unit: Unit, *, on: datetime.date, quality_fault: bool
) -> eligibility.Eligibility:
    return_days, replacement_days = terms_of(unit.product_id)
    return eligibility.assess(
        purchase_date=unit.purchase_date,
        received_on=on,
        warranty_end=unit.warranty_end,
        quality_fault=quality_fault,
        return_days=return_days,
        replacement_days=replacement_days,
    )


def unit_returned_under(unit: Unit) -> ReturnAuthorisation | None:
    """The authorisation under which the unit was taken back, if it was."""
    return ReturnAuthorisation.objects.filter(unit=unit, unit_returned_at__isnull=False).first()


def replacement_candidates(rma: ReturnAuthorisation, *, limit: int = 50) -> QuerySet[Unit]:
    """Units of the same product in stock (sold to nobody) that were never given before."""
    return (
        Unit.objects.filter(product_id=rma.unit.product_id, customer__isnull=True)
        .exclude(pk=rma.unit_id)
        .exclude(replaced_by_rmas__isnull=False)
        .order_by("serial_number")[:limit]
    )


def receiving_warehouses() -> QuerySet[Warehouse]:
    """Where a returned unit may be received: active stores, not a technician's van."""
    return Warehouse.objects.filter(is_active=True).exclude(kind=Warehouse.Kind.VAN)
