"""Attachment types decided from the bytes, never from the name or the sender's claim."""

import io
import zipfile

_SIGNATURES: list[tuple[bytes, int, str]] = [
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"%PDF-", 0, "application/pdf"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 0, "application/vnd.ms-office"),
    (b"\x1a\x45\xdf\xa3", 0, "video/webm"),
]
_FTYP_BRANDS = {
    b"heic": "image/heic",
    b"heix": "image/heic",
    b"mif1": "image/heif",
    b"msf1": "image/heif",
    b"qt  ": "video/quicktime",
    b"3gp4": "video/3gpp",
    b"3gp5": "video/3gpp",
}
_OOXML = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
_ODF = {
    b"application/vnd.oasis.opendocument.text",
    b"application/vnd.oasis.opendocument.spreadsheet",
    b"application/vnd.oasis.opendocument.presentation",
}
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/heic": "heic",
    "image/heif": "heif",
    "application/pdf": "pdf",
    "application/vnd.ms-office": "doc",
    "video/webm": "webm",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/3gpp": "3gp",
    "video/x-msvideo": "avi",
    _OOXML["word/"]: "docx",
    _OOXML["xl/"]: "xlsx",
    _OOXML["ppt/"]: "pptx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}
# A zip that claims to be an office document is opened to look; cap what we read.
_MAX_ZIP_ENTRIES = 2000


def sniff(head: bytes, opener: "io.BufferedIOBase | None" = None) -> str | None:
    """The MIME type of an allowed file from its first bytes, or None when it is not allowed.

    `opener` is the whole file (seekable) and is needed only to tell office documents apart.
    """
    for magic, offset, mime in _SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return mime
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "video/x-msvideo"
    if head[4:8] == b"ftyp":
        return _FTYP_BRANDS.get(head[8:12], "video/mp4")
    if head[:4] == b"PK\x03\x04" and opener is not None:
        return _sniff_zip(opener)
    return None


def _sniff_zip(file: "io.BufferedIOBase") -> str | None:
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()[:_MAX_ZIP_ENTRIES]
            if "mimetype" in names:
                mimetype = archive.read("mimetype")[:100].strip()
                if mimetype in _ODF:
                    return mimetype.decode()
            if "[Content_Types].xml" in names:
                for prefix, mime in _OOXML.items():
                    if any(n.startswith(prefix) for n in names):
                        return mime
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, EOFError):
        return None
    finally:
        file.seek(0)
    return None
