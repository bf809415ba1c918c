"""Links to the customer's "was it fixed?" page: a signed request id and resolution round.

The link alone shows nothing: the page asks for the phone or email the request was filed
with first (as tracking does), since mail gets forwarded and scanned. A link names one
resolution: after a reopen and a new resolution, an old link no longer answers.
"""

from django.core import signing

SALT = "repair-records-confirmation"
MAX_AGE = 30 * 24 * 3600
# A token is about 50 characters; anything much longer is not one of ours.
MAX_TOKEN_LENGTH = 200


def confirmation_token(request_id: int, round_: int) -> str:
    return signing.dumps({"r": request_id, "n": round_}, salt=SALT)


def confirmation_target(token: str, *, max_age: int = MAX_AGE) -> tuple[int, int] | None:
    """(request id, round) of a valid, unexpired token; None for anything else."""
    if len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        payload = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    request_id, round_ = payload.get("r"), payload.get("n")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (request_id, round_)):
        return None
    return request_id, round_
