"""Console pages of spare parts: the catalogue with stock, a part, the warehouses, a warehouse
with its stock, movements and the receive / count / transfer forms.

Staff only (customers get 403; the middleware sends strangers to the login page). The forms
post to one view each: selector → form → one service call → the refreshed panels (htmx) or
a redirect (no JavaScript); a refusal is shown on the form.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap, retarget, trigger_client_event

from aftersales.accounts.models import User
from aftersales.core.errors import DomainError
from aftersales.core.htmx import render_page_or_partial
from aftersales.parts import access, forms, selectors, services
from aftersales.parts.models import Part, StockMovement, Warehouse

PART_LIST = "parts/part_list.html"
PART_DETAIL = "parts/part_detail.html"
WAREHOUSE_LIST = "parts/warehouse_list.html"
WAREHOUSE_DETAIL = "parts/warehouse_detail.html"
PER_PAGE = 50
RECENT = 50

# How a refusal is answered: the API's codes, so scripts and people agree.
ERROR_STATUS = {"invalid": 400, "forbidden": 403, "invalid_transition": 409, "conflict": 409}


def _staff(user: User) -> None:
    if not access.can_read_stock(user):
        raise PermissionDenied(_("Only staff may see spare parts and stock."))


def _console(user: User, **context: Any) -> dict[str, Any]:
    """What the console frame needs (the navigation), as the request pages give it."""
    return {"is_staff": True, "can_manage_stock": access.can_manage_stock(user), **context}


def _movement_rows(
    user: User, movements: Iterable[StockMovement]
) -> list[tuple[StockMovement, bool]]:
    """Each movement with whether its request number may be shown to `user`."""
    movements = list(movements)
    visible = selectors.visible_request_ids(user, (m.service_request_id for m in movements))
    return [(m, m.service_request_id in visible) for m in movements]


# --- Catalogue ---------------------------------------------------------------------------


@require_GET
def part_list(request: HttpRequest) -> HttpResponse:
    _staff(request.user)
    query = forms.PartSearchForm(request.GET)
    search = query.cleaned_data["search"] if query.is_valid() else ""
    page = Paginator(selectors.part_list_with_stock(search=search), PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = []
    for part in page:
        levels = list(part.levels.all())
        rows.append((part, levels, sum(level.available for level in levels)))
    context = _console(request.user, page=page, rows=rows, query=query)
    return render_page_or_partial(request, PART_LIST, "part-list", context)


@require_GET
def part_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request.user)
    part = get_object_or_404(Part.objects.prefetch_related("products"), pk=pk)
    movements = selectors.movement_list().filter(part=part)[:RECENT]
    context = _console(
        request.user,
        part=part,
        levels=selectors.levels_for_part(part),
        movements=_movement_rows(request.user, movements),
    )
    return render(request, PART_DETAIL, context)


# --- Warehouses --------------------------------------------------------------------------


@require_GET
def warehouse_list(request: HttpRequest) -> HttpResponse:
    _staff(request.user)
    low = Q(levels__reorder_level__gte=F("levels__on_hand") - F("levels__reserved"))
    warehouses = selectors.warehouse_list().annotate(
        part_count=Count("levels", filter=Q(levels__on_hand__gt=0)),
        low_count=Count("levels", filter=low),
    )
    return render(request, WAREHOUSE_LIST, _console(request.user, warehouses=warehouses))


@dataclass
class StockForm:
    """One of the warehouse page's forms, as the template shows it."""

    name: str
    title: str
    form: django_forms.Form
    url: str
    open: bool = False


FORMS: dict[str, tuple[Any, type[django_forms.Form]]] = {
    "receive": (gettext_lazy("Receive stock"), forms.ReceiveForm),
    "adjust": (gettext_lazy("Stock-take correction"), forms.AdjustForm),
    "transfer": (gettext_lazy("Transfer to another warehouse"), forms.TransferForm),
}


def _form(name: str, warehouse: Warehouse, data: Any = None, initial: Any = None) -> StockForm:
    title, form_class = FORMS[name]
    kwargs: dict[str, Any] = {"prefix": name, "initial": initial}
    if form_class is forms.TransferForm:
        kwargs["source"] = warehouse
    return StockForm(
        name=name,
        title=str(title),
        form=form_class(data, **kwargs),
        url=reverse(f"parts:{name}", args=[warehouse.pk]),
        open=data is not None,
    )


