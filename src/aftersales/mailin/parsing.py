"""Reading one stored message: headers, text, sanitised HTML, attachments, and what kind of
mail it is (auto-reply, bounce). Pure: bytes in, a `Parsed` out, or `Poison` with the reason
when the structure is beyond our limits or the parser gives up (RELIABILITY E10–E13)."""

import binascii
import email
import email.parser
import email.policy
import hashlib
import html
import re
from dataclasses import dataclass, field

import nh3
from django.conf import settings

from aftersales.mailin import decoding

# HTML we keep for display: formatting and links, nothing that runs or fetches (no <img>:
# remote images are never loaded, inline images are saved as attachments).
ALLOWED_TAGS = {
    "a", "b", "blockquote", "br", "code", "div", "em", "h1", "h2", "h3", "h4", "hr", "i",
    "li", "ol", "p", "pre", "span", "strong", "table", "tbody", "td", "th", "thead", "tr",
    "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}}
_BLOCK_END = re.compile(r"<(?:br|/p|/div|/tr|/li|/h[1-6]|/blockquote|hr)\b[^>]{0,200}>", re.I)
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]{0,20})\b[^<>]{0,2000}>")
_SCRIPT_STYLE = re.compile(r"<(script|style)\b[^<>]{0,2000}>[^<]{0,1000000}</\1\s*>", re.I)
_VOID = {"br", "hr", "img", "meta", "link", "input", "col", "area", "base", "wbr", "source"}
MAX_HTML_CHARS = 2_000_000
MAX_HTML_DEPTH = 300
MAX_HTML_TAGS = 50_000
_MESSAGE_ID = re.compile(r"<[^<>\s]{1,250}>")
_AUTO_PRECEDENCE = {"bulk", "junk", "list", "auto_reply", "auto-reply"}
_DAEMONS = ("mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon")
# Headers each delivery adds; without them the same mail delivered twice hashes alike.
_CONTENT_HEADERS = ("from", "date", "subject", "message-id", "content-type")


class _RawHeaders(email.policy.Compat32):
    """compat32, but header values as the bytes came (8-bit kept as surrogate escapes),
    so `decoding` can try them against the Chinese codecs instead of losing them."""

    def header_fetch_parse(self, name: str, value: str) -> str:
        return value


POLICY = _RawHeaders()


class Poison(Exception):
    """The message cannot be read safely; it is quarantined with this reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Part:
    filename: str
    content_type: str
    data: bytes
    inline: bool


@dataclass
class Bounce:
    original_ids: list[str]
    reason: str


@dataclass
class Parsed:
    message_id: str = ""
    synthetic_id: bool = False
    subject: str = ""
    from_name: str = ""
    from_address: str = ""
    reply_to: str = ""
    thread_ids: list[str] = field(default_factory=list)
    text: str = ""
    html: str = ""
    attachments: list[Part] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    auto: str = ""
    bounce: Bounce | None = None
    content_sha256: str = ""


def _header(msg: email.message.Message, name: str) -> str:
    try:
        value = msg.get(name)
    except (TypeError, ValueError, IndexError):
        return ""
    return "" if value is None else str(value)


def message_ids(value: str) -> list[str]:
    return _MESSAGE_ID.findall(value[:20000])[:50]


_CONTENT_TYPE = re.compile(rb"content-type:", re.IGNORECASE)
_BOUNDARY = re.compile(rb"boundary=", re.IGNORECASE)


def _count(pattern: re.Pattern[bytes], raw: bytes) -> int:
    return sum(1 for _match in pattern.finditer(raw))


def _prescan(raw: bytes) -> None:
    """Structural limits checked on the bytes before the parser builds anything, so a
    message of 20,000 parts or 5,000 levels costs a scan, not a parse."""
    if len(raw) > settings.MAILIN_MAX_BYTES:
        raise Poison(f"larger than {settings.MAILIN_MAX_BYTES} bytes ({len(raw)})")
    # Counted without a lower-cased copy of the message (24 MB more for a large photo).
    parts = _count(_CONTENT_TYPE, raw)
    if parts > settings.MAILIN_MAX_PARTS + 1:
        raise Poison(f"too many MIME parts (more than {settings.MAILIN_MAX_PARTS})")
    boundaries = _count(_BOUNDARY, raw)
    if boundaries > settings.MAILIN_MAX_DEPTH and boundaries > settings.MAILIN_MAX_PARTS // 2:
        raise Poison(f"too many multipart containers ({boundaries})")


def _walk(msg: email.message.Message) -> list[tuple[email.message.Message, int]]:
    """Every part with its depth, without recursion; Poison past the limits."""
    out: list[tuple[email.message.Message, int]] = []
    stack = [(msg, 0)]
    while stack:
        part, depth = stack.pop()
        if depth > settings.MAILIN_MAX_DEPTH:
            raise Poison(f"MIME nested deeper than {settings.MAILIN_MAX_DEPTH} levels")
        out.append((part, depth))
        if len(out) > settings.MAILIN_MAX_PARTS:
            raise Poison(f"too many MIME parts (more than {settings.MAILIN_MAX_PARTS})")
        payload = part.get_payload()
        if isinstance(payload, list):
            stack.extend((child, depth + 1) for child in reversed(payload))
    return out


def _payload_bytes(part: email.message.Message) -> bytes:
    payload = part.get_payload()
    if isinstance(payload, str) and part.get("Content-Transfer-Encoding", "").lower() == "base64":
        # Decoded straight from the text: the standard path first makes a bytes copy of it
        # (24 MB more for a large photo). Anything irregular takes the standard path.
        try:
            return binascii.a2b_base64(payload)
        except (binascii.Error, ValueError):
            pass
    try:
        data = part.get_payload(decode=True)
    except (ValueError, TypeError, AssertionError):
        data = None
    if data is None:
        payload = part.get_payload()
        data = payload.encode("ascii", "surrogateescape") if isinstance(payload, str) else b""
    return data


def _clean_text(text: str) -> str:
    """Text we can store: NUL and other control characters, lone surrogates and direction
    overrides (which make "gpj.exe" read as "exe.jpg") out, line ends unified."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(
        c
        for c in text
        if c in "\n\t"
        or not (
            c < " "
            or "\x7f" <= c < "\xa0"
            or "\ud800" <= c <= "\udfff"
            or "\u202a" <= c <= "\u202e"
            or "\u2066" <= c <= "\u2069"
        )
    )


