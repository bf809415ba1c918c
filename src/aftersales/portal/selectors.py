"""Tracking a request without an account: its number plus the phone or email it was filed with."""

from django.db.models import Prefetch, QuerySet

from aftersales.catalog.models import Product
from aftersales.core.text import normalise_email, normalise_phone
from aftersales.service_requests.models import Attachment, Comment, ServiceRequest
from aftersales.service_requests.numbering import normalise_number


def tracked_request(number: str, contact: str) -> ServiceRequest | None:
    """The request if `contact` proves it; None alike for a wrong contact and an unknown number."""
    request = (
        ServiceRequest.objects.select_related("customer")
        .filter(number=normalise_number(number))
        .first()
    )
    if request is None or not contact.strip():
        return None
    phone, email = normalise_phone(contact), normalise_email(contact)
    candidates_phone = {request.contact_phone_key, request.customer.phone_key} - {""}
    candidates_email = {request.contact_email_key, request.customer.email_key} - {""}
    if "@" in email and email in candidates_email:
        return request
    if len(phone) >= 5 and phone in candidates_phone:
        return request
    return None


def public_replies(request: ServiceRequest) -> QuerySet[Comment]:
    return request.comments.filter(is_internal=False).order_by("created_at", "id")


def receipt_request(number: str) -> ServiceRequest | None:
    """The request a receipt token names, with what the customer sent along."""
    return (
        ServiceRequest.objects.select_related("product")
        .prefetch_related(
            Prefetch(
                "attachments",
                queryset=Attachment.objects.filter(is_internal=False).order_by("id"),
                to_attr="public_attachments",
            )
        )
        .filter(number=number)
        .first()
    )


def active_products() -> QuerySet[Product]:
    """The catalogue models a customer may pick from on the portal."""
    return Product.objects.filter(is_active=True).order_by("model")
