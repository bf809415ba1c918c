"""Email intake use cases.

- message_store: keep a message's bytes (store first), once per IMAP UID and per content
- message_process: read a stored message and act on it — a new request, a reply on its
  request, a bounce on the mail it bounces, or set aside (held, quarantined, ignored);
  idempotent: a message already handled is left as it is
- messages_process_pending: every stored message not yet handled, each on its own
- message_retry: an administrator sends a quarantined or held message through again
- message_open_as_request: an administrator opens a request from a held message
- mailbox_poll / mailboxes_poll: fetch new mail from the IMAP mailboxes
"""

import datetime
import hashlib
import logging
import random
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.core.errors import DomainError, NotAllowed
from aftersales.core.text import normalise_email
from aftersales.mailin import parsing
from aftersales.mailin import threading as mail_threading
from aftersales.mailin.models import InboundMessage, Mailbox
from aftersales.notices import services as notices
from aftersales.notifications import services as notifications
from aftersales.notifications.models import OutboxMessage
from aftersales.service_requests import services as requests_services
from aftersales.service_requests.models import ServiceRequest, ServiceRequestEvent

log = logging.getLogger(__name__)
S = InboundMessage.Status
ACK_KEY = "mailin:ack:"


# --- Storing ----------------------------------------------------------------------------


def _peek(raw: bytes) -> dict[str, str]:
    """Message-ID, From and Subject for the list, read from the headers alone; a message
    whose headers cannot be read is stored all the same."""
    try:
        head = raw[:65536].split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
        msg = parsing.email.message_from_bytes(head + b"\n\n", policy=parsing.POLICY)
        ids = parsing.message_ids(str(msg.get("Message-ID") or ""))
        who = parsing.decoding.sender(parsing.decoding.decode_header(msg.get("From")).text)
        subject = parsing.decoding.decode_header(msg.get("Subject")).text
        return {
            "message_id": ids[0] if ids else "",
            "from_address": who.address,
            "subject": parsing._clean_text(subject).replace("\n", " ")[:300],
        }
    except Exception:  # noqa: BLE001 - storing must not depend on the headers being sane
        return {}


