"""Printable documents as PDF (repair records, complaint agreements), in Chinese or English.

How they are made, and why:
- fpdf2 (pure Python) draws every piece of text with cell/multi_cell/table as a literal
  string. Nothing here interprets markup: no HTML, markdown, links or images taken from
  what a user typed, so `<img src="file:///etc/passwd">` in a record is printed as those
  characters and no URL or local file is ever opened (RELIABILITY A09).
- The font is vendored (`fonts/`, a Source Han Sans SC subset, SIL OFL) and embedded as a
  subset of the glyphs each document uses: the PDF shows the same on any machine, with or
  without fonts installed, and nothing is downloaded. A character the font lacks is
  printed as □ rather than silently dropped.
"""

import datetime
import functools
import io
import unicodedata
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos
from fpdf.fonts import FontFace

FONT_PATH = Path(__file__).resolve().parent / "fonts" / "AftersalesSansCJK-Regular.otf"
FONT = "sans"
MISSING = "□"
PDF_LANGUAGES = {"zh-hans": "zh-CN", "zh-hant": "zh-TW", "en": "en"}


@functools.cache
def _covered() -> frozenset[int]:
    font = TTFont(FONT_PATH, lazy=True)
    try:
        return frozenset(font.getBestCmap())
    finally:
        font.close()


def printable(value: Any) -> str:
    """Text as it can be printed: control and format characters dropped (line breaks kept),
    characters the font lacks shown as □."""
    text = "" if value is None else str(value)
    covered = _covered()
    out = []
    for char in text.replace("\r\n", "\n").replace("\r", "\n"):
        if char == "\n":
            out.append(char)
        elif char == "\t":
            out.append(" ")
        elif unicodedata.category(char) in {"Cc", "Cf", "Cs"}:
            continue
        else:
            out.append(char if ord(char) in covered else MISSING)
    return "".join(out)


def when(moment: datetime.datetime | None) -> str:
    if moment is None:
        return "—"
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


class _Document(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(110)
        self.cell(0, 5, self.footer_text, align="L")
        self.cell(
            0,
            5,
            _("Page %(page)s of %(pages)s") % {"page": self.page_no(), "pages": "{nb}"},
            align="R",
        )
        self.set_text_color(0)


class Writer:
    """The few layout moves a printable document needs, all drawing plain text."""

    def __init__(self, title: str, language: str):
        pdf = _Document(format="A4")
        pdf.set_margins(15, 15, 15)
        pdf.set_auto_page_break(auto=True, margin=18)
        pdf.add_font(FONT, "", str(FONT_PATH))
        pdf.set_font(FONT, size=10)
        pdf.set_title(printable(title))
        pdf.set_creator("Aftersales")
        pdf.set_lang(PDF_LANGUAGES.get(language, "zh-CN"))
        pdf.alias_nb_pages()
        self.pdf = pdf

    def page(self, footer: str) -> None:
        self.pdf.footer_text = printable(footer)
        self.pdf.add_page()

    def title(self, text: str, right: str) -> None:
        pdf = self.pdf
        pdf.set_font(FONT, size=18)
        pdf.cell(120, 10, printable(text), new_x=XPos.RIGHT, new_y=YPos.TOP)
        pdf.set_font(FONT, size=11)
        pdf.cell(0, 10, printable(right), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_draw_color(60)
        pdf.line(pdf.l_margin, pdf.get_y() + 1, pdf.w - pdf.r_margin, pdf.get_y() + 1)
        pdf.ln(4)
        pdf.set_font(FONT, size=10)

    def heading(self, text: str) -> None:
        pdf = self.pdf
        if pdf.get_y() > pdf.h - 45:
            pdf.add_page()
        pdf.ln(2)
        pdf.set_font(FONT, size=12)
        pdf.cell(0, 8, printable(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(FONT, size=10)

    # Lines break at spaces (English); a run of Chinese, which has none, is broken between
    # characters when it is wider than its cell.
    def facts(self, rows: list[tuple[str, str]]) -> None:
        with self.pdf.table(
            col_widths=(45, 135),
            text_align="LEFT",
            first_row_as_headings=False,
            line_height=6,
            wrapmode=WrapMode.WORD,
            padding=1.5,
        ) as table:
            for label, value in rows:
                row = table.row()
                row.cell(printable(label))
                row.cell(printable(value) or "—")

    def grid(self, headings: list[str], rows: list[list[str]], widths: tuple[int, ...]) -> None:
        with self.pdf.table(
            col_widths=widths,
            # One font, one weight: headings are set apart by their shading.
            headings_style=FontFace(emphasis="", fill_color=(232, 232, 232)),
            text_align="LEFT",
            line_height=6,
            wrapmode=WrapMode.WORD,
            padding=1.5,
        ) as table:
            head = table.row()
            for heading in headings:
                head.cell(printable(heading))
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell(printable(value) or "—")

    def text(self, text: str) -> None:
        self.pdf.multi_cell(
            0,
            6,
            printable(text) or "—",
            align="L",
            wrapmode=WrapMode.WORD,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )

    def signatures(self, labels: list[str]) -> None:
        pdf = self.pdf
        if pdf.get_y() > pdf.h - 50:
            pdf.add_page()
        pdf.ln(8)
        for label in labels:
            line = _("%(label)s: %(blank)s")
            pdf.cell(95, 10, printable(line % {"label": label, "blank": "_" * 24}))
            pdf.cell(
                0,
                10,
                printable(line % {"label": _("Date"), "blank": "_" * 16}),
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )
            pdf.ln(4)

    def image(self, png: bytes, *, width: float, label: str) -> None:
        """A PNG we encoded ourselves (never an upload as sent), with a label above it."""
        pdf = self.pdf
        if pdf.get_y() > pdf.h - 60:
            pdf.add_page()
        pdf.cell(0, 6, printable(label), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.image(io.BytesIO(png), w=width)
        pdf.ln(2)

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def language_for(requested: str | None) -> str:
    """`?lang=` if it is one of ours, else the reader's language (the active one)."""
    known = {code for code, _name in settings.LANGUAGES}
    if requested:
        code = requested.strip().lower().replace("_", "-")
        if code in known:
            return code
    current = (translation.get_language() or settings.LANGUAGE_CODE).lower()
    return current if current in known else settings.LANGUAGE_CODE
