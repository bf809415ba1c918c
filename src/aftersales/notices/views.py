"""The message texts page (administrators): every customer message, per channel and
language, the product's text or the administrator's, edited with a preview. And the
customer's one-click page that stops optional messages."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aftersales.core.errors import DomainError
from aftersales.notices import rendering, services, tokens
from aftersales.notices.events import EVENTS
from aftersales.notices.models import MessageTemplate
from aftersales.notifications import services as notifications
from aftersales.notifications.models import OutboxMessage
from aftersales.service_requests import access
from aftersales.service_requests.models import ServiceRequest

CHANNELS = OutboxMessage.Channel


def _admin_only(user: Any) -> None:
    if not services.may_edit_texts(user):
        raise PermissionDenied(_("Only administrators change message texts."))


def _target(event: str, channel: str, language: str) -> None:
    if event not in EVENTS or channel not in CHANNELS.values:
        raise Http404
    if language not in dict(settings.LANGUAGES):
        raise Http404


@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    _admin_only(request.user)
    custom = set(MessageTemplate.objects.values_list("event", "channel", "language"))
    rows = [
        {
            "event": event,
            "cells": [
                (channel, language, (event.name, channel, language) in custom)
                for channel in CHANNELS.values
                for language, _name in settings.LANGUAGES
            ],
        }
        for event in EVENTS.values()
    ]
    columns = [
        (CHANNELS(channel).label, name)
        for channel in CHANNELS.values
        for _code, name in settings.LANGUAGES
    ]
    return render(
        request,
        "notices/template_list.html",
        {"rows": rows, "columns": columns, "is_staff": True},
    )


@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, event: str, channel: str, language: str) -> HttpResponse:
    _admin_only(request.user)
    _target(event, channel, language)
    current = services.template_for(event, channel, language)
    default_subject, default_body = rendering.default_source(event, channel, language)
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        subject = request.POST.get("subject", "")
        body = request.POST.get("body", "")
        if "reset" in request.POST:
            services.template_reset(
                by=request.user, event=event, channel=channel, language=language
            )
            messages.success(request, _("The product's text is used again."))
            return redirect("notices:edit", event, channel, language)
        try:
            services.template_save(
                by=request.user,
                event=event,
                channel=channel,
                language=language,
                subject=subject,
                body=body,
            )
        except DomainError as exc:
            errors = exc.fields or {"body": [exc.message]}
            status = 400
        else:
            messages.success(request, _("The message text is saved."))
            return redirect("notices:edit", event, channel, language)
    else:
        subject = current.subject if current else default_subject
        body = current.body if current else default_body
    spec = EVENTS[event]
    return render(
        request,
        "notices/template_edit.html",
        {
            "spec": spec,
            "channel": channel,
            "channel_label": CHANNELS(channel).label,
            "language": language,
            "language_label": dict(settings.LANGUAGES)[language],
            "current": current,
            "subject": subject,
            "body": body,
            "errors": errors,
            "variables": spec.all_variables().items(),
            "preview": services.preview(event, channel, language, subject=subject, body=body),
            "is_staff": True,
        },
        status=status,
    )


@require_POST
def template_preview(request: HttpRequest, event: str, channel: str, language: str) -> HttpResponse:
    """The preview of the text being written (htmx), with the event's sample values."""
    _admin_only(request.user)
    _target(event, channel, language)
    preview = services.preview(
        event,
        channel,
        language,
        subject=request.POST.get("subject", ""),
        body=request.POST.get("body", ""),
    )
    return render(
        request,
        "notices/template_edit.html#preview",
        {"preview": preview, "channel": channel},
    )


@require_POST
def message_retry(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    """Send a failed message about a request again (after the address was corrected)."""
    service_request = get_object_or_404(ServiceRequest, number=number)
    if not (access.is_staff(request.user) and access.can_edit(request.user, service_request)):
        raise PermissionDenied(_("You may not send this request's messages."))
    message = get_object_or_404(OutboxMessage, pk=pk, reference=number)
    if notifications.outbox_retry(message):
        messages.success(request, _("The message will be sent again."))
    else:
        messages.info(request, _("The message has not failed: there is nothing to send again."))
    return redirect("service_requests:detail", number)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def optional_stop(request: HttpRequest, token: str) -> HttpResponse:
    """A GET asks (mail scanners open links); the POST stops optional messages."""
    customer_id = tokens.opt_out_customer_id(token)
    if customer_id is None:
        return render(request, "notices/optional_invalid.html", status=404)
    done = False
    if request.method == "POST":
        done = services.optional_messages_stop(customer_id) is not None
        if not done:
            return render(request, "notices/optional_invalid.html", status=404)
    return render(request, "notices/optional_stop.html", {"done": done})
