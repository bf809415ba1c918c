"""The monthly report drawn as a PDF with ReportLab: platypus for the text and tables,
reportlab.graphics for the charts. Chinese is set in ReportLab's built-in CID fonts
(STSong-Light for simplified, MSung-Light for traditional Chinese): nothing is embedded or
fetched, the reader's PDF viewer supplies the glyphs. English is set in Helvetica; runs of
other characters in it (team names, product names, problem titles are often Chinese) switch
to STSong-Light.

Every text that comes from data is escaped before it reaches a Paragraph, so markup in a
title (`<img src=…>`, `<a href=…>`) is printed, never followed.
"""

import datetime
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.fonts import addMapping
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from aftersales.dashboards import boards
from aftersales.reports.content import Content

SIMPLIFIED = "STSong-Light"
TRADITIONAL = "MSung-Light"
LATIN = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 16 * mm
WIDTH = PAGE_WIDTH - 2 * MARGIN
PALETTE = [
    colors.HexColor(value)
    for value in (
        "#2f6db5",
        "#e07b39",
        "#3a9d5d",
        "#c9444d",
        "#8a63b8",
        "#8c6d4f",
        "#d16fb0",
        "#7f7f7f",
        "#b5b534",
        "#2fb5c4",
    )
]
GRID = colors.HexColor("#c8ccd2")
HEAD = colors.HexColor("#eef1f5")
OVERDUE_HEX = "#c0262d"

_registered: set[str] = set()


def _register(name: str) -> str:
    if name not in _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(name))
        # No bold face: <b> in a paragraph keeps the same face (the label stays readable).
        for bold in (0, 1):
            for italic in (0, 1):
                addMapping(name, bold, italic, name)
        _registered.add(name)
    return name


