"""The customer's complaint link: a signed complaint id with its own salt.

One link serves the whole of the customer's part — signing the offered proposal, then
saying whether they are satisfied — since it is the same customer and the same complaint.
The link alone shows nothing: the page asks for the phone or email the request was filed
with first (as tracking does), since mail gets forwarded and scanned.
"""

from django.conf import settings
from django.core import signing

SALT = "complaints-customer-link"
# A token is about 40 characters; anything much longer is not one of ours.
MAX_TOKEN_LENGTH = 200


def max_age() -> int:
    return settings.COMPLAINT_LINK_DAYS * 24 * 3600


def complaint_token(complaint_id: int) -> str:
    return signing.dumps({"complaint": complaint_id}, salt=SALT)


def complaint_id_from(token: str) -> int | None:
    """The complaint id in a valid, unexpired token; None for anything else."""
    if len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        payload = signing.loads(token, salt=SALT, max_age=max_age())
    except signing.BadSignature:
        return None
    value = payload.get("complaint") if isinstance(payload, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None
