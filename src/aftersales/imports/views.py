"""Console pages of bulk imports (administrators; supervisors for customers and units):
upload → the validation report (errors by row) or the summary with a confirm button →
import; the history of imports; template files and error reports to download."""

import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aftersales.accounts.models import User
from aftersales.core.errors import DomainError
from aftersales.core.exports import csv_response, safe_cell
from aftersales.imports import access, selectors, services
from aftersales.imports.columns import COLUMNS
from aftersales.imports.models import ImportJob, Kind
from aftersales.service_requests import access as request_access

PER_PAGE = 30
SHOWN_ERRORS = 200
ERROR_STATUS = {"invalid": 400, "forbidden": 403, "invalid_transition": 409, "conflict": 409}


def _console(user: User, **context: Any) -> dict[str, Any]:
    return {
        "is_staff": request_access.is_staff(user),
        "can_intake": request_access.is_staff(user) and request_access.can_create(user),
        **context,
    }


def _importer(user: User) -> None:
    if not access.can_use(user):
        raise PermissionDenied(_("Only administrators and supervisors import data."))


def _job(user: User, pk: int) -> ImportJob:
    _importer(user)
    job = selectors.import_get(user, pk)
    if job is None:
        raise Http404
    return job


def _list_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    page = Paginator(selectors.import_list(request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    kinds = [(value, Kind(value).label) for value in access.kinds_for(request.user)]
    return _console(
        request.user,
        page=page,
        kinds=kinds,
        columns={value: COLUMNS[value] for value, _label in kinds},
        **extra,
    )


@require_http_methods(["GET", "POST"])
def import_list(request: HttpRequest) -> HttpResponse:
    _importer(request.user)
    if request.method == "GET":
        return render(request, "imports/import_list.html", _list_context(request))
    kind = request.POST.get("kind", "")
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise DomainError(
                _("Choose a file."), fields={"file": [_("Choose a CSV or XLSX file.")]}
            )
        job = services.import_validate(
            kind=kind, file_name=upload.name, data=upload.read(), by=request.user
        )
    except DomainError as exc:
        context = _list_context(request, error=exc, chosen_kind=kind)
        return render(
            request, "imports/import_list.html", context, status=ERROR_STATUS.get(exc.code, 400)
        )
    return redirect("imports:detail", pk=job.pk)


@require_GET
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request.user, pk)
    context = _console(
        request.user,
        job=job,
        errors=job.errors[:SHOWN_ERRORS],
        more_errors=max(0, job.error_count - SHOWN_ERRORS),
        previous=selectors.previous_import(job),
    )
    return render(request, "imports/import_detail.html", context)


@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request.user, pk)
    try:
        job = services.import_run(job, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("imports:detail", pk=job.pk)
    if job.status == ImportJob.Status.IMPORTED:
        messages.success(
            request,
            _("Imported: %(new)s new, %(updated)s updated, %(unchanged)s unchanged.")
            % {"new": job.rows_new, "updated": job.rows_updated, "unchanged": job.rows_unchanged},
        )
    else:
        messages.error(request, _("The file no longer passes the checks; nothing was imported."))
    return redirect("imports:detail", pk=job.pk)


@require_GET
def import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request.user, pk)
    header = [_("Row"), _("Column"), _("Value"), _("Message")]
    rows = ([e["row"], e["column"], e["value"], e["message"]] for e in job.errors)
    return csv_response(f"import-{job.pk}-errors.csv", header, rows)


@require_GET
def import_template(request: HttpRequest, kind: str, file_format: str) -> HttpResponse:
    _importer(request.user)
    if kind not in Kind.values or file_format not in ("csv", "xlsx"):
        raise Http404
    columns = COLUMNS[kind]
    header = [c.name for c in columns]
    example = [c.example for c in columns]
    filename = f"import-{kind}.{file_format}"
    if file_format == "csv":
        return csv_response(filename, header, [example])
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = kind
    sheet.append(header)
    sheet.append([safe_cell(v) for v in example])
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
