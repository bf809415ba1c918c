"""Notifications: in-app messages for staff, and the outbox of messages sent by mail.

- notify: an in-app message for a person, once per key
- notifications_mark_read: mark one person's messages read
- email_enqueue: write a mail (with files attached, if any) in the caller's transaction, sent
  after commit, once per key
- sms_enqueue: the same for a text message (sent through the provider of `sms.py`)
- outbox_deliver: send one message: claim it, send it, record the outcome
- outbox_flush: send every message that is due (new, to retry, or left by a stopped worker)
- outbox_retry: send a failed message again (an administrator's decision)
- outbox_mark_bounced: a delivery report came back for a sent message
"""

import datetime
import email.utils
import hashlib
import logging
import smtplib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import BadHeaderError, EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from aftersales.accounts.models import User
from aftersales.notifications import sms, threading
from aftersales.notifications.models import Notification, OutboxAttachment, OutboxMessage

log = logging.getLogger(__name__)
S = OutboxMessage.Status

MAX_ATTEMPTS = 8
# A worker holds a claimed message this long; one that stops mid-send leaves it due again.
CLAIM_SECONDS = 300
FIRST_RETRY = datetime.timedelta(minutes=1)
LONGEST_WAIT = datetime.timedelta(hours=2)


def notify(
    *, recipient: User, key: str, title: str, body: str = "", url: str = ""
) -> Notification | None:
    """Write the message in the caller's transaction; None if this key already reached them."""
    try:
        with transaction.atomic():
            return Notification.objects.create(
                recipient=recipient, key=key, title=title[:200], body=body, url=url
            )
    except IntegrityError:
        return None


def notifications_mark_read(*, recipient: User, ids: list[int] | None = None) -> int:
    unread = Notification.objects.filter(recipient=recipient, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


@dataclass(frozen=True)
class Attachment:
    """A file to send with a mail: its name as the recipient sees it, its bytes and type."""

    filename: str
    content: bytes
    content_type: str


# A mail server commonly refuses messages above 25 MB; base64 makes files a third larger.
ATTACHMENTS_MAX_BYTES = 15 * 1024 * 1024


def _mail_domain() -> str:
    address = email.utils.parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or "localhost"


def email_enqueue(
    *,
    key: str,
    to_address: str,
    subject: str,
    body: str,
    recipient: User | None = None,
    reference: str = "",
    in_reply_to: str = "",
    event: str = "",
    attachments: list[Attachment] | tuple[Attachment, ...] = (),
) -> OutboxMessage | None:
    """Write a mail to be sent once the caller's transaction commits.

    None when there is no address or when this key was already written (the fact was
    reported before). Line breaks in the subject are folded: no header injection. A mail
    about a request (`reference`, its service number) gets a signed Message-ID that a reply
    can be threaded by (`threading.py`); `in_reply_to` is the customer's message it answers.
    `attachments` are stored with the message (ValueError above ATTACHMENTS_MAX_BYTES).
    """
    if sum(len(item.content) for item in attachments) > ATTACHMENTS_MAX_BYTES:
        raise ValueError("The attachments are too large to be sent by mail.")
    return _enqueue(
        channel=OutboxMessage.Channel.EMAIL,
        key=key,
        to_address=to_address,
        subject=" ".join(subject.split())[:200],
        body=body,
        recipient=recipient,
        reference=reference,
        in_reply_to=" ".join(in_reply_to.split())[:255],
        event=event,
        attachments=attachments,
    )


def sms_enqueue(
    *, key: str, to_phone: str, text: str, reference: str = "", event: str = ""
) -> OutboxMessage | None:
    """Write a text message to be sent once the caller's transaction commits; None without
    a number or when this key was already written."""
    return _enqueue(
        channel=OutboxMessage.Channel.SMS,
        key=key,
        to_address=" ".join(to_phone.split())[:254],
        subject="",
        body=text.strip(),
        reference=reference,
        event=event,
    )


def _store_attachment(message: OutboxMessage, item: Attachment) -> OutboxAttachment:
    digest = hashlib.sha256(item.content).hexdigest()
    name = f"outbox/{digest[:2]}/{digest}"
    # Named by content: a file already there holds the same bytes.
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(item.content))
    return OutboxAttachment.objects.create(
        message=message,
        file=name,
        filename=" ".join(item.filename.split())[:200] or "attachment",
        content_type=item.content_type[:100],
        size=len(item.content),
    )


def _enqueue(
    *,
    channel: str,
    key: str,
    to_address: str,
    reference: str,
    attachments: list[Attachment] | tuple[Attachment, ...] = (),
    **fields: Any,
) -> OutboxMessage | None:
    if not to_address:
        return None
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(
                key=key[:200],
                channel=channel,
                to_address=to_address,
                reference=reference[:50],
                message_id=threading.make_message_id(reference[:50])
                if reference
                else email.utils.make_msgid(domain=_mail_domain()),
                next_attempt_at=timezone.now(),
                **fields,
            )
            for item in attachments:
                _store_attachment(message, item)
    except IntegrityError:
        return None
    # Imported here: the task module imports this one.
    from aftersales.notifications import tasks

    transaction.on_commit(lambda: tasks.outbox_deliver.delay(message.pk))
    return message


