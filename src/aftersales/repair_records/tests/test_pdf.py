"""The printable repair record: Chinese that renders and comes back out, the font inside the
file, and user text that is printed as text, never followed (RELIABILITY A09)."""

import http.server
import io
import threading

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader
from rest_framework.test import APIClient

from aftersales.parts.tests.factories import stocked
from aftersales.repair_records import pdf, services
from aftersales.repair_records.tests.factories import make_record


def _text(content: bytes) -> str:
    """The document's text, without white space (extraction spaces CJK glyphs its own way)
    and the NULs pypdf puts before each two-byte character code (pdftotext does not)."""
    reader = PdfReader(io.BytesIO(content))
    text = "".join(page.extract_text() for page in reader.pages)
    return "".join(text.replace("\x00", "").split())


def _fonts(content: bytes) -> list[dict]:
    reader = PdfReader(io.BytesIO(content))
    found = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            found.append(
                {
                    "name": str(font["/BaseFont"]),
                    "descriptor": descendant["/FontDescriptor"].get_object(),
                }
            )
    return found


@pytest.fixture
def record(sr, technician, van, serial_part):
    stocked(van, serial_part, 1)
    return make_record(
        sr,
        by=technician,
        work_done="更换压缩机启动电容，清洗冷凝器。Replaced the start capacitor.",
        test_result="试机 30 分钟，制冷正常",
        parts=[
            {
                "warehouse": van,
                "part": serial_part,
                "old_serial": "CMP-OLD-778",
                "new_serial": "CMP-NEW-991",
            }
        ],
    )


def test_chinese_and_english_text_come_back_out_of_the_pdf(record):
    content = pdf.render_record(record, staff=True, language="zh-hans")
    assert content.startswith(b"%PDF-")
    text = _text(content)
    for expected in [
        record.request.number,
        "张三",  # the customer
        "空调不制冷",  # the problem
        "更换压缩机启动电容，清洗冷凝器。",
        "Replacedthestartcapacitor.",
        "试机30分钟，制冷正常",
        "CMP-OLD-778",
        "CMP-NEW-991",
        "KFR-35GW",
        "SN-AC-0001",
        "tech1",  # staff copies name the technicians
    ]:
        assert expected in text, expected


def test_the_font_is_embedded_as_a_subset(record):
    content = pdf.render_record(record, staff=True, language="zh-hans")
    fonts = _fonts(content)
    assert fonts
    for font in fonts:
        assert "AftersalesSansCJK" in font["name"]
        assert "+" in font["name"]  # a subset tag: only the glyphs used travel with the file
        assert "/FontFile3" in font["descriptor"] or "/FontFile2" in font["descriptor"]
    # The subset of a one-page record is small, far from the 5 MB font.
    assert len(content) < 300_000


def test_the_document_says_its_language(record):
    for language, tag in [("zh-hans", "zh-CN"), ("zh-hant", "zh-TW"), ("en", "en")]:
        reader = PdfReader(io.BytesIO(pdf.render_record(record, staff=True, language=language)))
        assert reader.trailer["/Root"]["/Lang"] == tag


def test_the_english_copy_has_english_labels(record):
    text = _text(pdf.render_record(record, staff=True, language="en"))
    for label in ["Repairrecord", "Partsreplaced", "Serialremoved", "Customer'ssignature"]:
        assert label in text


def test_customers_copy_leaves_out_staff_names_and_warehouses(record):
    text = _text(pdf.render_record(record, staff=False, language="en"))
    assert "tech1" not in text
    assert "VAN-tech1" not in text
    assert "CMP-NEW-991" in text


class _Canary(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):
        _Canary.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"CANARY-CONTENT")

    def log_message(self, *args):
        pass


@pytest.fixture
def canary():
    _Canary.hits = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _Canary)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_markup_in_user_text_is_printed_and_nothing_is_fetched(sr, technician, canary):
    hostile = (
        '<img src="file:///etc/passwd"> '
        f'<link href="{canary}/link"> '
        f"<style>@import url({canary}/css);</style> "
        f'<img src="{canary}/img.png">'
    )
    record = make_record(sr, by=technician, work_done=hostile, test_result=f"![x]({canary}/md)")
    services.part_used_add(
        record, by=technician, data={"part_number": "X-1", "description": f"<a href='{canary}'>"}
    )
    record = services.repair_record_update(record, by=technician, data={})
    content = pdf.render_record(record, staff=True, language="en")
    text = _text(content)
    assert '<imgsrc="file:///etc/passwd">' in text
    assert f"@import url({canary}/css);".replace(" ", "") in text
    assert "root:" not in text
    assert b"CANARY-CONTENT" not in content
    assert _Canary.hits == []


def test_a_character_the_font_lacks_is_shown_not_dropped(sr, technician):
    record = make_record(sr, by=technician, work_done="王䶮修好了")  # 䶮: CJK Extension A
    text = _text(pdf.render_record(record, staff=True, language="zh-hans"))
    assert "王□修好了" in text


def test_control_characters_never_reach_the_document():
    assert pdf.printable("a\u202eb\u200bc\td\r\ne") == "abc d\ne"


# --- Through the API and the console ---------------------------------------------------------


def test_the_api_serves_the_pdf_in_the_language_asked_for(record, agent):
    client = APIClient()
    client.force_authenticate(agent)
    response = client.get(f"/api/v1/repair-records/{record.pk}/pdf/?lang=zh-hant")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "inline" in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    assert reader.trailer["/Root"]["/Lang"] == "zh-TW"


def test_without_lang_the_pdf_is_in_the_readers_language(record, technician):
    client = Client(headers={"accept-language": "en"})
    client.force_login(technician)
    response = client.get(reverse("repair_records:pdf", args=[record.pk]))
    assert response.status_code == 200
    assert PdfReader(io.BytesIO(response.content)).trailer["/Root"]["/Lang"] == "en"
    client = Client(headers={"accept-language": "zh-CN"})
    client.force_login(technician)
    response = client.get(reverse("repair_records:pdf", args=[record.pk]) + "?lang=nonsense")
    assert PdfReader(io.BytesIO(response.content)).trailer["/Root"]["/Lang"] == "zh-CN"


def test_the_customer_prints_their_own_record_and_nobody_else_sees_it(
    record, customer_user, other_customer_user
):
    client = Client()
    client.force_login(customer_user)
    response = client.get(reverse("repair_records:pdf", args=[record.pk]))
    assert response.status_code == 200
    assert "tech1" not in _text(response.content)
    client.force_login(other_customer_user)
    assert client.get(reverse("repair_records:pdf", args=[record.pk])).status_code == 404
    api = APIClient()
    api.force_authenticate(other_customer_user)
    missing = api.get(f"/api/v1/repair-records/{record.pk}/pdf/")
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/json"