class Fonts:
    """The report language's fonts, and the markup that sets a data string in them."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.chinese = language in ("zh-hans", "zh-hant")
        self.cjk = _register(TRADITIONAL if language == "zh-hant" else SIMPLIFIED)
        if language == "zh-hant":
            # Simplified characters in data (names typed on another desk) still need glyphs.
            _register(SIMPLIFIED)
        self.body = self.cjk if self.chinese else LATIN
        self.bold = self.cjk if self.chinese else LATIN_BOLD

    def for_text(self, text: str) -> str:
        """One font for a whole string (chart labels cannot switch within a string)."""
        if self.chinese or all(ord(char) < 0x100 for char in text):
            return self.body
        return SIMPLIFIED

    def markup(self, text: Any) -> str:
        """`text` escaped, with runs Helvetica cannot draw switched to the CJK font."""
        text = "" if text is None else str(text)
        if self.chinese:
            return escape(text)
        parts: list[str] = []
        run = ""
        wide = False
        for char in text:
            is_wide = ord(char) >= 0x100
            if run and is_wide != wide:
                parts.append(self._run(run, wide))
                run = ""
            run += char
            wide = is_wide
        if run:
            parts.append(self._run(run, wide))
        return "".join(parts)

    def _run(self, run: str, wide: bool) -> str:
        return f'<font name="{SIMPLIFIED}">{escape(run)}</font>' if wide else escape(run)


class Styles:
    def __init__(self, fonts: Fonts) -> None:
        wrap = "CJK" if fonts.chinese else None
        base = {"fontName": fonts.body, "wordWrap": wrap, "alignment": TA_LEFT}
        self.title = ParagraphStyle(
            "title", fontSize=18, leading=24, **{**base, "fontName": fonts.bold}
        )
        self.heading = ParagraphStyle(
            "heading",
            fontSize=12.5,
            leading=17,
            spaceBefore=8,
            spaceAfter=4,
            **{**base, "fontName": fonts.bold},
        )
        self.body = ParagraphStyle("body", fontSize=9.5, leading=13, **base)
        self.note = ParagraphStyle(
            "note", fontSize=7.5, leading=10, textColor=colors.HexColor("#555b63"), **base
        )
        self.cell = ParagraphStyle("cell", fontSize=8, leading=10, **base)
        self.small = ParagraphStyle("small", fontSize=6.8, leading=8.4, **base)
        self.head = ParagraphStyle(
            "head", fontSize=8, leading=10, **{**base, "fontName": fonts.bold}
        )
        self.small_head = ParagraphStyle(
            "small_head", fontSize=6.8, leading=8.4, **{**base, "fontName": fonts.bold}
        )


# --- Values ---------------------------------------------------------------------------------


def shown(value: Any, unit: str = "") -> str:
    """A figure as printed: "—" when there is none, percent with its sign."""
    if value is None:
        return "—"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return f"{value}{unit}" if unit == "%" else str(value)


def signed(value: Any, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal | int | float) and value > 0:
        return f"+{shown(value, unit)}"
    return shown(value, unit)


def _number(value: Any) -> float:
    return 0.0 if value is None else float(value)


# --- Tables ---------------------------------------------------------------------------------


def _table(
    rows: Sequence[Sequence[Any]], widths: Sequence[float], *, extra: Iterable[Any] = ()
) -> Table:
    table = Table(list(rows), colWidths=list(widths), repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, GRID),
                ("BACKGROUND", (0, 0), (-1, 0), HEAD),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                *extra,
            ]
        )
    )
    return table


def _board_table(
    table: boards.Table, fonts: Fonts, styles: Styles, *, small: bool = False
) -> Table | Paragraph:
    if not table.rows:
        return Paragraph(escape(_("Nothing to show for this month.")), styles.note)
    head, cell = (styles.small_head, styles.small) if small else (styles.head, styles.cell)
    rows = [[Paragraph(fonts.markup(title), head) for title in table.header]]
    rows += [[Paragraph(fonts.markup(c.shown), cell) for c in row] for row in table.rows]
    columns = len(table.header)
    first = WIDTH * (0.16 if small else 0.4)
    rest = (WIDTH - first) / max(columns - 1, 1)
    return _table(rows, [first] + [rest] * (columns - 1))


def _kpi_table(content: Content, fonts: Fonts, styles: Styles) -> Table:
    month, before = f"{content.month:%Y-%m}", f"{content.previous_first:%Y-%m}"
    rows: list[list[Any]] = [
        [
            Paragraph(escape(_("Measure")), styles.head),
            Paragraph(escape(month), styles.head),
            Paragraph(escape(before), styles.head),
            Paragraph(escape(pgettext("monthly report column", "Change")), styles.head),
        ]
    ]
    rows.extend(
        [
            Paragraph(fonts.markup(kpi.label), styles.cell),
            Paragraph(escape(shown(kpi.value, kpi.unit)), styles.cell),
            Paragraph(escape(shown(kpi.previous, kpi.unit)), styles.cell),
            Paragraph(escape(signed(kpi.change, kpi.unit)), styles.cell),
        ]
        for kpi in content.kpis
    )
    return _table(rows, [WIDTH * 0.46, WIDTH * 0.18, WIDTH * 0.18, WIDTH * 0.18])


def _problems_table(content: Content, fonts: Fonts, styles: Styles) -> Table | Paragraph:
    if not content.problems:
        return Paragraph(escape(_("No open problem record.")), styles.note)
    overdue_word = escape(_("overdue"))
    rows: list[list[Any]] = [
        [
            Paragraph(escape(title), styles.head)
            for title in (
                _("Number"),
                _("Title"),
                _("Owner department"),
                _("Status"),
                _("Open actions (owner, due)"),
            )
        ]
    ]
    for problem in content.problems:
        lines = []
        for action in problem.actions:
            line = (
                f"{fonts.markup(action.kind)}: {fonts.markup(action.description)} — "
                f"{fonts.markup(action.owner)}, {action.due_on.isoformat()}"
            )
            if action.overdue:
                line = f'<font color="{OVERDUE_HEX}"><b>{line} ({overdue_word})</b></font>'
            lines.append(line)
        rows.append(
            [
                Paragraph(escape(problem.number), styles.small),
                Paragraph(fonts.markup(problem.title), styles.small),
                Paragraph(fonts.markup(problem.department), styles.small),
                Paragraph(fonts.markup(problem.status), styles.small),
                Paragraph("<br/>".join(lines) or "—", styles.small),
            ]
        )
    return _table(rows, [WIDTH * w for w in (0.15, 0.22, 0.14, 0.1, 0.39)])


# --- Charts ---------------------------------------------------------------------------------


def _legend(drawing: Drawing, names: list[str], fonts: Fonts, y: float) -> None:
    """Swatches and names in rows from the left, wrapping at the drawing's width."""
    x, size = 30.0, 7
    for index, name in enumerate(names):
        font = fonts.for_text(name)
        width = 12 + pdfmetrics.stringWidth(name, font, size) + 12
        if x + width > drawing.width and x > 30:
            x, y = 30.0, y - 11
        color = PALETTE[index % len(PALETTE)]
        drawing.add(Rect(x, y - 1, 8, 8, fillColor=color, strokeColor=None))
        drawing.add(String(x + 11, y, name, fontName=font, fontSize=size))
        x += width


