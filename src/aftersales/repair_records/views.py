"""Console pages of repair records: the list of the records of the requests one sees (with
its CSV/XLSX export), the actions of the "Repair records" card (the page itself is the
request's), the printable record, and a unit's service history.

Each action: selector → form → one service call → the request's refreshed panels (htmx) or
a redirect back to it (no JavaScript); a refusal is shown on the card, as the request's own
forms do.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aftersales.core.errors import DomainError
from aftersales.core.exports import export_response
from aftersales.core.htmx import render_page_or_partial
from aftersales.repair_records import access, api, exports, forms, selectors, services
from aftersales.repair_records.filters import RepairRecordFilter
from aftersales.repair_records.models import RepairRecord
from aftersales.service_requests import access as request_access
from aftersales.service_requests import selectors as request_selectors
from aftersales.service_requests.forms import form_error
from aftersales.service_requests.views import changed_response, refused_response

UNIT_HISTORY = "repair_records/unit_history.html"
LIST = "repair_records/record_list.html"
PER_PAGE = 50


def _console(user: Any, **context: Any) -> dict[str, Any]:
    """What the console frame needs (the navigation), as the request pages give it."""
    return {
        "is_staff": request_access.is_staff(user),
        "can_intake": request_access.is_staff(user) and request_access.can_create(user),
        **context,
    }


def _listed(request: HttpRequest) -> tuple[RepairRecordFilter, QueryDict]:
    """The records the query string asks for (the page and its export), as the API's
    export filters them: staff only, the records of the requests they may see."""
    if not request_access.is_staff(request.user):
        raise PermissionDenied(_("Only staff see the list of repair records."))
    params = QueryDict(mutable=True)
    for key in RepairRecordFilter.base_filters:
        value = request.GET.get(key, "").strip()
        if value:
            params[key] = value
    filterset = RepairRecordFilter(params, queryset=selectors.record_list_for_user(request.user))
    return filterset, params


def _rows(filterset: RepairRecordFilter) -> QuerySet[RepairRecord]:
    return filterset.qs if filterset.is_valid() else filterset.queryset.none()


@require_GET
def record_list(request: HttpRequest) -> HttpResponse:
    filterset, params = _listed(request)
    rows = _rows(filterset).select_related("request__product")
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    context = _console(
        request.user,
        page=page,
        filter_form=filterset.form,
        query=params.urlencode(),
        outcomes=RepairRecord.TestOutcome.choices,
    )
    return render_page_or_partial(request, LIST, "record-list", context)


@require_GET
def record_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """Every record the list shows (all its pages), as CSV or XLSX."""
    filterset, _params = _listed(request)
    if not filterset.is_valid():
        problems = [f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items()]
        return HttpResponseBadRequest("\n".join(problems), content_type="text/plain; charset=utf-8")
    return export_response(fmt, "repair-records", exports.COLUMNS, exports.rows(filterset.qs))


@require_POST
def record_create(request: HttpRequest, number: str) -> HttpResponse:
    target = request_selectors.service_request_get_for_user(request.user, number)
    form = forms.RecordForm(request.POST, request.FILES, prefix="record")
    if not form.is_valid():
        return refused_response(request, target, form_error(form), box="record-new-errors")
    try:
        record = services.repair_record_create(
            target, by=request.user, data=form.record_data(), photos=form.cleaned_data["photos"]
        )
    except DomainError as exc:
        return refused_response(request, target, exc, box="record-new-errors")
    return changed_response(
        request, target.number, _("Repair record %(id)d saved.") % {"id": record.pk}
    )


@require_POST
def record_edit(request: HttpRequest, record_id: int) -> HttpResponse:
    record = selectors.record_get_for_user(request.user, record_id)
    target = record.request
    box = f"record-{record.pk}-edit-errors"
    form = forms.RecordForm(request.POST, prefix=f"edit-{record.pk}", editing=True)
    if not form.is_valid():
        return refused_response(request, target, form_error(form), box=box)
    data = form.record_data()
    try:
        services.repair_record_update(
            record,
            by=request.user,
            data=data,
            expected_version=form.cleaned_data.get("version"),
        )
    except DomainError as exc:
        return refused_response(request, target, exc, box=box)
    return changed_response(
        request, target.number, _("Repair record %(id)d saved.") % {"id": record.pk}
    )


@require_POST
def part_add(request: HttpRequest, record_id: int) -> HttpResponse:
    record = selectors.record_get_for_user(request.user, record_id)
    target = record.request
    box = f"record-{record.pk}-part-errors"
    form = forms.PartForm(
        request.POST, prefix=f"part-{record.pk}", request=target, user=request.user
    )
    if not form.is_valid():
        return refused_response(request, target, form_error(form), box=box)
    try:
        line = services.part_used_add(record, by=request.user, data=form.part_data())
    except DomainError as exc:
        return refused_response(request, target, exc, box=box)
    return changed_response(
        request,
        target.number,
        _("Part %(number)s × %(quantity)d recorded.")
        % {"number": line.part_number, "quantity": line.quantity},
    )


@require_POST
def photos_add(request: HttpRequest, record_id: int) -> HttpResponse:
    record = selectors.record_get_for_user(request.user, record_id)
    target = record.request
    box = f"record-{record.pk}-photo-errors"
    form = forms.PhotosForm(request.POST, request.FILES, prefix=f"photos-{record.pk}")
    if not form.is_valid():
        return refused_response(request, target, form_error(form), box=box)
    try:
        added = services.repair_record_photos_add(
            record, by=request.user, uploads=form.cleaned_data["photos"]
        )
    except DomainError as exc:
        return refused_response(request, target, exc, box=box)
    return changed_response(
        request, target.number, _("%(count)d files added.") % {"count": len(added)}
    )


@require_GET
def record_pdf(request: HttpRequest, record_id: int) -> HttpResponse:
    record = selectors.record_get_for_user(request.user, record_id)
    return api.pdf_response(request.user, record, request.GET.get("lang"))


@require_POST
def confirmation_record(request: HttpRequest, number: str) -> HttpResponse:
    target = request_selectors.service_request_get_for_user(request.user, number)
    by_phone = not access.can_answer_as_customer(request.user, target)
    form = forms.ConfirmationForm(request.POST, prefix="confirmation", by_phone=by_phone)
    if not form.is_valid():
        return refused_response(request, target, form_error(form), box="confirmation-errors")
    try:
        confirmation = services.confirmation_record(
            target,
            satisfied=form.satisfied,
            comment=form.cleaned_data["comment"],
            customer_name=form.cleaned_data.get("customer_name", ""),
            by=request.user,
        )
    except DomainError as exc:
        return refused_response(request, target, exc, box="confirmation-errors")
    notice = (
        _("Recorded: the customer says it is fixed.")
        if confirmation.satisfied
        else _("Recorded: not fixed. The request is reopened.")
    )
    return changed_response(request, target.number, notice)


@require_GET
def unit_history(request: HttpRequest, serial: str) -> HttpResponse:
    user = request.user
    unit = selectors.unit_get_for_user(user, serial=serial)
    history = selectors.unit_history(user, unit)
    flags = selectors.repeat_flags(history)
    visible = {item.pk: item for item in history}
    rows = [
        (item, flags[item.pk], [r for r in flags[item.pk].earlier if r.pk in visible])
        for item in history
    ]
    staff = request_access.is_staff(user)
    context = {
        "is_staff": staff,
        "can_intake": staff and request_access.can_create(user),
        "unit": unit,
        "rows": rows,
        "summary": selectors.unit_repeat_summary(unit, history),
        "staff": access.sees_staff_details(user),
        "window_days": settings.REPEAT_REPAIR_DAYS,
    }
    return render(request, UNIT_HISTORY, context)
