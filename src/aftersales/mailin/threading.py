"""Which request a reply is about: our signed Message-IDs in In-Reply-To/References first
(`notifications.threading`), then a Message-ID of ours we sent (looked up in the outbox),
then the service number in the subject. Only the first proves the mail answers ours; the
caller still checks that the sender takes part in the request (RELIABILITY E17)."""

import re

from aftersales.notifications import threading as outbound
from aftersales.notifications.models import OutboxMessage

NUMBER = re.compile(r"SR-\d{8}-\d{4,6}")
# Reply and forward prefixes, ASCII and Chinese, with ASCII or full-width colons.
_PREFIX = re.compile(
    r"^\s*(?:(?:re|fw|fwd|aw|sv|回复|答复|回覆|轉寄|转发|答覆)\s*(?:\[\d{1,3}\])?\s*[:：]\s*)+",
    re.I,
)


def strip_prefixes(subject: str) -> str:
    return _PREFIX.sub("", subject[:1000]).strip()


def number_in_subject(subject: str) -> str | None:
    match = NUMBER.search(subject[:1000])
    return match.group(0) if match else None


def number_from_headers(thread_ids: list[str]) -> tuple[str | None, bool]:
    """(service number, signed) from the ids a reply names."""
    for message_id in thread_ids:
        number = outbound.number_from_message_id(message_id)
        if number:
            return number, True
    if thread_ids:
        sent = (
            OutboxMessage.objects.filter(message_id__in=thread_ids)
            .exclude(reference="")
            .values_list("reference", flat=True)
            .first()
        )
        if sent:
            return sent, True
    return None, False