def _empty(drawing: Drawing, fonts: Fonts) -> Drawing:
    text = _("Nothing to show for this month.")
    drawing.add(String(10, drawing.height / 2, text, fontName=fonts.for_text(text), fontSize=8))
    return drawing


def _day_labels(categories: list[str]) -> list[str]:
    # "2026-03-07" → "7"; every other day from the 10th on, so labels do not collide.
    labels = []
    for index, day in enumerate(categories):
        number = str(int(day[-2:]))
        labels.append(number if index % 2 == 0 or len(categories) <= 16 else "")
    return labels


def intake_chart(table: boards.Table, fonts: Fonts) -> Drawing:
    chart_spec = table.chart
    drawing = Drawing(WIDTH, 170)
    series = [s for s in chart_spec["series"] if any(_number(v) for v in s["data"])]
    if not series:
        return _empty(drawing, fonts)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 30, 45, WIDTH - 40, 115
    chart.data = [[_number(v) for v in s["data"]] for s in series]
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.categoryNames = _day_labels(chart_spec["categories"])
    chart.categoryAxis.labels.fontName = fonts.body
    chart.categoryAxis.labels.fontSize = 6.5
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = fonts.body
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.forceZero = True
    totals = [sum(column) for column in zip(*chart.data, strict=True)]
    if max(totals) < 5:
        chart.valueAxis.valueMax = 5
        chart.valueAxis.valueStep = 1
    chart.barSpacing = 0.5
    for index in range(len(series)):
        chart.bars[index].fillColor = PALETTE[index % len(PALETTE)]
        chart.bars[index].strokeColor = None
    drawing.add(chart)
    _legend(drawing, [str(s["name"]) for s in series], fonts, 18)
    return drawing


def sla_chart(table: boards.Table, fonts: Fonts) -> Drawing:
    chart_spec = table.chart
    drawing = Drawing(WIDTH, 165)
    days = [int(day[-2:]) for day in chart_spec["categories"]]
    lines = [
        [(day, float(v)) for day, v in zip(days, s["data"], strict=True) if v is not None]
        for s in chart_spec["series"]
    ]
    if not any(lines):
        return _empty(drawing, fonts)
    plot = LinePlot()
    plot.x, plot.y, plot.width, plot.height = 30, 40, WIDTH - 40, 115
    kept = [(line, s) for line, s in zip(lines, chart_spec["series"], strict=True) if line]
    plot.data = [line for line, _s in kept]
    plot.xValueAxis.valueMin = 1
    plot.xValueAxis.valueMax = max(days)
    plot.xValueAxis.valueSteps = [d for d in days if d == 1 or d % 5 == 0]
    plot.yValueAxis.valueMin = 0
    plot.yValueAxis.valueMax = 100
    plot.yValueAxis.valueStep = 20
    for axis in (plot.xValueAxis, plot.yValueAxis):
        axis.labels.fontName = fonts.body
        axis.labels.fontSize = 7
    plot.xValueAxis.labelTextFormat = "%d"
    plot.yValueAxis.labelTextFormat = "%d%%"
    for index in range(len(kept)):
        plot.lines[index].strokeColor = PALETTE[index % len(PALETTE)]
        plot.lines[index].strokeWidth = 1.4
        plot.lines[index].symbol = makeMarker("FilledCircle", size=3)
        plot.lines[index].symbol.fillColor = PALETTE[index % len(PALETTE)]
    drawing.add(plot)
    _legend(drawing, [str(s["name"]) for _l, s in kept], fonts, 14)
    return drawing


