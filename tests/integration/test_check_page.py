"""The /check/ page works without JavaScript and groups results by severity."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_check_page_groups_findings_by_severity_and_links_guides(client, checker):
    response = client.get("/check/", {"drugs": "Zocor, clarithromycin, Tysabri, Ocrevus"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index('id="sev-contraindicated"') < html.index('id="sev-major"')
    assert 'href="/interactions/natalizumab-and-ocrelizumab/"' in html
    assert "Zocor &rarr; <strong>simvastatin</strong>" in html


def test_check_page_patient_wording_toggle(client, checker):
    html = client.get("/check/", {"drugs": "Tysabri,Ocrevus", "view": "patient"}).content.decode()
    assert "Taking both lowers your defences" in html
    assert "<strong>Management:</strong>" not in html
    pro = client.get("/check/", {"drugs": "Tysabri,Ocrevus"}).content.decode()
    assert "<strong>Management:</strong>" in pro


def test_check_page_unknown_name_offers_suggestions_and_never_says_safe(client, checker):
    html = client.get("/check/", {"drugs": "warfarin, adrenaline, ocrel"}).content.decode()
    assert "ocrel: not recognised, so not checked." in html
    assert "Did you mean" in html
    assert "No interaction recorded in: medref curated content" in html
    assert "is safe" not in html.replace("does not mean the combination is safe", "")


def test_check_page_escapes_hostile_names(client, checker):
    html = client.get("/check/", {"drugs": "<script>alert(1)</script>, warfarin"}).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_check_page_rejects_too_many_drugs(client, checker):
    response = client.get("/check/", {"drugs": ",".join(f"d{i}" for i in range(51))})
    assert response.status_code == 400
    assert "at most 50" in response.content.decode()
