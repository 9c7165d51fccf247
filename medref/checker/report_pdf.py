"""The check report as a PDF, drawn with fpdf2: pure Python, so it needs no Pango, Cairo or other
system library on the server (ADR 0008). Same content as the print-ready HTML page."""

from __future__ import annotations

import unicodedata

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import CoreFont

from medref.checker.present import Report
from medref.domain.severity import Severity

# The PDF core fonts (Helvetica) cover Latin-1 only; embedding a Unicode font would mean shipping
# a font file. Drug names and our English text are Latin-1 apart from a few typographic marks,
# which get plain equivalents here; anything else left over becomes "?" rather than failing.
_PLAIN = str.maketrans(
    {
        "\u2192": "->",
        "\u2013": "-",
        "\u2014": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2026": "...",
        "\u00a0": " ",
        "\u2009": " ",
        "\u2265": ">=",
        "\u2264": "<=",
        "\u00b7": "-",
    }
)
# Print-safe versions of the severity colours in site.css (RGB).
_COLOUR = {
    Severity.CONTRAINDICATED: (122, 13, 28),
    Severity.MAJOR: (165, 20, 31),
    Severity.MODERATE: (138, 75, 0),
    Severity.MINOR: (31, 95, 42),
    Severity.UNKNOWN: (68, 76, 86),
}


def latin1(text: str) -> str:
    text = unicodedata.normalize("NFC", str(text)).translate(_PLAIN)
    return text.encode("latin-1", "replace").decode("latin-1")


def wrap(pdf: FPDF, text: str, width: float) -> list[str]:
    """Greedy word wrap in the current (core, Latin-1) font. fpdf2's multi_cell re-measures the
    whole line for every character it adds, and even get_string_width copies the graphics state
    on each call: 8 s for a 130-finding report. Summing the font's character widths is linear."""
    font = pdf.current_font
    # Only the core fonts are used (see _PLAIN); they give each character's width in a dict.
    assert isinstance(font, CoreFont), "the report uses the PDF core fonts only"
    widths = font.cw
    scale = pdf.font_size / 1000

    def measure(chunk: str) -> float:
        return sum(widths.get(c, 600) for c in chunk) * scale

    space = measure(" ")
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line: list[str] = []
        used = 0.0
        for word in paragraph.split():
            w = measure(word)
            while w > width:  # a word (e.g. a long address) wider than the page: break it
                if line:
                    lines.append(" ".join(line))
                    line, used = [], 0.0
                cut = len(word)
                while cut > 1 and measure(word[:cut]) > width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
                w = measure(word)
            if line and used + space + w > width:
                lines.append(" ".join(line))
                line, used = [], 0.0
            used = w if not line else used + space + w
            line.append(word)
        lines.append(" ".join(line))
    return lines


class _Document(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 5, f"medref interaction report - page {self.page_no()} of {{nb}}", align="C")


def render_pdf(report: Report) -> bytes:
    pdf = _Document(format="A4")
    pdf.set_title(latin1(f"Medicine interaction report, {report.date_text}"))
    pdf.set_author("medref")
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()

    def heading(text: str, size: float = 14) -> None:
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", size)
        pdf.set_text_color(0, 0, 0)
        pdf.multi_cell(0, size * 0.5, latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1)

    def para(text: str, size: float = 10, style: str = "") -> None:
        pdf.set_font("Helvetica", style, size)
        pdf.set_text_color(0, 0, 0)
        height = size * 0.5
        for line in wrap(pdf, latin1(text), pdf.epw):
            # text() is ~25x cheaper than cell(), so page breaks are taken here by hand.
            if pdf.get_y() + height > pdf.page_break_trigger:
                pdf.add_page()
            y = pdf.get_y()
            pdf.text(pdf.l_margin, y + height * 0.75, line)
            pdf.set_xy(pdf.l_margin, y + height)

    show = report.show
    heading("Medicine interaction report", 18)
    para(
        f"Date: {report.date_text}. Wording: {report.wording}. "
        f"medref knowledge base version {report.knowledge_base_version}."
    )

    heading("Medicines")
    with pdf.table(col_widths=(1, 2), text_align="LEFT", line_height=5) as table:
        pdf.set_font("Helvetica", size=10)
        table.row(["As typed", "As medref understood it"])
        for m in report.medicines:
            table.row([latin1(m["typed"]), latin1(m["understood"])])

    heading("What medref found")
    if show.prompt:
        para(show.prompt, style="B")
    if show.summary:
        counts = ", ".join(f"{s['count']} {s['label'].lower()}" for s in show.summary)
        para(f"{show.count} finding{'' if show.count == 1 else 's'}: {counts}.", style="B")
    for group in show.groups:
        pdf.ln(2)
        pdf.set_font("Helvetica", "B", 12)
        pdf.set_text_color(*_COLOUR[group.severity])
        pdf.multi_cell(
            0,
            6,
            latin1(f"{group.label}: {group.action} ({group.count})"),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        for f in group.findings:
            pdf.ln(1)
            para(f["title"], size=11, style="B")
            para(f["advice"])
            if show.view != "patient" and f.get("mechanism"):
                para(f"Mechanism: {f['mechanism']}", size=9)
            if f.get("guide_url"):
                para(f"More: {report.site}{f['guide_url']}", size=8)
    if show.message:
        pdf.ln(1)
        para(show.message)

    heading("Sources checked")
    with pdf.table(col_widths=(3, 1, 2), text_align="LEFT", line_height=5) as table:
        pdf.set_font("Helvetica", size=10)
        table.row(["Source", "Version", "Licence"])
        for s in show.sources_checked:
            table.row([latin1(s["name"]), latin1(s["version"]), latin1(s["licence"])])

    # A blank box to write in, kept on one page with its heading.
    if pdf.will_page_break(75):
        pdf.add_page()
    heading(report.questions_heading)
    pdf.set_draw_color(80, 80, 80)
    pdf.rect(pdf.l_margin, pdf.get_y(), pdf.epw, 55)
    pdf.ln(59)

    para(f"Disclaimer. {report.disclaimer}", size=9)
    return bytes(pdf.output())