def pareto_chart(table: boards.Table, fonts: Fonts) -> Drawing:
    chart_spec = table.chart
    drawing = Drawing(WIDTH, 185)
    categories = [str(c) for c in chart_spec["categories"]]
    if not categories:
        return _empty(drawing, fonts)
    counts = [_number(v) for v in chart_spec["series"][0]["data"]]
    shares = [_number(v) for v in chart_spec["series"][1]["data"]]
    left, bottom, width, height = 30, 55, WIDTH - 70, 120
    bars = VerticalBarChart()
    bars.x, bars.y, bars.width, bars.height = left, bottom, width, height
    bars.data = [counts]
    bars.categoryAxis.categoryNames = categories
    bars.categoryAxis.labels.fontName = fonts.for_text("".join(categories))
    bars.categoryAxis.labels.fontSize = 6.5
    bars.categoryAxis.labels.angle = 30
    bars.categoryAxis.labels.boxAnchor = "ne"
    bars.categoryAxis.labels.dy = -3
    bars.valueAxis.valueMin = 0
    bars.valueAxis.labels.fontName = fonts.body
    bars.valueAxis.labels.fontSize = 7
    if max(counts) < 5:
        bars.valueAxis.valueMax = 5
        bars.valueAxis.valueStep = 1
    bars.bars[0].fillColor = PALETTE[0]
    bars.bars[0].strokeColor = None
    drawing.add(bars)
    # The cumulative share, on a 0–100 % scale drawn at the right-hand side.
    line = LinePlot()
    line.x, line.y, line.width, line.height = left, bottom, width, height
    line.data = [[(index + 0.5, share) for index, share in enumerate(shares)]]
    line.xValueAxis.valueMin = 0
    line.xValueAxis.valueMax = len(shares)
    line.xValueAxis.visible = False
    line.yValueAxis.valueMin = 0
    line.yValueAxis.valueMax = 100
    line.yValueAxis.valueStep = 20
    line.yValueAxis.joinAxisMode = "right"
    line.yValueAxis.joinAxis = line.xValueAxis
    line.yValueAxis.labels.fontName = fonts.body
    line.yValueAxis.labels.fontSize = 7
    line.yValueAxis.labels.boxAnchor = "w"
    line.yValueAxis.labels.dx = 6
    line.yValueAxis.labelTextFormat = "%d%%"
    line.yValueAxis.tickLeft = 0
    line.yValueAxis.tickRight = 3
    line.lines[0].strokeColor = PALETTE[1]
    line.lines[0].strokeWidth = 1.4
    line.lines[0].symbol = makeMarker("FilledCircle", size=3)
    line.lines[0].symbol.fillColor = PALETTE[1]
    drawing.add(line)
    names = [str(s["name"]) for s in chart_spec["series"]]
    _legend(drawing, names, fonts, 6)
    return drawing


def top_chart(table: boards.Table, fonts: Fonts) -> Drawing:
    chart_spec = table.chart
    categories = [str(c) for c in chart_spec["categories"]]
    drawing = Drawing(WIDTH, max(60, 16 * len(categories) + 25))
    if not categories:
        return _empty(drawing, fonts)
    chart = HorizontalBarChart()
    chart.x, chart.y = 120, 15
    chart.width, chart.height = WIDTH - 140, drawing.height - 25
    # Largest at the top.
    chart.data = [[_number(v) for v in reversed(chart_spec["series"][0]["data"])]]
    chart.categoryAxis.categoryNames = list(reversed(categories))
    chart.categoryAxis.labels.fontName = fonts.for_text("".join(categories))
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = fonts.body
    chart.valueAxis.labels.fontSize = 7
    if max(chart.data[0]) < 5:
        chart.valueAxis.valueMax = 5
        chart.valueAxis.valueStep = 1
    chart.bars[0].fillColor = PALETTE[2]
    chart.bars[0].strokeColor = None
    drawing.add(chart)
    return drawing


