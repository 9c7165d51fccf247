"""The printable check report: /check/report as print-ready HTML, and as PDF (/check/report.pdf or
format=pdf), read back with pypdf so the test needs no poppler."""

from __future__ import annotations

import io
import re

import pytest
from django.utils import timezone
from pypdf import PdfReader

pytestmark = pytest.mark.django_db

QUERY = {"drugs": "Zocor, clarithromycin, warfarin, aspirin, ocrel"}


def pdf_text(content: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return re.sub(r"\s+", " ", text)


def today() -> str:
    now = timezone.now().date()
    return f"{now.day} {now:%B %Y}"


def test_report_html_has_everything_a_printed_report_needs(client, checker):
    response = client.get("/check/report", QUERY)
    html = response.content.decode()

    assert response.status_code == 200
    assert f"Date: <strong>{today()}</strong>" in html
    # The list as typed and as understood, unrecognised names included.
    assert "<tr><td>Zocor</td><td>simvastatin (brand)</td></tr>" in html
    assert "<td>ocrel</td><td>Not recognised, so not checked. Did you mean" in html
    # Findings by severity, most serious first, each with its advice.
    assert html.index("Contraindicated</span> do not use together (1)") < html.index(
        "Major</span> avoid or monitor closely (1)"
    )
    assert "Do not combine. Stop simvastatin" in html
    assert "http://testserver/interactions/clarithromycin-and-simvastatin/" in html
    # Sources with licences, the disclaimer and a box for questions.
    assert "<td>medref curated content</td><td>" in html and "<td>CC BY 4.0</td>" in html
    assert "does not prove that medicines are safe together" in html
    assert "Questions for my pharmacist" in html and 'class="questions-box"' in html
    assert 'href="/check/report.pdf?drugs=Zocor' in html


def test_report_pdf_text_matches_the_report_in_both_addresses(client, checker):
    by_path = client.get("/check/report.pdf", {**QUERY, "view": "patient"})
    by_format = client.get("/check/report", {**QUERY, "view": "patient", "format": "pdf"})

    assert by_path["Content-Type"] == by_format["Content-Type"] == "application/pdf"
    text = pdf_text(by_path.content)
    assert text == pdf_text(by_format.content)
    assert "Medicine interaction report" in text and f"Date: {today()}" in text
    assert "Zocor simvastatin (brand)" in text
    assert "ocrel Not recognised, so not checked." in text
    assert text.index("Contraindicated: do not use together (1)") < text.index(
        "Major: avoid or monitor closely (1)"
    )
    # Patient wording: the patient advice, not the professional management.
    assert "Do not take them together." in text and "Do not combine." not in text
    assert "medref curated content" in text and "CC BY 4.0" in text
    assert "Questions for my pharmacist" in text
    assert "does not prove that medicines are safe together" in text


def test_report_without_medicines_is_a_bad_request(client, checker):
    assert client.get("/check/report").status_code == 400
    assert (
        client.get("/check/report.pdf", {"drugs": ",".join(f"d{i}" for i in range(51))}).status_code
        == 400
    )
