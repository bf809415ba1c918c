"""Files made in the test: CSV in a chosen encoding, XLSX written with openpyxl."""

import csv
import io

from openpyxl import Workbook


def csv_bytes(rows: list[list[object]], *, encoding: str = "utf-8") -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


CUSTOMERS = [
    ["external_id", "name", "phone", "email", "address", "kind"],
    ["C-1", "王芳", "13700000001", "wang@example.cn", "上海市黄浦区南京东路1号", "person"],
    ["C-2", "上海恒达物业有限公司", "021-55550002", "", "上海市徐汇区", "organisation"],
    ["", "赵磊", "", "zhao@example.cn", "", ""],
]
