"""The monthly reports page (`/reports/`): make a month's report in one's scope and language
(POST, answered with the PDF) and download the stored ones. Who may: `reports.access`."""

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from aftersales.accounts.models import User
from aftersales.core.errors import DomainError
from aftersales.reports import access, content, selectors, services
from aftersales.reports.forms import GenerateForm
from aftersales.reports.models import MonthlyReport
from aftersales.service_requests import access as request_access


def _reader(request: HttpRequest) -> User:
    user = request.user
    if not access.can_read(user):  # type: ignore[arg-type]
        raise PermissionDenied(
            _("Supervisors, analysts and administrators see the monthly reports.")
        )
    return user  # type: ignore[return-value]


def pdf_response(report: MonthlyReport) -> FileResponse:
    """The stored PDF as a download, never kept by a shared cache."""
    response = FileResponse(
        report.file.open("rb"),
        as_attachment=True,
        filename=report.filename,
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def report_list(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    default_month = content.previous_month(content.current_month())
    if request.method == "POST":
        form = GenerateForm(request.POST)
        if form.is_valid():
            try:
                report = services.monthly_report_generate(
                    form.cleaned_data["month"],
                    teams=access.scope_of(user),
                    language=form.cleaned_data["language"],
                    by=user,
                )
            except DomainError as exc:
                for field, messages in exc.fields.items():
                    for message in messages:
                        form.add_error(field if field in form.fields else None, message)
            else:
                return pdf_response(report)
    else:
        form = GenerateForm(
            initial={
                "month": f"{default_month:%Y-%m}",
                "language": services.language_of(user),
            }
        )
    context = {
        "is_staff": True,
        "can_intake": request_access.can_create(user),
        "form": form,
        "reports": selectors.report_list(user),
        "scope": content.scope_label(access.scope_of(user)),
        "latest_month": f"{content.current_month():%Y-%m}",
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "reports/report_list.html", context, status=status)


@require_GET
def report_download(request: HttpRequest, report_id: int) -> FileResponse:
    user = _reader(request)
    return pdf_response(selectors.report_get_for_user(user, report_id))
