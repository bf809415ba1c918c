"""The customer portal: report a problem, get a receipt, track a request. No account needed."""

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from aftersales.accounts.models import User
from aftersales.core.errors import DomainError
from aftersales.core.text import normalise_phone
from aftersales.portal import forms, selectors, throttle, tokens
from aftersales.service_requests import services
from aftersales.service_requests.models import ServiceRequest
from aftersales.visits.selectors import next_visit

# Anti-abuse limits per client address (RELIABILITY S02, S17). Attempts bound the work a
# script can make us do; submissions bound how many requests one address can file. The
# limits are settings (AFTERSALES_PORTAL_*), read at each request.
SUBMIT_WINDOW = 3600
TRACK_WINDOW = 600
# A signed token is about 80 characters; anything much longer is not one of ours.
_MAX_TOKEN_LENGTH = 200


def _service_context() -> dict[str, Any]:
    return {"service_time_zone": settings.SERVICE_TIME_ZONE}


def _post_or_none(request: HttpRequest) -> tuple[Any, Any] | None:
    """The parsed form body, or None when it is larger or has more parts than we accept."""
    try:
        return request.POST, request.FILES
    except (RequestDataTooBig, TooManyFilesSent, TooManyFieldsSent):
        return None


def _throttled(response: HttpResponse, window: int) -> HttpResponse:
    response["Retry-After"] = str(window)
    return response


@login_not_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "portal/submit.html", {"form": forms.SubmitForm()})
    client = throttle.client_ip(request)
    posted = _post_or_none(request)
    if posted is None:
        return render(
            request,
            "portal/submit.html",
            {
                "form": forms.SubmitForm(),
                "page_error": _(
                    "What you sent is too large. Shorten the text, or send fewer or smaller "
                    "files, and try again."
                ),
            },
            status=413,
        )
    data, files = posted
    attempts_ok = throttle.allow(
        "submit-attempt", client, limit=settings.PORTAL_SUBMIT_ATTEMPT_LIMIT, window=SUBMIT_WINDOW
    )
    submitted = throttle.count("submit", client, window=SUBMIT_WINDOW)
    if not attempts_ok or submitted >= settings.PORTAL_SUBMIT_LIMIT:
        # The typed values are kept (not the files), so nothing is lost but the wait.
        form = forms.SubmitForm(
            initial={k: v for k, v in data.items() if k in forms.SubmitForm.base_fields}
        )
        message = _(
            "You have sent many requests from this connection in a short time. Please wait "
            "an hour and try again, or call our service hotline."
        )
        response = render(
            request, "portal/submit.html", {"form": form, "page_error": message}, status=429
        )
        return _throttled(response, SUBMIT_WINDOW)
    form = forms.SubmitForm(data, files)
    if form.is_valid():
        try:
            # One transaction: a refused file or field leaves no customer and no request.
            with transaction.atomic():
                customer = services.customer_find_or_create(by=None, **form.customer_fields())
                service_request = services.service_request_create(
                    by=None,
                    customer=customer,
                    data=form.request_data(),
                    uploads=form.cleaned_data["attachments"],
                    public=True,
                )
        except DomainError as exc:
            forms.add_domain_errors(form, exc)
        else:
            throttle.hit("submit", client, window=SUBMIT_WINDOW)
            return redirect("portal:receipt", token=tokens.receipt_token(service_request.number))
    return render(request, "portal/submit.html", {"form": form}, status=400)


def _mask_phone(phone: str) -> str:
    digits = normalise_phone(phone).lstrip("+")
    if len(digits) >= 9:
        return f"{digits[:3]}****{digits[-4:]}"
    return f"****{digits[-2:]}" if digits else ""


def _mask_email(email: str) -> str:
    local, at, domain = email.partition("@")
    if not at:
        return ""
    return f"{local[:1]}***@{domain}"


@login_not_required
@never_cache
@require_GET
def receipt(request: HttpRequest, token: str) -> HttpResponse:
    number = tokens.receipt_number(token) if len(token) <= _MAX_TOKEN_LENGTH else None
    service_request = selectors.receipt_request(number) if number else None
    if service_request is None:
        return render(request, "portal/receipt_invalid.html", status=404)
    context = {
        "sr": service_request,
        "attachments": service_request.public_attachments,
        "masked_phone": _mask_phone(service_request.contact_phone),
        "masked_email": _mask_email(service_request.contact_email),
        **_service_context(),
    }
    return render(request, "portal/receipt.html", context)


def _tracked_context(tracked: ServiceRequest) -> dict[str, Any]:
    """Only what the customer may see: no internal notes, no staff names."""
    replies = [
        {
            "from_customer": reply.author is not None and reply.author.role == User.Role.CUSTOMER,
            "body": reply.body,
            "created_at": reply.created_at,
        }
        for reply in selectors.public_replies(tracked).select_related("author")
    ]
    return {
        "sr": tracked,
        "replies": replies,
        "next_visit": next_visit(tracked),
        **_service_context(),
    }


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    """Number plus contact, by POST so the contact is in no URL or access log (SPEC §6)."""
    if request.method == "GET":
        initial = {"number": request.GET.get("number", "")[:64]}
        return render(request, "portal/track.html", {"form": forms.TrackForm(initial=initial)})
    if not throttle.allow(
        "track", throttle.client_ip(request), limit=settings.PORTAL_TRACK_LIMIT, window=TRACK_WINDOW
    ):
        message = _(
            "Too many attempts from this connection. Please wait ten minutes and try again."
        )
        response = render(
            request,
            "portal/track.html",
            {"form": forms.TrackForm(), "page_error": message},
            status=429,
        )
        return _throttled(response, TRACK_WINDOW)
    posted = _post_or_none(request)
    if posted is None:
        context = {"form": forms.TrackForm(), "page_error": _("What you sent is too large.")}
        return render(request, "portal/track.html", context, status=413)
    form = forms.TrackForm(posted[0])
    if not form.is_valid():
        return render(request, "portal/track.html", {"form": form}, status=400)
    tracked = selectors.tracked_request(form.cleaned_data["number"], form.cleaned_data["contact"])
    if tracked is None:
        # One answer for an unknown number and for a wrong contact, so numbers cannot be probed.
        form.add_error(
            None,
            _(
                "We found no request with this service number and this phone number or email. "
                "Check both and try again."
            ),
        )
        return render(request, "portal/track.html", {"form": form}, status=404)
    return render(request, "portal/track_result.html", _tracked_context(tracked))
