"""Survey links: a signed invitation id (and its request) with its own salt.

The signature stops tampering and guessing; the expiry and single use are the invitation
row's (`expires_at`, `used_at`), so an administrator's change of the period applies to links
already sent, and a used link stays used whatever its signature says.
"""

from django.core import signing

SALT = "surveys-invitation"
# A token is about 50 characters; anything much longer is not one of ours.
MAX_TOKEN_LENGTH = 200


def invitation_token(invitation_id: int, request_id: int) -> str:
    return signing.dumps({"i": invitation_id, "r": request_id}, salt=SALT)


def invitation_target(token: str, *, max_age: int) -> tuple[int, int] | None:
    """(invitation id, request id) of a valid token no older than `max_age` seconds."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        payload = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    ids = payload.get("i"), payload.get("r")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in ids):
        return None
    return ids[0], ids[1]