# --- The document ---------------------------------------------------------------------------


def _title(content: Content) -> str:
    return _("Monthly service report %(month)s") % {"month": f"{content.month:%Y-%m}"}


def _section(heading: str, flowables: list[Any], fonts: Fonts, styles: Styles) -> list[Any]:
    return [CondPageBreak(60 * mm), Paragraph(fonts.markup(heading), styles.heading), *flowables]


def _story(content: Content, fonts: Fonts, styles: Styles) -> list[Any]:
    generated = content.generated_at.strftime("%Y-%m-%d %H:%M")
    facts = [
        (_("Month"), f"{content.first.isoformat()} – {content.last.isoformat()}"),
        (_("Scope"), content.scope_label),
        (_("Generated at"), f"{generated} ({content.time_zone})"),
    ]
    if content.service_name:
        facts.insert(0, (_("Service"), content.service_name))
    story: list[Any] = [Paragraph(fonts.markup(_title(content)), styles.title), Spacer(1, 4)]
    for label, value in facts:
        story.append(Paragraph(f"<b>{fonts.markup(label)}</b>: {fonts.markup(value)}", styles.body))
    story.append(Spacer(1, 8))
    story += _section(
        _("Key figures, compared with the previous month"),
        [
            _kpi_table(content, fonts, styles),
            Spacer(1, 3),
            Paragraph(
                fonts.markup(
                    _(
                        "Rates are in percent; the change is in percentage points. The backlog "
                        "is counted when the report is made. Definitions: docs/measures.md."
                    )
                ),
                styles.note,
            ),
        ],
        fonts,
        styles,
    )
    tables = content.tables
    charts = [
        ("intake", intake_chart),
        ("sla", sla_chart),
        ("categories", pareto_chart),
        ("models", top_chart),
        ("batches", top_chart),
    ]
    for key, draw in charts:
        table = tables.get(key)
        if table is None:
            continue
        if key in ("categories", "models", "batches") and not table.rows:
            block: list[Any] = [
                Paragraph(escape(_("Nothing to show for this month.")), styles.note)
            ]
        else:
            block = [draw(table, fonts)]
            if key in ("categories", "models", "batches"):
                block += [Spacer(1, 3), _board_table(table, fonts, styles)]
        story += _section(table.title, [KeepTogether(block)], fonts, styles)
    story += _section(
        _("Teams (ranked by requests resolved)"),
        [_board_table(content.teams, fonts, styles, small=True)],
        fonts,
        styles,
    )
    story += _section(
        _("Open problem records"), [_problems_table(content, fonts, styles)], fonts, styles
    )
    return story


def render(content: Content) -> bytes:
    """The report as PDF bytes, every label in the content's language."""
    with translation.override(content.language):
        fonts = Fonts(content.language)
        styles = Styles(fonts)
        title = _title(content)
        footer = f"{content.service_name} · {title}" if content.service_name else title
        page_word = _("Page %(number)s")

        def decorate(canvas: Any, document: Any) -> None:
            canvas.saveState()
            canvas.setFillColor(colors.HexColor("#555b63"))
            canvas.setFont(fonts.for_text(footer), 7.5)
            canvas.drawString(MARGIN, 9 * mm, footer)
            page = page_word % {"number": document.page}
            canvas.setFont(fonts.for_text(page), 7.5)
            canvas.drawRightString(PAGE_WIDTH - MARGIN, 9 * mm, page)
            canvas.restoreState()

        buffer = io.BytesIO()
        document = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN + 4 * mm,
            title=title,
            author=content.service_name or "Aftersales",
            subject=content.scope_label,
            lang=content.language,
        )
        document.build(_story(content, fonts, styles), onFirstPage=decorate, onLaterPages=decorate)
        return buffer.getvalue()
