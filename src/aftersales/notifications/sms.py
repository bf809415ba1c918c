"""Text messages: one small interface, so a gateway is a class and a setting.

`AFTERSALES_SMS_PROVIDER` names the class (a dotted path); the default writes each message
to the log (`aftersales.sms`), so the embedded installation sends nothing and loses nothing
silently. A gateway raises `SmsTemporaryError` for what may work on a retry (timeouts, a
busy gateway) and `SmsPermanentError` for what never will (an invalid number, a number that
refused messages); the outbox retries the first and shows the second on the request.
`docs/operations.md` shows how to add one.
"""

import logging
from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger("aftersales.sms")


class SmsError(Exception):
    pass


class SmsTemporaryError(SmsError):
    pass


class SmsPermanentError(SmsError):
    pass


class SmsProvider(Protocol):
    def send(self, *, to: str, text: str, message_id: str) -> None:
        """Hand one message to the gateway; return when it accepted it. `message_id` is
        the same on every retry of one message: pass it on where the gateway de-duplicates."""


class LogSmsProvider:
    """Writes the message to the log instead of sending it."""

    def send(self, *, to: str, text: str, message_id: str) -> None:
        log.info("Text message %s to %s: %s", message_id, to, text)


@cache
def provider() -> SmsProvider:
    return import_string(settings.SMS_PROVIDER)()


def sms_send(*, to: str, text: str, message_id: str) -> None:
    digits = sum(ch.isdigit() for ch in to)
    if digits < 5:
        raise SmsPermanentError(f"Not a phone number: {to!r}")
    provider().send(to=to, text=text, message_id=message_id)
