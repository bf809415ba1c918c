"""Console actions of dispatch on a request (the page itself is the request's)."""

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.core.errors import DomainError
from aftersales.dispatch import services
from aftersales.service_requests import selectors
from aftersales.service_requests.views import changed_response, refused_response


@require_POST
def auto_assign(request: HttpRequest, number: str) -> HttpResponse:
    target = selectors.service_request_get_for_user(request.user, number)
    version = request.POST.get("version", "")
    try:
        updated = services.service_request_auto_assign(
            target,
            by=request.user,
            expected_version=int(version) if version.isdigit() else None,
        )
    except DomainError as exc:
        return refused_response(request, target, exc, box="auto-assign-errors")
    assignee = updated.assignee.display_name if updated.assignee else ""
    notice = _("Assigned to %(name)s.") % {"name": assignee}
    return changed_response(request, updated.number, notice)
