"""Idempotency-Key on API creations (RELIABILITY R03).

A client that sends `Idempotency-Key: <key>` and retries (after a timeout, a dropped
connection) gets the first answer again, status and body, and nothing new is created.
The same key with another payload is refused with 422. Keys belong to the user who sent
them and are remembered for AFTERSALES_IDEMPOTENCY_KEY_HOURS (24).

The record is written first, in the same transaction as the creation: a second request
with the key waits on the unique index until the first commits (then it replays the
answer) or rolls back (then it creates). A refused creation (400, 403, 409) is not
remembered: the client may fix the payload and send it again with the same key.
"""

import datetime
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.renderers import JSONRenderer

from aftersales.accounts.models import User
from aftersales.core.errors import Conflict, DomainError
from aftersales.webhooks.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


class KeyReused(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _(
        "This Idempotency-Key was used with a different payload. Send a new key for a new "
        "request, or the same payload to get the first answer again."
    )
    default_code = "idempotency_key_reused"


def _check_key(key: str) -> None:
    if not key or len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        message = _("Give at most %(count)s visible ASCII characters.") % {"count": MAX_KEY_LENGTH}
        raise DomainError(message, fields={HEADER: [message]})


def payload_hash(payload: Any) -> str:
    canonical = json.dumps(
        payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def run(
    *, user: User, key: str, payload: Any, create: Callable[[], tuple[int, Any]]
) -> tuple[int, Any, bool]:
    """(status, body, replayed): `create()`'s answer, or the one remembered for this key."""
    _check_key(key)
    digest = payload_hash(payload)
    lifetime = datetime.timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)
    for _attempt in range(3):
        with transaction.atomic():
            now = timezone.now()
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(
                        user=user, key=key, request_hash=digest, created_at=now
                    )
            except IntegrityError:
                record = None
            if record is None:
                existing = IdempotencyRecord.objects.filter(user=user, key=key).first()
                if existing is None:
                    continue  # Removed between our insert and read: claim it again.
                if existing.created_at < now - lifetime:
                    existing.delete()
                    continue
                if existing.request_hash != digest:
                    raise KeyReused()
                if existing.status_code is None:
                    raise Conflict(
                        _("A request with this Idempotency-Key is still being processed."),
                        fields={HEADER: [_("Still being processed; retry in a moment.")]},
                    )
                return existing.status_code, existing.response_body, True
            code, body = create()
            record.status_code = code
            # Stored as the client received it (dates as text, decimals as strings).
            record.response_body = json.loads(JSONRenderer().render(body))
            record.save(update_fields=["status_code", "response_body"])
            return code, body, False
    raise Conflict(
        _("A request with this Idempotency-Key is still being processed."),
        fields={HEADER: [_("Still being processed; retry in a moment.")]},
    )
