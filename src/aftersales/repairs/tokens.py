"""Consent links: a signed plan id with its own salt, valid for two weeks.

The link alone shows nothing: the page asks for the phone or email the request was filed
with first (as tracking does), since mail gets forwarded and scanned.
"""

from django.core import signing

CONSENT_SALT = "repairs-plan-consent"
CONSENT_MAX_AGE = 14 * 24 * 3600
# A token is about 40 characters; anything much longer is not one of ours.
MAX_TOKEN_LENGTH = 200


def consent_token(plan_id: int) -> str:
    return signing.dumps({"plan": plan_id}, salt=CONSENT_SALT)


def consent_plan_id(token: str, *, max_age: int = CONSENT_MAX_AGE) -> int | None:
    """The plan id in a valid, unexpired token; None for anything else."""
    if len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        payload = signing.loads(token, salt=CONSENT_SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    plan_id = payload.get("plan") if isinstance(payload, dict) else None
    return plan_id if isinstance(plan_id, int) and not isinstance(plan_id, bool) else None