def _warehouse_context(
    request: HttpRequest,
    warehouse: Warehouse,
    *,
    bound: StockForm | None = None,
    initial_part: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    user = request.user
    stock_forms = []
    if access.can_manage_stock(user) and warehouse.is_active:
        initial = {"part": initial_part} if initial_part else None
        stock_forms = [
            bound if bound and bound.name == name else _form(name, warehouse, initial=initial)
            for name in FORMS
        ]
    levels = selectors.levels_for_warehouse(warehouse)
    movements = selectors.movement_list().filter(warehouse=warehouse)[:RECENT]
    return _console(
        user,
        warehouse=warehouse,
        levels=levels,
        low_count=sum(1 for level in levels if level.is_low),
        movements=_movement_rows(user, movements),
        stock_forms=stock_forms,
        **extra,
    )


@require_GET
def warehouse_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request.user)
    warehouse = get_object_or_404(selectors.warehouse_list(), pk=pk)
    part = request.GET.get("part", "")
    context = _warehouse_context(request, warehouse, initial_part=part if part.isdigit() else None)
    return render_page_or_partial(request, WAREHOUSE_DETAIL, "warehouse-panels", context)


def _stock_change(
    request: HttpRequest,
    pk: int,
    name: str,
    change: Callable[[Warehouse, dict[str, Any]], str],
) -> HttpResponse:
    """Validate form `name`, apply `change` (a service call returning the notice), answer."""
    _staff(request.user)
    if not access.can_manage_stock(request.user):
        raise PermissionDenied(
            _("Only administrators, supervisors and warehouse staff may change stock.")
        )
    warehouse = get_object_or_404(selectors.warehouse_list(), pk=pk)
    bound = _form(name, warehouse, data=request.POST)
    status = 400
    if bound.form.is_valid():
        try:
            notice = change(warehouse, bound.form.cleaned_data)
        except DomainError as exc:
            forms.add_domain_error(bound.form, exc)
            status = ERROR_STATUS.get(exc.code, 400)
        else:
            if not request.htmx:
                messages.success(request, notice)
                return redirect("parts:warehouse_detail", pk=warehouse.pk)
            response = render(
                request,
                f"{WAREHOUSE_DETAIL}#warehouse-panels",
                _warehouse_context(request, warehouse, notice=notice),
            )
            return trigger_client_event(response, "stock-changed")
    if not request.htmx:
        context = _warehouse_context(request, warehouse, bound=bound)
        return render(request, WAREHOUSE_DETAIL, context, status=status)
    response = render(
        request, f"{WAREHOUSE_DETAIL}#stock-form", {"stock_form": bound}, status=status
    )
    return reswap(retarget(response, f"#{name}-form"), "outerHTML")


@require_POST
def stock_receive(request: HttpRequest, pk: int) -> HttpResponse:
    def change(warehouse: Warehouse, data: dict[str, Any]) -> str:
        level = services.stock_receive(warehouse=warehouse, by=request.user, **data)
        return _("Received %(quantity)d × %(part)s; %(on_hand)d on hand.") % {
            "quantity": data["quantity"],
            "part": level.part.part_number,
            "on_hand": level.on_hand,
        }

    return _stock_change(request, pk, "receive", change)


@require_POST
def stock_adjust(request: HttpRequest, pk: int) -> HttpResponse:
    def change(warehouse: Warehouse, data: dict[str, Any]) -> str:
        level = services.stock_adjust(warehouse=warehouse, by=request.user, **data)
        return _("Count of %(part)s recorded: %(on_hand)d on hand.") % {
            "part": level.part.part_number,
            "on_hand": level.on_hand,
        }

    return _stock_change(request, pk, "adjust", change)


@require_POST
def stock_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    def change(warehouse: Warehouse, data: dict[str, Any]) -> str:
        source, destination = services.stock_transfer(source=warehouse, by=request.user, **data)
        return _("Transferred %(quantity)d × %(part)s to %(destination)s.") % {
            "quantity": data["quantity"],
            "part": source.part.part_number,
            "destination": destination.warehouse.code,
        }

    return _stock_change(request, pk, "transfer", change)
