"""A signature drawn on the portal's <canvas>: a PNG data URL in, checked PNG bytes out.

The browser sends `data:image/png;base64,…`. We accept only that, of bounded length and
size, that Pillow reads as a PNG of sensible dimensions with some ink on it, and keep our
own re-encoding of it (no metadata or extra chunks from the sender), so what is stored and
later drawn into the agreement's PDF is a plain image we wrote.
"""

import base64
import binascii
import io

from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from aftersales.core.errors import DomainError

PREFIX = "data:image/png;base64,"
MAX_BYTES = 300 * 1024
MAX_WIDTH, MAX_HEIGHT = 2000, 1000
MIN_INKED_PIXELS = 20


def _refuse(message: str) -> DomainError:
    return DomainError(message, fields={"signature": [message]})


def signature_png(data_url: str) -> bytes:
    """The signature as PNG bytes; DomainError naming `signature` for anything else."""
    value = (data_url or "").strip()
    if not value:
        raise _refuse(_("Draw your signature in the box."))
    if not value.startswith(PREFIX):
        raise _refuse(_("The signature must be a PNG image."))
    encoded = value[len(PREFIX) :]
    if len(encoded) > MAX_BYTES * 4 // 3 + 4:
        raise _refuse(_("The signature image is too large."))
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise _refuse(_("The signature could not be read.")) from None
    if not raw.startswith(b"\x89PNG\r\n\x1a\n"):
        raise _refuse(_("The signature must be a PNG image."))
    try:
        with Image.open(io.BytesIO(raw)) as image:
            if image.format != "PNG":
                raise _refuse(_("The signature must be a PNG image."))
            width, height = image.size
            if not (1 <= width <= MAX_WIDTH and 1 <= height <= MAX_HEIGHT):
                raise _refuse(_("The signature image has an unexpected size."))
            image.load()
            rgba = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError):
        raise _refuse(_("The signature could not be read.")) from None
    # Ink: pixels that are visible and not white (a canvas is transparent or white).
    gray = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    gray.alpha_composite(rgba)
    inked = sum(gray.convert("L").histogram()[:200])
    if inked < MIN_INKED_PIXELS:
        raise _refuse(_("Draw your signature in the box."))
    out = io.BytesIO()
    gray.convert("L").save(out, format="PNG", optimize=True)
    return out.getvalue()
