"""Who may read the mail behind a request (its text, flags and the original .eml): staff
who may see the request, except department staff (they see their tasks, not requests).
Customers read what they wrote in their own mail client; strangers get 404. Mailboxes and
the quarantine are the administrators' (Django admin)."""

from aftersales.accounts.models import User
from aftersales.service_requests import access
from aftersales.service_requests.models import ServiceRequest


def can_read_mail(user: User, request: ServiceRequest) -> bool:
    return (
        access.is_staff(user)
        and user.role != User.Role.DEPARTMENT
        and access.can_view(user, request)
    )
