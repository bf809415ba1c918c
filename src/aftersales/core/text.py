"""Checks on free text that comes from strangers."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Bidirectional overrides can make "gpj.exe" read as "exe.jpg"; they have no use in our text.
_BIDI_CONTROLS = {
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
}


def validate_clean_text(value: str) -> None:
    """Reject NUL and other control characters (PostgreSQL cannot store NUL) and lone surrogates."""
    for char in value:
        if char in "\n\r\t":
            continue
        if char == "\x00" or unicodedata.category(char) in {"Cc", "Cs"}:
            raise ValidationError(_("The text contains control characters that cannot be stored."))
        if char in _BIDI_CONTROLS:
            raise ValidationError(_("The text contains direction-override characters."))


def normalise_display_name(name: str, *, max_length: int = 120) -> str:
    """A file or display name made safe to show: NFC, no control or bidi characters, capped."""
    name = unicodedata.normalize("NFC", name)
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(
        c
        for c in name
        if unicodedata.category(c) not in {"Cc", "Cf", "Cs"} and c not in _BIDI_CONTROLS
    ).strip(" .")
    if len(cleaned) > max_length:
        stem, dot, ext = cleaned.rpartition(".")
        ext = ext[:10] if dot else ""
        cleaned = (stem if dot else cleaned)[: max_length - len(ext) - 1] + (
            f".{ext}" if ext else ""
        )
    return cleaned or "file"


def normalise_phone(phone: str) -> str:
    """Digits only (a leading + kept), full-width digits folded: for matching, not display."""
    folded = unicodedata.normalize("NFKC", phone or "").strip()
    digits = "".join(c for c in folded if c.isdigit())
    if folded.startswith("+"):
        return "+" + digits
    return digits


def normalise_email(email: str) -> str:
    return unicodedata.normalize("NFKC", email or "").strip().casefold()
