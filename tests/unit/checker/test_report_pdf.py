"""The PDF report's own text handling: Latin-1 core fonts and a word wrap that keeps to the page."""

from __future__ import annotations

from fpdf import FPDF

from medref.checker.report_pdf import latin1, wrap


def test_latin1_keeps_accents_and_plains_typographic_marks():
    assert latin1("Zocor \u2192 simvastatin \u2014 \u201cs\u00e9v\u00e8re\u201d\u2026 \u4e2d") == (
        'Zocor -> simvastatin - "s\u00e9v\u00e8re"... ?'
    )


def test_wrap_keeps_every_line_within_the_width_and_loses_no_word():
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    text = "Check the INR within 3 to 5 days. " * 20 + "https://example.org/" + "x" * 300

    lines = wrap(pdf, text, 100)

    assert all(pdf.get_string_width(line) <= 100 for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