def _due(now: datetime.datetime) -> Q:
    return Q(status=S.PENDING, next_attempt_at__lte=now) | Q(
        status=S.SENDING, claimed_until__lt=now
    )


def _is_permanent(exc: Exception) -> bool:
    """5xx answers about this message (its sender, recipient or content) will not change
    on a retry; anything else — 4xx, refused or dropped connections, timeouts, a wrong
    password the administrator is about to fix — may."""
    if isinstance(exc, sms.SmsPermanentError | FileNotFoundError):
        return True
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return False
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _text in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return isinstance(exc, BadHeaderError | ValueError)


def _retry_delay(attempts: int) -> datetime.timedelta:
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_WAIT)


def _thread_headers(message: OutboxMessage) -> dict[str, str]:
    """In-Reply-To the customer's message, References the request's conversation."""
    references = []
    if message.reference:
        references.append(threading.thread_root(message.reference))
    if message.in_reply_to:
        references.append(message.in_reply_to)
    headers = {"References": " ".join(references)} if references else {}
    if message.in_reply_to:
        headers["In-Reply-To"] = message.in_reply_to
    return headers


def _send(message: OutboxMessage) -> None:
    if message.channel == OutboxMessage.Channel.SMS:
        sms.sms_send(to=message.to_address, text=message.body, message_id=message.message_id)
        return
    mail = EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to_address],
        headers={
            "Message-ID": message.message_id,
            # Tells autoresponders not to answer (RFC 3834), so no mail loop starts.
            "Auto-Submitted": "auto-generated",
            "X-Auto-Response-Suppress": "All",
            **_thread_headers(message),
        },
    )
    for attachment in message.attachments.all():
        with attachment.file.open("rb") as stored:
            mail.attach(attachment.filename, stored.read(), attachment.content_type)
    mail.send(fail_silently=False)


def outbox_deliver(message_id: int, *, now: datetime.datetime | None = None) -> str | None:
    """Send one message if it is due and no other worker holds it; returns its new status,
    None if there was nothing to do. A temporary failure schedules the next attempt
    (1, 2, 4 … minutes, at most two hours apart); a permanent one, or the last attempt,
    leaves it failed with the server's answer."""
    now = now or timezone.now()
    claimed = (
        OutboxMessage.objects.filter(_due(now), pk=message_id)
        .exclude(attempts__gte=MAX_ATTEMPTS)
        .update(
            status=S.SENDING,
            attempts=F("attempts") + 1,
            claimed_until=now + datetime.timedelta(seconds=CLAIM_SECONDS),
        )
    )
    if not claimed:
        return None
    message = OutboxMessage.objects.get(pk=message_id)
    try:
        _send(message)
    # Whatever goes wrong must be recorded on the message, where staff see it, and the
    # message retried: a failure that only reached a worker's log would be a lost message.
    except Exception as exc:  # noqa: BLE001
        final = _is_permanent(exc) or message.attempts >= MAX_ATTEMPTS
        status = S.FAILED if final else S.PENDING
        OutboxMessage.objects.filter(pk=message_id, status=S.SENDING).update(
            status=status,
            claimed_until=None,
            next_attempt_at=timezone.now() + _retry_delay(message.attempts),
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        log.warning(
            "Outgoing message %s attempt %s failed (%s): %s",
            message_id,
            message.attempts,
            status,
            type(exc).__name__,
        )
        return status
    OutboxMessage.objects.filter(pk=message_id, status=S.SENDING).update(
        status=S.SENT, sent_at=timezone.now(), claimed_until=None, last_error=""
    )
    return S.SENT


def outbox_flush(*, now: datetime.datetime | None = None, limit: int = 200) -> int:
    """Send what is due, oldest first; returns how many were sent. Messages whose worker
    stopped after its last attempt are marked failed."""
    now = now or timezone.now()
    OutboxMessage.objects.filter(
        status=S.SENDING, claimed_until__lt=now, attempts__gte=MAX_ATTEMPTS
    ).update(
        status=S.FAILED,
        claimed_until=None,
        last_error="The worker sending this message stopped on its last attempt.",
    )
    due_ids = list(
        OutboxMessage.objects.filter(_due(now))
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(outbox_deliver(pk, now=now) == S.SENT for pk in due_ids)


@transaction.atomic
def outbox_retry(message: OutboxMessage) -> bool:
    """Give a failed message a new round of attempts, sent after commit."""
    changed = OutboxMessage.objects.filter(pk=message.pk, status=S.FAILED).update(
        status=S.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error=""
    )
    if changed:
        from aftersales.notifications import tasks

        transaction.on_commit(lambda: tasks.outbox_deliver.delay(message.pk))
    return bool(changed)


def outbox_mark_bounced(message: OutboxMessage, *, reason: str) -> bool:
    """A delivery report says the message never arrived: it is failed, with the report's
    reason where staff see deliveries. True when this changed it."""
    changed = (
        OutboxMessage.objects.filter(pk=message.pk)
        .exclude(status=S.FAILED, last_error__startswith="Bounced")
        .update(status=S.FAILED, claimed_until=None, last_error=f"Bounced: {reason}"[:2000])
    )
    return bool(changed)
