"""The tasks card on a request's page: it reads its own context, so the request page shows it
with one include line and the service_requests app knows nothing of tasks."""

from typing import Any

from django import template

from aftersales.service_requests import access as request_access
from aftersales.tasks import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def request_tasks(context: template.Context) -> list[Any]:
    """The tasks of request `sr` that the signed-in member of staff may see."""
    user = context["request"].user
    if not request_access.is_staff(user):
        return []
    return list(selectors.tasks_of_request(user, context["sr"].pk))
