"""Text from mail as senders really write it (RELIABILITY E05–E09, E18).

- Charset labels are looked up in an alias table: GB2312 and its relatives are decoded as
  GB18030 (its superset: GBK-only characters such as 喆, 堃, 镕 are common in names), Big5 as
  Big5-HKSCS. Unknown or bogus labels never raise: the bytes go through a fallback chain
  (UTF-8, GB18030, Big5-HKSCS) and the text is flagged "encoding uncertain".
- RFC 2047 words are decoded by their bytes, adjacent words of one charset joined first, so
  a character split across two words comes out whole.
- Raw 8-bit header bytes (no RFC 2047) and filenames go through the same chain.
- The sender is the addr-spec in angle brackets, never the display name.
"""

import codecs
import email.header
import email.utils
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

_ALIASES = {
    **dict.fromkeys(
        [
            "gb2312",
            "gb_2312",
            "gb_2312-80",
            "gb2312-80",
            "csgb2312",
            "euc-cn",
            "euccn",
            "x-euc-cn",
            "gbk",
            "x-gbk",
            "cp936",
            "ms936",
            "windows-936",
            "chinese",
            "iso-ir-58",
            "gb18030",
            "x-gb18030",
        ],
        "gb18030",
    ),
    **dict.fromkeys(
        ["big5", "x-big5", "cn-big5", "csbig5", "big5-hkscs", "big5hkscs", "cp950", "x-x-big5"],
        "big5hkscs",
    ),
    **dict.fromkeys(["utf8", "utf-8", "x-utf8", "unicode-1-1-utf-8"], "utf-8"),
    **dict.fromkeys(["us-ascii", "ascii", "ansi_x3.4-1968"], "utf-8"),
}
_UNKNOWN = {"unknown-8bit", "x-unknown", "unknown", "x-user-defined", "8bit", "default"}
FALLBACK_CHAIN = ("utf-8", "gb18030", "big5hkscs")
# More replacement characters than this share of the text: the label was wrong.
_MISLABEL_SHARE = 0.01


def codec_for(label: str | None) -> str | None:
    """The codec to decode a charset label with, or None when the label is unknown."""
    name = (label or "").strip().strip("\"'").strip().lower()
    if not name or name in _UNKNOWN:
        return None
    if name in _ALIASES:
        return _ALIASES[name]
    try:
        return codecs.lookup(name).name
    except (LookupError, ValueError):
        return None


@dataclass
class Decoded:
    text: str
    uncertain: bool = False
    notes: list[str] = field(default_factory=list)


def decode_bytes(data: bytes, label: str | None = None) -> Decoded:
    """Decode `data` labelled `label`; never raises. `uncertain` when the label was unknown
    or wrong and the text came from the fallback chain or with replacement characters."""
    codec = codec_for(label)
    notes: list[str] = []
    if label and codec is None:
        notes.append(f"unknown charset label {label.strip()[:40]!r}")
    if codec is not None:
        try:
            return Decoded(data.decode(codec))
        except UnicodeDecodeError:
            notes.append(f"text is not valid {label.strip()[:40]}")
    elif not label:
        try:
            return Decoded(data.decode("ascii"))
        except UnicodeDecodeError:
            pass
    for candidate in FALLBACK_CHAIN:
        if candidate == codec:
            continue
        try:
            text = data.decode(candidate)
        except UnicodeDecodeError:
            continue
        return Decoded(text, uncertain=True, notes=[*notes, f"decoded as {candidate}"])
    # Nothing fits exactly: the labelled codec (else GB18030) with replacement characters.
    text = data.decode(codec or "gb18030", errors="replace")
    share = text.count("\ufffd") / max(len(text), 1)
    return Decoded(
        text,
        uncertain=True,
        notes=[*notes, f"{share:.1%} of the characters could not be decoded"],
    )


def _from_surrogates(value: str) -> bytes | None:
    """Header bytes the parser kept as surrogate escapes (raw 8-bit headers)."""
    if not any("\udc80" <= c <= "\udcff" for c in value):
        return None
    return value.encode("ascii", errors="surrogateescape")


def decode_header(value: str | None) -> Decoded:
    """A header's text: RFC 2047 words by their bytes, raw 8-bit bytes through the chain."""
    if value is None:
        return Decoded("")
    value = re.sub(r"\r?\n[ \t]*", " ", str(value))[:20000]
    raw = _from_surrogates(value)
    if raw is not None:
        try:  # UTF-8 headers are allowed (RFC 6532)
            decoded = Decoded(raw.decode("utf-8"))
        except UnicodeDecodeError:
            decoded = decode_bytes(raw, None)
            decoded.notes.insert(0, "raw 8-bit header")
        value = decoded.text
        if "=?" not in value:
            return decoded
        prior = decoded
    else:
        prior = Decoded("")
    try:
        parts = email.header.decode_header(value)
    except (ValueError, IndexError, AssertionError):
        return Decoded(value, uncertain=True, notes=["unreadable encoded words"])
    pieces: list[str] = []
    uncertain, notes = prior.uncertain, list(prior.notes)
    for chunk, charset in parts:
        if isinstance(chunk, str):
            pieces.append(chunk)
            continue
        decoded = decode_bytes(chunk, charset)
        pieces.append(decoded.text)
        uncertain = uncertain or decoded.uncertain
        notes.extend(decoded.notes)
    return Decoded("".join(pieces), uncertain=uncertain, notes=notes)


def decode_filename(part) -> Decoded | None:
    """The attachment's name as the sender meant it (for display only), or None."""
    for source in ("content-disposition", "content-type"):
        param = "filename" if source == "content-disposition" else "name"
        try:
            value = part.get_param(param, header=source)
        except (ValueError, IndexError, AttributeError):
            continue
        if value is None:
            continue
        if isinstance(value, tuple):  # RFC 2231: (charset, language, text as latin-1)
            charset, _language, text = value
            try:
                data = text.encode("latin-1", errors="surrogateescape")
            except UnicodeEncodeError:
                data = text.encode("utf-8", errors="surrogateescape")
            return decode_bytes(data, charset or None)
        return decode_header(email.utils.unquote(value))
    return None


_ANGLE_ADDR = re.compile(r"<\s*([^<>\s]{1,254})\s*>")


@dataclass
class Sender:
    name: str
    address: str
    notes: list[str]


def sender(value: str) -> Sender:
    """Who sent it: the addr-spec in angle brackets (the last one), never the display name.
    `From: victim@corp.com <attacker@evil.com>` is attacker@evil.com, flagged."""
    # The address is at the end of the header; the display name before it is capped.
    text = value if len(value) <= 2000 else value[:1000] + value[-1000:]
    notes: list[str] = []
    found = _ANGLE_ADDR.findall(text)
    if found:
        address = found[-1]
        name = text[: text.rfind("<")].strip().strip('"').strip()
        if len(found) > 1:
            notes.append("several addresses in From")
    else:
        try:  # the stdlib's parser recurses into nested comments
            name, address = email.utils.parseaddr(text[:500])
        except (RecursionError, IndexError, ValueError):
            name, address = "", ""
    address = address.strip()
    local, at, domain = address.rpartition("@")
    address = f"{local}@{domain.lower()}" if at else ""
    try:
        validate_email(address)
    except ValidationError:
        notes.append("no valid sender address")
        address = ""
    if "@" in name:
        notes.append("display name looks like an address")
    return Sender(name=name[:200], address=address, notes=notes)
