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
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

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
