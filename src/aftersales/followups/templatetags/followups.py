"""The follow-up card on a request's page: its context is computed here, so the page that
shows it includes it with one line and service_requests knows nothing of this app."""

from typing import Any

from django import template

from aftersales.followups import access, selectors, services

register = template.Library()


@register.simple_tag(takes_context=True)
def followup_card(context: template.Context) -> dict[str, Any]:
    user = context["request"].user
    sr = context["sr"]
    if not access.can_see_any(user):
        return {"shown": False}
    rows = selectors.followups_of_request(user, sr.pk)
    if not rows:
        return {"shown": False}
    current = rows[0]
    return {
        "shown": True,
        "current": current,
        "earlier": rows[1:],
        "can_run": current.is_open and access.can_run(user, current),
        "close_refusal": services.close_refusal(sr) if sr.status == "resolved" else "",
    }