def _tame(markup: str) -> bool:
    """Whether the HTML parser will be quick on it: its time grows with the square of the
    nesting depth, so deeply nested or huge markup is not given to it (E23)."""
    if len(markup) > MAX_HTML_CHARS:
        return False
    depth = deepest = 0
    for tags, match in enumerate(_TAG.finditer(markup), start=1):
        if match.group(1):
            depth = max(depth - 1, 0)
        elif match.group(2).lower() not in _VOID and not match.group(0).endswith("/>"):
            depth += 1
            deepest = max(deepest, depth)
        if deepest > MAX_HTML_DEPTH or tags > MAX_HTML_TAGS:
            return False
    return True


def sanitise_html(markup: str) -> str:
    """The allowlisted HTML, or "" when the markup is too deep or large to sanitise in
    bounded time (the text is then taken without it)."""
    if not _tame(markup):
        return ""
    return nh3.clean(
        markup,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def text_from_html(markup: str) -> str:
    spaced = _BLOCK_END.sub("\n", markup[:MAX_HTML_CHARS])
    if not _tame(spaced):
        stripped = _TAG.sub("", _SCRIPT_STYLE.sub("", spaced))
        return html.unescape(stripped.replace("<", " "))
    return html.unescape(nh3.clean(spaced, tags=set(), attributes={}))


def _auto_kind(msg: email.message.Message, sender: str) -> str:
    auto_submitted = _header(msg, "Auto-Submitted").strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted[:40]}"
    precedence = _header(msg, "Precedence").strip().lower()
    if precedence in _AUTO_PRECEDENCE:
        return f"Precedence: {precedence}"
    for name in ("X-Auto-Response-Suppress", "X-Autoreply", "X-Autorespond", "List-Id"):
        if _header(msg, name).strip():
            return f"{name} present"
    if _header(msg, "Return-Path").strip() == "<>":
        return "empty Return-Path"
    if sender.split("@")[0].lower() in _DAEMONS:
        return "sent by a mail daemon"
    return ""


def _bounce(parts: list[tuple[email.message.Message, int]], msg, auto: str, text: str):
    """A delivery report (multipart/report; report-type=delivery-status), or a daemon's
    plain-text bounce: the Message-IDs of what bounced and the reason given."""
    is_report = (
        msg.get_content_type() == "multipart/report"
        and (msg.get_param("report-type") or "").lower() == "delivery-status"
    )
    if not is_report and auto not in {"sent by a mail daemon", "empty Return-Path"}:
        return None
    original: list[str] = []
    reason = ""
    for part, _depth in parts:
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            status_text = _payload_text(part)
            for line in status_text.splitlines():
                low = line.lower()
                if low.startswith(("diagnostic-code:", "status:")) and not reason.startswith(
                    "diagnostic"
                ):
                    reason = line.strip()[:500]
        elif kind in {"message/rfc822", "text/rfc822-headers"}:
            inner = part.get_payload()
            if isinstance(inner, list) and inner:
                original += message_ids(_header(inner[0], "Message-ID"))
            else:
                headers = email.message_from_string(_payload_text(part))
                original += message_ids(_header(headers, "Message-ID"))
    if not original:
        for line in text.splitlines()[:2000]:
            if line.strip().lower().startswith("message-id:"):
                original += message_ids(line)
    if not is_report and not original:
        return None
    return Bounce(original_ids=original[:10], reason=reason or "delivery failed")


def _payload_text(part: email.message.Message) -> str:
    payload = part.get_payload()
    if isinstance(payload, list):
        return "\n".join(str(p) for p in payload)
    return decoding.decode_bytes(_payload_bytes(part), part.get_content_charset()).text


