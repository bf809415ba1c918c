"""Console pages of returns: the RMA list, an RMA's own page (where warehouse staff, who may
not see the request, record receipt and shipments), and the card's forms.

Each form: selector → form → one service call → the refreshed panels (htmx) or a redirect
(no JavaScript) to the page it came from — the request's or the RMA's; a refusal is shown
on the form, with the API's status code.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap, retarget, trigger_client_event

from aftersales.accounts.models import User
from aftersales.core.errors import DomainError
from aftersales.core.htmx import render_page_or_partial
from aftersales.returns import display, filters, forms, selectors, services
from aftersales.returns.models import ReturnAuthorisation
from aftersales.service_requests import access as request_access
from aftersales.service_requests import selectors as request_selectors
from aftersales.service_requests.forms import form_error
from aftersales.service_requests.views import changed_response

LIST = "returns/rma_list.html"
DETAIL = "returns/rma_detail.html"
PER_PAGE = 50
ERROR_STATUS = {"invalid": 400, "forbidden": 403, "invalid_transition": 409, "conflict": 409}
SERVICES = {
    "ship_in": services.rma_ship_in,
    "receive": services.rma_receive,
    "inspect": services.rma_inspect,
    "refund": services.rma_refund,
    "replace": services.rma_replace,
    "ship_out": services.rma_ship_out,
    "cancel": services.rma_cancel,
}
NOTICES = {
    "ship_in": gettext_lazy("The customer's shipment is recorded."),
    "receive": gettext_lazy("The receipt is recorded."),
    "inspect": gettext_lazy("The inspection is recorded."),
    "refund": gettext_lazy("The refund is recorded."),
    "replace": gettext_lazy("The replacement unit is recorded."),
    "ship_out": gettext_lazy("Our shipment is recorded."),
    "cancel": gettext_lazy("The RMA is cancelled."),
}


def _console(user: User, **context: Any) -> dict[str, Any]:
    """What the console frame needs (the navigation), as the request pages give it."""
    return {
        "is_staff": request_access.is_staff(user),
        "can_intake": request_access.is_staff(user) and request_access.can_create(user),
        **context,
    }


def _staff(user: User) -> None:
    if not request_access.is_staff(user):
        raise PermissionDenied(_("Only staff see the list of returns."))


@require_GET
def rma_list(request: HttpRequest) -> HttpResponse:
    _staff(request.user)
    filterset = filters.RmaFilter(
        request.GET, queryset=selectors.rma_list(request.user), request=request
    )
    rows = filterset.qs if filterset.is_valid() else selectors.rma_list(request.user).none()
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    # Request numbers only for those who may open the request (warehouse staff see every
    # RMA, not every request).
    visible = set(
        request_access.visible_to(request.user)
        .filter(pk__in=[rma.request_id for rma in page])
        .values_list("pk", flat=True)
    )
    context = _console(
        request.user,
        page=page,
        rows=[(rma, rma.request_id in visible) for rma in page],
        filter_form=filterset.form,
    )
    return render_page_or_partial(request, LIST, "rma-list", context)


def _detail_context(http: HttpRequest, rma: ReturnAuthorisation, **extra: Any) -> dict[str, Any]:
    user = http.user
    return _console(
        user,
        rma=rma,
        sr=rma.request,
        card=display.card(user, rma.request, origin="rma", focus=rma),
        **extra,
    )


@require_GET
def rma_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rma = selectors.rma_get_for_user(request.user, pk)
    if not request_access.is_staff(request.user):
        # Customers follow their return on the request's page (no staff notes there).
        return redirect("service_requests:detail", number=rma.request.number)
    return render_page_or_partial(request, DETAIL, "rma-panels", _detail_context(request, rma))


def _origin(request: HttpRequest) -> str:
    return "rma" if request.POST.get("origin") == "rma" else "request"


def _done(request: HttpRequest, rma: ReturnAuthorisation, notice: str) -> HttpResponse:
    if _origin(request) == "request":
        return changed_response(request, rma.request.number, notice)
    try:
        rma = selectors.rma_get_for_user(request.user, rma.pk)
    except Http404:
        messages.success(request, notice)
        return redirect("returns:rma_list")
    if not request.htmx:
        messages.success(request, notice)
        return redirect("returns:rma_detail", pk=rma.pk)
    response = render(request, f"{DETAIL}#rma-panels", _detail_context(request, rma, notice=notice))
    return trigger_client_event(response, "request-changed")


def _refused(
    request: HttpRequest, exc: DomainError, *, box: str, number: str, pk: int | None
) -> HttpResponse:
    """The refusal where the form is (htmx, 4xx), else as a message on the page (PRG)."""
    back = (
        redirect("returns:rma_detail", pk=pk)
        if _origin(request) == "rma" and pk is not None
        else redirect("service_requests:detail", number=number)
    )
    if not request.htmx:
        details = [m for msgs in exc.fields.values() for m in msgs if m != exc.message]
        messages.error(request, " ".join([exc.message, *details]))
        return back
    context = {"error": exc, "conflict": exc.code == "conflict", "reload": back.url}
    response = render(
        request, "returns/_errors.html", context, status=ERROR_STATUS.get(exc.code, 400)
    )
    return reswap(retarget(response, f"#{box}"), "innerHTML")


@require_POST
def rma_authorise(request: HttpRequest, number: str) -> HttpResponse:
    target = request_selectors.service_request_get_for_user(request.user, number)
    box = "rma-authorise-errors"
    form = forms.AuthoriseForm(request.POST)
    if not form.is_valid():
        return _refused(request, form_error(form), box=box, number=target.number, pk=None)
    try:
        rma = services.rma_authorise(target, by=request.user, **form.cleaned_data)
    except DomainError as exc:
        return _refused(request, exc, box=box, number=target.number, pk=None)
    if rma.decision == "refused":
        notice = _("Return refused (%(rma)s).") % {"rma": rma.number}
    else:
        notice = _("%(rma)s authorised; the customer is told what to do.") % {"rma": rma.number}
    return changed_response(request, target.number, notice)


@require_POST
def rma_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    name = display.PATH_STEPS.get(step)
    if name is None:
        raise Http404("No such step.")
    rma = selectors.rma_get_for_user(request.user, pk)
    box = f"rma-{name}-errors"
    form = forms.STEP_FORMS[name](request.POST, request.FILES)
    if not form.is_valid():
        return _refused(request, form_error(form), box=box, number=rma.request.number, pk=rma.pk)
    try:
        SERVICES[name](rma, by=request.user, **form.data_for_service())
    except DomainError as exc:
        return _refused(request, exc, box=box, number=rma.request.number, pk=rma.pk)
    return _done(request, rma, str(NOTICES[name]))
