"""CSV and XLSX exports that spreadsheets open safely, however many rows.

A cell that starts with =, +, -, @, a tab or a carriage return would be read as a formula
by Excel and LibreOffice (CSV injection, RELIABILITY S07): such text gets a leading
apostrophe in CSV, and is written as a text cell (never a formula) in XLSX. Numbers stay
numbers. CSV streams row by row; XLSX is written row by row (openpyxl's write-only mode)
into a temporary file that is then streamed, so memory does not grow with the rows.
"""

import csv
import datetime
import decimal
import tempfile
import zoneinfo
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import FileResponse, StreamingHttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from aftersales.core.errors import DomainError

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float | decimal.Decimal):
        return value
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_rows(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    # A byte-order mark, so that Excel opens UTF-8 (Chinese) text correctly.
    yield "\ufeff" + writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        yield writer.writerow([safe_cell(cell) for cell in row])


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_rows(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _xlsx_cell(sheet: Any, value: Any) -> WriteOnlyCell:
    if value is None:
        return WriteOnlyCell(sheet, value="")
    if isinstance(value, bool):
        return WriteOnlyCell(sheet, value=1 if value else 0)
    if isinstance(value, int | float | decimal.Decimal):
        return WriteOnlyCell(sheet, value=value)
    if isinstance(value, datetime.datetime):
        # Spreadsheets know no time zones: the time as written, without its offset.
        return WriteOnlyCell(sheet, value=value.replace(tzinfo=None))
    if isinstance(value, datetime.date):
        return WriteOnlyCell(sheet, value=value)
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", str(value)))
    cell.data_type = "s"  # never a formula, whatever the text starts with
    return cell


def xlsx_file(
    header: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "Export"
) -> Any:
    """A temporary file (open, at its start) holding the workbook."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=ILLEGAL_CHARACTERS_RE.sub("", title)[:31] or "Export")
    sheet.append([_xlsx_cell(sheet, h) for h in header])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, cell) for cell in row])
    target = tempfile.TemporaryFile()  # noqa: SIM115 - handed open to the response
    book.save(target)
    target.seek(0)
    return target


def xlsx_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "Export"
) -> FileResponse:
    return FileResponse(
        xlsx_file(header, rows, title=title),
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


# --- Exports of lists --------------------------------------------------------------------

FORMATS = ("csv", "xlsx")
# Rows read from the database per round trip: memory stays flat, queries stay few.
CHUNK = 500


@dataclass(frozen=True)
class Column:
    label: Any  # a lazy translation, read in the language of whoever downloads
    value: Callable[[Any], Any]


def service_time(moment: datetime.datetime | None) -> str:
    """A moment as people at the service desk read it: "YYYY-MM-DD HH:MM", service time zone."""
    if moment is None:
        return ""
    zone = zoneinfo.ZoneInfo(settings.SERVICE_TIME_ZONE)
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return _("Yes") if value else _("No")


def export_format(params: Mapping[str, Any]) -> str:
    """The `format` asked for (csv unless said otherwise); anything else is refused (400)."""
    value = params.get("format") or "csv"
    if value not in FORMATS:
        message = _("Choose one of: %(formats)s.") % {"formats": ", ".join(FORMATS)}
        raise DomainError(message, fields={"format": [message]})
    return str(value)


def _rows(columns: Sequence[Column], items: Iterable[Any], language: str) -> Iterator[list[Any]]:
    # The rows are written while the response streams, after the view returned: keep the
    # reader's language for the labels of choices and yes/no.
    with translation.override(language):
        for item in items:
            yield [column.value(item) for column in columns]


def export_response(
    fmt: str, name: str, columns: Sequence[Column], items: Iterable[Any], *, title: str = ""
) -> StreamingHttpResponse | FileResponse:
    """`items` (an iterator over a queryset) as a CSV or XLSX download named `name`."""
    header = [str(column.label) for column in columns]
    rows = _rows(columns, items, translation.get_language() or settings.LANGUAGE_CODE)
    if fmt == "xlsx":
        return xlsx_response(f"{name}.xlsx", header, rows, title=title or name)
    return csv_response(f"{name}.csv", header, rows)
