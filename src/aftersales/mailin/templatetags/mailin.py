"""The email card on a request's page computes its own context here, so the page includes it
with one line and service_requests knows nothing of this app."""

from typing import Any

from django import template

from aftersales.mailin import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def request_mail(context: template.Context) -> list[Any]:
    return selectors.messages_for_request(context["request"].user, context["sr"])
