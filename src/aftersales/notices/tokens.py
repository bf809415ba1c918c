"""The signed link in optional messages that stops them (one click, no sign-in)."""

from django.core import signing

SALT = "aftersales.notices.optional"


def opt_out_token(customer_id: int) -> str:
    return signing.dumps(customer_id, salt=SALT, compress=False)


def opt_out_customer_id(token: str) -> int | None:
    """No expiry: a customer may use the link of an old message."""
    try:
        value = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None