def message_store(
    *,
    raw: bytes,
    mailbox: Mailbox | None = None,
    uidvalidity: int | None = None,
    uid: int | None = None,
    announced_size: int | None = None,
) -> tuple[InboundMessage, bool]:
    """Keep the message, committed before anything else happens to it. (message, created):
    the same UID, or the same bytes in the same mailbox, is the message already stored.
    `announced_size` above the limit: `raw` holds only the headers, and the message is
    quarantined as oversized."""
    sha256 = hashlib.sha256(raw).hexdigest()
    existing = InboundMessage.objects.filter(mailbox=mailbox)
    if uid is not None:
        found = existing.filter(uidvalidity=uidvalidity, uid=uid).first()
        if found is not None:
            return found, False
    found = existing.filter(sha256=sha256).first()
    if found is not None:
        return found, False
    fields: dict[str, Any] = {
        "mailbox": mailbox,
        "source": InboundMessage.Source.IMAP if mailbox else InboundMessage.Source.PIPE,
        "uidvalidity": uidvalidity,
        "uid": uid,
        "raw": raw,
        "size": announced_size or len(raw),
        "sha256": sha256,
        **_peek(raw),
    }
    oversized = (announced_size or len(raw)) > settings.MAILIN_MAX_BYTES
    if oversized:
        fields |= {
            "announced_size": announced_size or len(raw),
            "status": S.QUARANTINED,
            "reason": _("Larger than %(limit)d MB (%(size)d bytes): only its headers were kept.")
            % {"limit": settings.MAILIN_MAX_BYTES // (1024 * 1024), "size": fields["size"]},
        }
    try:
        with transaction.atomic():
            message = InboundMessage.objects.create(**fields)
            if oversized:
                _tell_admins_quarantined(message)
    except IntegrityError:
        # Stored meanwhile by another fetcher.
        same = Q(sha256=sha256)
        if uid is not None:
            same |= Q(uidvalidity=uidvalidity, uid=uid)
        found = existing.filter(same).first()
        if found is None:
            raise
        return found, False
    return message, True


# --- Processing -------------------------------------------------------------------------


def _tell_admins_quarantined(message: InboundMessage) -> None:
    url = reverse("admin:mailin_inboundmessage_change", args=[message.pk])
    for admin in User.objects.filter(role=User.Role.ADMIN, is_active=True):
        notifications.notify(
            recipient=admin,
            key=f"mailin:quarantined:{message.pk}:{message.attempts}",
            title=_("An incoming email was quarantined"),
            body=f"{message.from_address} — {message.subject}\n{message.reason}",
            url=url,
        )


def _set_aside(message: InboundMessage, status: str, reason: str) -> InboundMessage:
    message.status = status
    message.reason = reason[:2000]
    message.processed_at = timezone.now()
    message.save()
    if status == S.QUARANTINED:
        _tell_admins_quarantined(message)
    return message


def _serialise_by_message_id(message_id: str) -> None:
    """Two copies of one mail (two mailboxes) processed at once take turns, so the second
    sees the first as a duplicate. SQLite's transactions are serialised already."""
    if connection.vendor == "postgresql" and message_id:
        key = int.from_bytes(hashlib.sha256(message_id.encode()).digest()[:8], "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _duplicate_of(message: InboundMessage, parsed: parsing.Parsed) -> InboundMessage | None:
    handled = InboundMessage.objects.exclude(pk=message.pk).filter(
        status__in=[S.PROCESSED, S.HELD, S.IGNORED]
    )
    same = handled.filter(sha256=message.sha256).order_by("id").first()
    if same is None and not parsed.synthetic_id:
        same = (
            handled.filter(message_id=parsed.message_id, content_sha256=parsed.content_sha256)
            .order_by("id")
            .first()
        )
    return same


def _participants(request: ServiceRequest) -> set[str]:
    customer = request.customer
    keys = {customer.email_key, request.contact_email_key}
    keys |= set(customer.contacts.values_list("email_key", flat=True))
    return {key for key in keys if key}


def _uploads(message: InboundMessage, parsed: parsing.Parsed) -> list[ContentFile]:
    """Attachments and inline images that pass the upload rules; the others are named in
    the message's flags (the raw message keeps them)."""
    accepted: list[ContentFile] = []
    for part in parsed.attachments:
        upload = ContentFile(part.data, name=part.filename)
        if len(accepted) >= settings.ATTACHMENTS_PER_UPLOAD:
            message.flags.append(f"attachment not kept (too many files): {part.filename[:100]}")
            continue
        try:
            requests_services.attachment_check(upload)
        except DomainError as exc:
            message.flags.append(f"attachment not kept: {exc.message}"[:300])
            continue
        accepted.append(upload)
    return accepted


def _acknowledge(message: InboundMessage, parsed: parsing.Parsed, request: ServiceRequest) -> None:
    """The receipt: the number and the first response we promise. Once per request (its
    key), never to automatic mail, at most one per sender per MAILIN_ACK_WINDOW_MINUTES."""
    since = timezone.now() - datetime.timedelta(minutes=settings.MAILIN_ACK_WINDOW_MINUTES)
    if OutboxMessage.objects.filter(
        key__startswith=ACK_KEY, to_address__iexact=parsed.from_address, created_at__gte=since
    ).exists():
        message.flags.append("no acknowledgement: this sender had one within the window")
        return
    # The answer to the mail goes to its sender by mail, whatever else they prefer.
    sent = notices.notice_send(
        "receipt",
        request=request,
        key=f"{ACK_KEY}{request.pk}",
        values={"response_due": notices.service_time(request.first_response_due_at)},
        channels=[OutboxMessage.Channel.EMAIL],
        email=parsed.from_address,
        in_reply_to="" if parsed.synthetic_id else parsed.message_id,
    )
    message.acknowledged = bool(sent)


def _history_note(request: ServiceRequest, action: str, note: str) -> None:
    ServiceRequestEvent.objects.create(
        request=request,
        kind=ServiceRequestEvent.Kind.UPDATED,
        action=action,
        actor=None,
        note=note[:500],
        is_internal=True,
    )


def _handle_bounce(message: InboundMessage, parsed: parsing.Parsed) -> InboundMessage:
    bounce = parsed.bounce
    if bounce is None:
        raise ValueError("not a bounce")
    original = (
        OutboxMessage.objects.filter(message_id__in=bounce.original_ids).order_by("id").first()
    )
    if original is None:
        return _set_aside(
            message,
            S.HELD,
            _("A delivery report about no message of ours: %(reason)s") % {"reason": bounce.reason},
        )
    notifications.outbox_mark_bounced(original, reason=bounce.reason)
    message.bounced_message = original
    request = ServiceRequest.objects.filter(number=original.reference).first()
    if request is not None and original.reference:
        message.request = request
        _history_note(
            request,
            "mail.bounced",
            _("Mail to %(address)s was not delivered: %(reason)s")
            % {"address": original.to_address, "reason": bounce.reason},
        )
    message.status = S.PROCESSED
    message.reason = ""
    message.processed_at = timezone.now()
    message.save()
    return message


def _reply(message: InboundMessage, parsed: parsing.Parsed, request: ServiceRequest):
    if normalise_email(parsed.from_address) not in _participants(request):
        message.request = request
        return _set_aside(
            message,
            S.HELD,
            _("%(sender)s wrote about %(number)s but does not take part in it.")
            % {"sender": parsed.from_address or "?", "number": request.number},
        )
    body = _trimmed(parsed) or _("(The email had no text.)")
    comment = requests_services.comment_add_from_customer(
        request, body=body, uploads=_uploads(message, parsed)
    )
    message.request, message.comment = request, comment
    if request.assignee_id:
        notifications.notify(
            recipient=request.assignee,
            key=f"mailin:reply:{comment.pk}",
            title=_("%(number)s: the customer replied by email") % {"number": request.number},
            body=body[:500],
            url=reverse("service_requests:detail", args=[request.number]),
        )
    message.status = S.PROCESSED
    message.processed_at = timezone.now()
    message.save()
    return message


def _trimmed(parsed: parsing.Parsed) -> str:
    from aftersales.mailin import trimming

    text = trimming.trim(parsed.text)
    limit = 20000
    if len(text) > limit:
        text = text[: limit - 200].rstrip() + "\n\n" + _("(Shortened: the whole email is kept.)")
    return text


def _new_request(
    message: InboundMessage, parsed: parsing.Parsed, *, reviewed: bool = False
) -> InboundMessage:
    if not parsed.from_address:
        return _set_aside(message, S.HELD, _("The sender's address is missing or not valid."))
    if parsed.auto and not reviewed:
        return _set_aside(
            message,
            S.HELD,
            _("An automatic message (%(why)s) about no request of ours.") % {"why": parsed.auto},
        )
    name = parsed.from_name if parsed.from_name and "@" not in parsed.from_name else ""
    customer = requests_services.customer_find_or_create(
        name=name or parsed.from_address.split("@")[0], email=parsed.from_address, by=None
    )
    title = mail_threading.strip_prefixes(parsed.subject)[:200] or _("Email from %(sender)s") % {
        "sender": parsed.from_address
    }
    request = requests_services.service_request_create(
        by=None,
        customer=customer,
        data={
            "channel": ServiceRequest.Channel.EMAIL,
            "title": title,
            "description": _trimmed(parsed),
            "contact_email": parsed.from_address,
        },
        uploads=_uploads(message, parsed),
        receipt=False,
    )
    message.request = request
    if not parsed.auto:
        _acknowledge(message, parsed, request)
    message.status = S.PROCESSED
    message.processed_at = timezone.now()
    message.save()
    return message


def _fill(message: InboundMessage, parsed: parsing.Parsed) -> None:
    message.message_id = parsed.message_id[:255]
    message.content_sha256 = parsed.content_sha256
    message.from_address = parsed.from_address
    message.subject = parsed.subject
    message.text_body = parsed.text
    message.html_sanitised = parsed.html
    message.flags = list(parsed.flags)
    if parsed.reply_to and normalise_email(parsed.reply_to) != normalise_email(parsed.from_address):
        message.flags.append("Reply-To differs from From: the sender is From")


@transaction.atomic
def message_process(message_id: int, *, as_new_request: bool = False) -> InboundMessage:
    """Act on a stored message once. Whatever it is, it ends processed, held, ignored or
    quarantined, with the reason; running again changes nothing. `as_new_request`: an
    administrator reviewed it and it opens a request of the sender's own."""
    # The raw message is read once, apart: the instance saved below never writes it back.
    message = InboundMessage.objects.select_for_update().defer("raw").get(pk=message_id)
    if message.status != S.RECEIVED:
        return message
    message.attempts += 1
    raw = InboundMessage.objects.filter(pk=message_id).values_list("raw", flat=True).get()
    try:
        parsed = parsing.parse(raw if isinstance(raw, bytes) else bytes(raw))
    except parsing.Poison as poison:
        return _set_aside(message, S.QUARANTINED, poison.reason)
    _fill(message, parsed)
    _serialise_by_message_id(parsed.message_id)
    duplicate = _duplicate_of(message, parsed)
    if duplicate is not None:
        message.request = duplicate.request
        return _set_aside(
            message, S.IGNORED, _("A copy of message #%(id)d.") % {"id": duplicate.pk}
        )
    if not parsed.synthetic_id:
        reused = (
            InboundMessage.objects.exclude(pk=message.pk)
            .filter(message_id=parsed.message_id)
            .exclude(content_sha256=parsed.content_sha256)
            .values_list("pk", flat=True)
            .first()
        )
        if reused:
            message.flags.append(f"Message-ID also used by a different message (#{reused})")
    if as_new_request:
        try:
            with transaction.atomic():
                return _new_request(message, parsed, reviewed=True)
        except DomainError as exc:
            return _set_aside(message, S.HELD, exc.message)
    if parsed.bounce is not None:
        return _handle_bounce(message, parsed)
    number, _signed = mail_threading.number_from_headers(parsed.thread_ids)
    number = number or mail_threading.number_in_subject(parsed.subject)
    request = (
        ServiceRequest.objects.select_related("customer").filter(number=number).first()
        if number
        else None
    )
    try:
        with transaction.atomic():
            if request is not None:
                return _reply(message, parsed, request)
            return _new_request(message, parsed)
    except DomainError as exc:
        details = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.fields.items())
        return _set_aside(message, S.QUARANTINED, f"{exc.message} {details}".strip())


def messages_process_pending(*, mailbox: Mailbox | None = None, limit: int = 500) -> int:
    """Each stored message not yet handled, in arrival order, each in its own transaction:
    one that fails for an unexpected reason is quarantined with it and the rest go on."""
    pending = InboundMessage.objects.filter(status=S.RECEIVED)
    if mailbox is not None:
        pending = pending.filter(mailbox=mailbox)
    done = 0
    for pk in list(pending.order_by("id").values_list("pk", flat=True)[:limit]):
        try:
            message_process(pk)
        except Exception as exc:
            log.exception("Incoming message %s could not be processed", pk)
            with transaction.atomic():
                message = InboundMessage.objects.select_for_update().get(pk=pk)
                if message.status == S.RECEIVED:
                    message.attempts += 1
                    _set_aside(
                        message,
                        S.QUARANTINED,
                        f"Processing failed: {type(exc).__name__}: {exc}"[:2000],
                    )
        done += 1
    return done


def message_retry(message: InboundMessage, *, by: User) -> InboundMessage:
    """An administrator sends a quarantined or held message through again (e.g. after a
    limit was raised or the customer's address was added to the request)."""
    if by.role != User.Role.ADMIN and not by.is_superuser:
        raise NotAllowed(_("Only administrators may retry incoming email."))
    with transaction.atomic():
        changed = InboundMessage.objects.filter(
            pk=message.pk, status__in=[S.QUARANTINED, S.HELD]
        ).update(status=S.RECEIVED, reason="", processed_at=None)
    if not changed:
        raise DomainError(
            _("Only quarantined or held messages can be retried."),
            fields={"status": [_("This message was handled already.")]},
        )
    if (message.announced_size or 0) > settings.MAILIN_MAX_BYTES:
        with transaction.atomic():
            message.refresh_from_db()
            return _set_aside(
                message, S.QUARANTINED, _("Only the headers of this oversized message were kept.")
            )
    return message_process(message.pk)


def message_open_as_request(message: InboundMessage, *, by: User) -> InboundMessage:
    """An administrator reviewed a held message (e.g. a stranger's reply, an automatic
    message) and opens a request of the sender's own from it — never a comment on the
    request it named."""
    if by.role != User.Role.ADMIN and not by.is_superuser:
        raise NotAllowed(_("Only administrators may open requests from held email."))
    with transaction.atomic():
        changed = InboundMessage.objects.filter(pk=message.pk, status=S.HELD).update(
            status=S.RECEIVED, reason="", processed_at=None, request=None
        )
    if not changed:
        raise DomainError(
            _("Only held messages can open a request this way."),
            fields={"status": [_("This message is not held for review.")]},
        )
    return message_process(message.pk, as_new_request=True)


# --- Fetching ---------------------------------------------------------------------------


def _backoff(failures: int) -> datetime.timedelta:
    """1, 2, 4 … minutes, at most an hour, with ±20 % jitter so mailboxes spread out."""
    seconds = min(60 * 2 ** (failures - 1), 3600)
    return datetime.timedelta(seconds=seconds * random.uniform(0.8, 1.2))  # noqa: S311


def mailbox_poll(mailbox: Mailbox, *, force: bool = False) -> int:
    """Fetch a mailbox's new mail (stored and marked seen), then process what is pending.
    A failure is recorded on the mailbox with a growing pause before the next try, and
    administrators are told once a failure streak reaches MAILIN_ALERT_AFTER_FAILURES."""
    from aftersales.mailin import imap

    now = timezone.now()
    if not force and mailbox.next_poll_at and mailbox.next_poll_at > now:
        return 0
    Mailbox.objects.filter(pk=mailbox.pk).update(last_attempt_at=now)
    try:
        stored = imap.fetch(mailbox)
    except imap.FetchError as exc:
        failures = mailbox.consecutive_failures + 1
        Mailbox.objects.filter(pk=mailbox.pk).update(
            consecutive_failures=failures,
            last_error=f"{now:%Y-%m-%d %H:%M:%S} UTC: {exc}"[:2000],
            next_poll_at=now + _backoff(failures),
        )
        log.warning("Mailbox %s: fetch failed (%s in a row): %s", mailbox.name, failures, exc)
        if failures >= settings.MAILIN_ALERT_AFTER_FAILURES:
            streak = mailbox.last_success_at.isoformat() if mailbox.last_success_at else "never"
            for admin in User.objects.filter(role=User.Role.ADMIN, is_active=True):
                notifications.notify(
                    recipient=admin,
                    key=f"mailin:failing:{mailbox.pk}:{streak}",
                    title=_("Mailbox %(name)s cannot be fetched") % {"name": mailbox.name},
                    body=str(exc)[:500],
                    url=reverse("admin:mailin_mailbox_change", args=[mailbox.pk]),
                )
        mailbox.refresh_from_db()
        messages_process_pending(mailbox=mailbox)
        return 0
    Mailbox.objects.filter(pk=mailbox.pk).update(
        consecutive_failures=0, last_error="", next_poll_at=None, last_success_at=timezone.now()
    )
    mailbox.refresh_from_db()
    messages_process_pending(mailbox=mailbox)
    return stored


def mailboxes_poll() -> int:
    total = 0
    for mailbox in Mailbox.objects.filter(active=True).order_by("id"):
        total += mailbox_poll(mailbox)
    messages_process_pending()
    return total
