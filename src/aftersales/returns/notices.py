"""Mail to the customer about their return: at authorisation (the number and what to do), at
receipt, at the refund and when we send something back. Written in the caller's
transaction through the outbox, once per authorisation and step (a retried step mails no
one twice), in the customer's language if we know and speak it, else Simplified Chinese.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from aftersales.notifications import services as notifications
from aftersales.returns.models import ReturnAuthorisation

KINDS = ("authorised", "received", "refunded", "shipped_out")


def customer_language(rma: ReturnAuthorisation) -> str:
    known = {code for code, _name in settings.LANGUAGES}
    language = (rma.request.customer.language or "").lower().replace("_", "-")
    return language if language in known else settings.LANGUAGE_CODE


def _subject(kind: str, rma: ReturnAuthorisation) -> str:
    subjects = {
        "authorised": _("Your return %(rma)s is authorised: what to do next"),
        "received": _("We received your unit for return %(rma)s"),
        "refunded": _("Your refund for return %(rma)s is on its way"),
        "shipped_out": _("We sent your unit for return %(rma)s"),
    }
    return subjects[kind] % {"rma": rma.number}


def customer_mail(kind: str, rma: ReturnAuthorisation) -> None:
    """Nothing is sent without an email address (the customer is told by phone)."""
    request = rma.request
    address = request.contact_email or request.customer.email
    if not address:
        return
    with translation.override(customer_language(rma)):
        subject = _subject(kind, rma)
        body = render_to_string(
            "returns/email/customer_notice.txt",
            {
                "kind": kind,
                "rma": rma,
                "sr": request,
                "return_address": settings.RMA_RETURN_ADDRESS,
                "link": settings.SITE_URL + reverse("portal:track") + f"?number={request.number}",
            },
        )
    notifications.email_enqueue(
        key=f"rma:{rma.pk}:{kind}",
        to_address=address,
        subject=subject,
        body=body,
        reference=request.number,
    )
