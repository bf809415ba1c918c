"""The visits card on a service request's page, without the request's view knowing of
visits: the page includes `visits/_request_visits.html`, which asks this tag."""

from typing import Any

from django import template

from aftersales.service_requests import access as request_access
from aftersales.service_requests.models import ServiceRequest
from aftersales.visits import access, selectors, services

register = template.Library()


@register.simple_tag(takes_context=True)
def request_visits(context: template.Context, sr: ServiceRequest) -> dict[str, Any] | None:
    """The visits of `sr` as the reader may see them (customers: window and status), and
    what they may do about them. The page already checked that the reader sees `sr`."""
    http = context.get("request")
    user = getattr(http, "user", None)
    if user is None or not isinstance(sr, ServiceRequest):
        return None
    staff = request_access.is_staff(user)
    visits = list(selectors.visits_of_request(sr))
    can_book = staff and sr.is_open and access.can_book(user, sr)
    if not visits and not can_book:
        return None
    return {
        "staff": staff,
        "can_book": can_book,
        "rows": [
            {
                "visit": visit,
                "technicians": [b.technician for b in visit.bookings.all()],
                "actions": services.available_actions(visit, user) if staff else [],
            }
            for visit in visits
        ],
    }


@register.filter
def tel_href(phone: str) -> str:
    """A phone number as a `tel:` link takes it: digits and a leading plus only."""
    phone = phone or ""
    digits = "".join(ch for ch in phone if ch.isdigit() and ch.isascii())
    return ("+" if phone.strip().startswith("+") else "") + digits
