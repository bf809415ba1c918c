"""Message-IDs of our mail that name a request, signed so a reply can be trusted to be about it.

`<sr.SR-20261202-0001.{random}.{mac}@domain>`: the service number, a random part (each
message has its own id), and an HMAC over both with the site's secret. A reply quoting it in
`In-Reply-To`/`References` is about that request; a guessed or edited id does not verify.
Every message about one request also names `thread_root(number)` in `References`, so mail
clients show them as one conversation.
"""

import email.utils
import hashlib
import hmac
import re
import secrets

from django.conf import settings

_SALT = b"aftersales.notifications.threading"
_ID = re.compile(r"^<?sr\.([A-Za-z0-9-]{1,50})\.([a-z0-9]{1,32})\.([0-9a-f]{16})@([^<>\s@]+)>?$")


def mail_domain() -> str:
    address = email.utils.parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or "localhost"


def _mac(number: str, nonce: str) -> str:
    key = hashlib.sha256(_SALT + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, f"{number}.{nonce}".encode(), hashlib.sha256).hexdigest()[:16]


def make_message_id(number: str, *, nonce: str | None = None) -> str:
    nonce = nonce if nonce is not None else secrets.token_hex(5)
    return f"<sr.{number}.{nonce}.{_mac(number, nonce)}@{mail_domain()}>"


def thread_root(number: str) -> str:
    """The same id for every message about `number`: the conversation's first message."""
    return make_message_id(number, nonce="root")


def number_from_message_id(message_id: str) -> str | None:
    """The service number a Message-ID of ours names, or None when it is not ours or does
    not verify."""
    match = _ID.match((message_id or "").strip())
    if match is None:
        return None
    number, nonce, mac = match.group(1), match.group(2), match.group(3)
    if not hmac.compare_digest(mac, _mac(number, nonce)):
        return None
    return number
