"""Reading an uploaded file into rows of text, whatever produced it.

- CSV: UTF-8 with or without a byte-order mark; if the bytes are not UTF-8, GB18030 (what
  Excel writes on a Chinese Windows); the encoding used is reported.
- XLSX: openpyxl in read-only mode. Formulas are never evaluated: a formula cell is read
  as its text (`=HYPERLINK(...)` stays that text). Dates and numbers keep their type.

Rows are numbered as the spreadsheet shows them (the header is row 1); empty rows are
skipped. The size and row caps are settings (IMPORT_MAX_MB, IMPORT_MAX_ROWS).
"""

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from aftersales.core.errors import DomainError

XLSX_MAGIC = b"PK\x03\x04"


@dataclass
class Sheet:
    file_format: str  # csv | xlsx
    encoding: str  # utf-8, utf-8-sig, gb18030; "" for xlsx
    header: list[str]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)


def _refuse(message: str) -> DomainError:
    return DomainError(message, fields={"file": [message]})


def _decode(data: bytes) -> tuple[str, str]:
    encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise _refuse(_("The file is neither UTF-8 nor GB18030 text.")) from exc


def _empty(values: list[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _csv(data: bytes, max_rows: int) -> Sheet:
    text, encoding = _decode(data)
    if "\x00" in text:
        raise _refuse(_("The file contains NUL characters: it is not a CSV file."))
    # Only the delimiter is guessed (Excel writes ";" in some locales); quoting is Excel's.
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), csv.excel, delimiter=delimiter)
    sheet = Sheet("csv", encoding, [])
    try:
        for number, values in enumerate(reader, start=1):
            if number == 1:
                sheet.header = values
                continue
            if _empty(values):
                continue
            if len(sheet.rows) >= max_rows:
                raise _refuse(
                    _("The file has more than %(max)s rows; split it.") % {"max": max_rows}
                )
            sheet.rows.append((number, values))
    except csv.Error as exc:
        raise _refuse(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from exc
    return sheet


def _xlsx(data: bytes, max_rows: int) -> Sheet:
    from openpyxl import load_workbook

    try:
        # data_only=False: a formula is read as its text and never computed.
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise _refuse(_("The file is not a readable XLSX workbook.")) from exc
    try:
        worksheet = book.worksheets[0] if book.worksheets else None
        if worksheet is None:
            raise _refuse(_("The workbook has no sheet."))
        sheet = Sheet("xlsx", "", [])
        for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            cells = list(values)
            if number == 1:
                sheet.header = ["" if v is None else str(v) for v in cells]
                continue
            if _empty(cells):
                continue
            if len(sheet.rows) >= max_rows:
                raise _refuse(
                    _("The file has more than %(max)s rows; split it.") % {"max": max_rows}
                )
            sheet.rows.append((number, cells))
    finally:
        book.close()
    return sheet


def read_sheet(data: bytes, file_name: str) -> Sheet:
    max_bytes = settings.IMPORT_MAX_MB * 1024 * 1024
    if len(data) > max_bytes:
        raise _refuse(
            _("The file is larger than %(max)s MB; split it.") % {"max": settings.IMPORT_MAX_MB}
        )
    if not data:
        raise _refuse(_("The file is empty."))
    max_rows = settings.IMPORT_MAX_ROWS
    lower = file_name.lower()
    if data.startswith(XLSX_MAGIC) or lower.endswith((".xlsx", ".xlsm")):
        if not data.startswith(XLSX_MAGIC):
            raise _refuse(_("The file is not a readable XLSX workbook."))
        sheet = _xlsx(data, max_rows)
    elif lower.endswith((".csv", ".txt")):
        sheet = _csv(data, max_rows)
    else:
        raise _refuse(_("Upload a CSV or XLSX file."))
    if not any(h.strip() for h in sheet.header):
        raise _refuse(_("The first row must name the columns."))
    return sheet


def cell_text(value: Any) -> str:
    """A cell as text: numbers without a trailing .0 (a phone typed as a number), dates as
    ISO; everything stripped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return (
            value.isoformat(sep=" ") if isinstance(value, datetime.datetime) else value.isoformat()
        )
    return str(value).strip()
