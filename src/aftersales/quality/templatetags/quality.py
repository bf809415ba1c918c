"""The problem records card on a request's page: it reads its own context, so the request
page shows it with one include line and the service_requests app knows nothing of quality."""

from typing import Any

from django import template

from aftersales.quality import access, selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def request_problems(context: template.Context) -> list[Any]:
    """The problem records linked to request `sr` that the signed-in member of staff sees."""
    user = context["request"].user
    if not access.is_reader(user):
        return []
    return list(selectors.problems_of_request(user, context["sr"].pk))
