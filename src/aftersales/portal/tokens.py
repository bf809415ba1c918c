"""Receipt links: a signed service number, so a receipt cannot be found by guessing numbers."""

from django.core import signing

RECEIPT_SALT = "portal-receipt"
RECEIPT_MAX_AGE = 7 * 24 * 3600


def receipt_token(number: str) -> str:
    return signing.dumps(number, salt=RECEIPT_SALT)


def receipt_number(token: str) -> str | None:
    """The service number in a valid, unexpired token; None for anything else."""
    try:
        number = signing.loads(token, salt=RECEIPT_SALT, max_age=RECEIPT_MAX_AGE)
    except signing.BadSignature:
        return None
    return number if isinstance(number, str) else None
