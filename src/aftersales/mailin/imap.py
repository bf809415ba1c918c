"""Fetching from an IMAP mailbox with the standard library's imaplib.

Per message: its size first (RFC822.SIZE); the whole message with BODY.PEEK[] (PEEK: the
server does not mark it seen), or only its headers when it is above MAILIN_MAX_BYTES; the
bytes are stored and committed (`services.message_store`); only then `STORE +FLAGS
(\\Seen)`. A fetcher killed between the two leaves the message unseen, and the next run finds
it stored already by (mailbox, UIDVALIDITY, UID) or its bytes, and only marks it seen.
"""

import contextlib
import imaplib
import os
import re
import ssl

from django.conf import settings

from aftersales.mailin.faults import faultpoint
from aftersales.mailin.models import Mailbox

_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


class FetchError(Exception):
    """The mailbox could not be read: connection, TLS, login, folder, or a dropped link."""


def _connect(mailbox: Mailbox) -> imaplib.IMAP4:
    timeout = settings.MAILIN_IMAP_TIMEOUT
    if mailbox.security == Mailbox.Security.SSL:
        return imaplib.IMAP4_SSL(
            mailbox.host, mailbox.port, ssl_context=ssl.create_default_context(), timeout=timeout
        )
    conn = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=timeout)
    if mailbox.security == Mailbox.Security.STARTTLS:
        conn.starttls(ssl_context=ssl.create_default_context())
    return conn


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _check(typ: str, data: list, what: str) -> list:
    if typ != "OK":
        detail = b" ".join(d for d in data if isinstance(d, bytes)).decode("utf-8", "replace")
        raise FetchError(f"{what}: {detail[:300]}")
    return data


def _fetch_one(conn: imaplib.IMAP4, uid: bytes) -> tuple[bytes, int | None]:
    data = _check(*conn.uid("FETCH", uid, "(RFC822.SIZE)"), "size")
    match = _SIZE.search(b" ".join(d if isinstance(d, bytes) else d[0] for d in data if d))
    size = int(match.group(1)) if match else None
    too_big = size is not None and size > settings.MAILIN_MAX_BYTES
    item = "BODY.PEEK[HEADER]" if too_big else "BODY.PEEK[]"
    data = _check(*conn.uid("FETCH", uid, f"({item})"), "fetch")
    for entry in data:
        if isinstance(entry, tuple) and len(entry) == 2:
            return entry[1], size if too_big else None
    raise FetchError(f"the server sent no message for UID {uid.decode()}")


def fetch(mailbox: Mailbox) -> int:
    """Store the folder's unseen messages (at most MAILIN_FETCH_BATCH a run); returns how
    many were new. Raises FetchError when the mailbox cannot be read."""
    from aftersales.mailin import services

    password = os.environ.get(mailbox.password_env or "", "")
    if not password:
        raise FetchError(f"the environment variable {mailbox.password_env!r} is not set")
    stored = 0
    try:
        conn = _connect(mailbox)
    except (OSError, ssl.SSLError, imaplib.IMAP4.error) as exc:
        raise FetchError(f"cannot connect to {mailbox.host}:{mailbox.port}: {exc}") from exc
    try:
        try:
            _check(*conn.login(mailbox.username, password), "login")
        except imaplib.IMAP4.error as exc:
            raise FetchError(f"login refused for {mailbox.username}: {exc}") from exc
        _check(*conn.select(_quote(mailbox.folder)), f"folder {mailbox.folder}")
        _typ, validity = conn.response("UIDVALIDITY")
        uidvalidity = int(validity[0]) if validity and validity[0] else None
        if uidvalidity != mailbox.last_uidvalidity:
            Mailbox.objects.filter(pk=mailbox.pk).update(last_uidvalidity=uidvalidity)
        data = _check(*conn.uid("SEARCH", None, "UNSEEN"), "search")
        uids = (data[0] or b"").split()[: settings.MAILIN_FETCH_BATCH]
        for uid in uids:
            raw, announced = _fetch_one(conn, uid)
            _message, created = services.message_store(
                raw=raw,
                mailbox=mailbox,
                uidvalidity=uidvalidity,
                uid=int(uid),
                announced_size=announced,
            )
            stored += created
            faultpoint("after_commit_before_seen")
            _check(*conn.uid("STORE", uid, "+FLAGS", "(\\Seen)"), "mark seen")
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            conn.logout()
    except FetchError:
        _close(conn)
        raise
    except (TimeoutError, OSError, ssl.SSLError, imaplib.IMAP4.error, EOFError) as exc:
        _close(conn)
        raise FetchError(f"{type(exc).__name__}: {exc}") from exc
    return stored


def _close(conn: imaplib.IMAP4) -> None:
    with contextlib.suppress(OSError, imaplib.IMAP4.error):
        conn.shutdown()