def content_hash(msg: email.message.Message, body: bytes | memoryview) -> str:
    digest = hashlib.sha256()
    for name in _CONTENT_HEADERS:
        digest.update(f"{name}:{_header(msg, name).strip()}\n".encode("utf-8", "surrogateescape"))
    digest.update(body)
    return digest.hexdigest()


def _parse_in_chunks(raw: bytes) -> email.message.Message:
    """The standard parser, fed a megabyte at a time: given the whole message at once it
    first makes a text copy of all of it and a list of all its lines (for a 24 MB photo,
    about 65 MB more at the peak)."""
    feeder = email.parser.BytesFeedParser(policy=POLICY)
    view = memoryview(raw)
    for start in range(0, len(view), _CHUNK):
        feeder.feed(bytes(view[start : start + _CHUNK]))
    return feeder.close()


_CHUNK = 1024 * 1024


def parse(raw: bytes) -> Parsed:
    _prescan(raw)
    try:
        msg = _parse_in_chunks(raw)
        parts = _walk(msg)
    except Poison:
        raise
    except RecursionError as exc:
        raise Poison("MIME nested too deeply to read") from exc
    except Exception as exc:
        raise Poison(f"the message could not be parsed ({type(exc).__name__})") from exc
    result = Parsed()
    flags = result.flags
    header_end = raw.find(b"\n\n")
    header_end = raw.find(b"\r\n\r\n") if header_end < 0 else header_end
    body = memoryview(raw)[header_end:] if header_end >= 0 else b""
    result.content_sha256 = content_hash(msg, body)

    ids = message_ids(_header(msg, "Message-ID"))
    if ids:
        result.message_id = ids[0]
    else:
        result.message_id = f"<{hashlib.sha256(raw).hexdigest()}@mailin.invalid>"
        result.synthetic_id = True
        flags.append("no Message-ID: one was made from the message's hash")

    subject = decoding.decode_header(_header(msg, "Subject"))
    result.subject = _clean_text(subject.text).replace("\n", " ").strip()[:300]
    from_header = decoding.decode_header(_header(msg, "From"))
    who = decoding.sender(_clean_text(from_header.text))
    result.from_name, result.from_address = who.name, who.address
    flags += [f"From: {note}" for note in who.notes]
    reply_to = decoding.sender(decoding.decode_header(_header(msg, "Reply-To")).text)
    result.reply_to = reply_to.address
    for decoded, what in ((subject, "Subject"), (from_header, "From")):
        if decoded.uncertain:
            flags.append(f"{what}: encoding uncertain ({'; '.join(decoded.notes)[:200]})")
    result.thread_ids = (
        message_ids(_header(msg, "In-Reply-To")) + message_ids(_header(msg, "References"))
    )[:50]

    text_parts: list[str] = []
    html_parts: list[str] = []
    for part, _depth in parts:
        for defect in getattr(part, "defects", []):
            note = f"MIME defect: {type(defect).__name__}"
            if note not in flags:
                flags.append(note)
        if part.is_multipart():
            continue
        kind = part.get_content_type()
        disposition = _header(part, "Content-Disposition").split(";")[0].strip().lower()
        filename = decoding.decode_filename(part)
        if kind in {"message/delivery-status", "message/rfc822", "text/rfc822-headers"}:
            continue
        is_body_text = kind in {"text/plain", "text/html"} and disposition != "attachment"
        if is_body_text and filename is None:
            decoded = decoding.decode_bytes(_payload_bytes(part), part.get_content_charset())
            if decoded.uncertain:
                flags.append(f"text: encoding uncertain ({'; '.join(decoded.notes)[:200]})")
            (text_parts if kind == "text/plain" else html_parts).append(decoded.text)
            continue
        name = filename.text if filename is not None else ""
        if filename is not None and filename.uncertain:
            flags.append(f"file name: encoding uncertain ({name[:80]})")
        result.attachments.append(
            Part(
                filename=_clean_text(name).replace("\n", " ")
                or f"attachment-{len(result.attachments) + 1}",
                content_type=kind,
                data=_payload_bytes(part),
                inline=disposition == "inline" or bool(_header(part, "Content-ID")),
            )
        )
    if html_parts:
        markup = "\n".join(html_parts)
        result.html = sanitise_html(markup)
        if not result.html:
            flags.append("HTML too deeply nested or too large to show: text only")
    if text_parts:
        result.text = "\n\n".join(text_parts)
    elif html_parts:
        result.text = text_from_html(result.html or markup)
    result.text = _clean_text(result.text).strip()

    result.auto = _auto_kind(msg, result.from_address)
    result.bounce = _bounce(parts, msg, result.auto, result.text)
    for name in ("X-Helpdesk-Priority", "X-Helpdesk-Owner", "X-Helpdesk-State"):
        if _header(msg, name):
            flags.append(f"{name} ignored (control headers are not trusted)")
    return result
