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


MANY = "Zocor, clarithromycin, Tysabri, Ocrevus, warfarin, aspirin, paracetamol"


def test_check_page_summary_counts_each_severity_most_serious_first_with_links(client, checker):
    html = client.get("/check/", {"drugs": MANY}).content.decode()
    summary = html[
        html.index('class="check-summary"') : html.index(
            "</nav>", html.index('class="check-summary"')
        )
    ]
    assert "4 findings" in summary
    links = ['href="#sev-contraindicated"', 'href="#sev-major"', 'href="#sev-moderate"']
    assert all(link in summary for link in links)
    assert [summary.index(link) for link in links] == sorted(summary.index(link) for link in links)
    assert ">Major</span> 2</a>" in summary
    # The summary comes before the first finding.
    assert html.index('class="check-summary"') < html.index('class="finding"')


def test_check_page_severity_filter_is_a_get_form_that_hides_other_groups(client, checker):
    html = client.get("/check/", {"drugs": MANY, "severity": "major"}).content.decode()
    form = html[
        html.index('class="severity-filter"') : html.index(
            "</form>", html.index('class="severity-filter"')
        )
    ]
    assert (
        'method="get"'
        in html[
            html.index('class="severity-filter"') - 40 : html.index('class="severity-filter"') + 60
        ]
    )
    assert '<input type="checkbox" name="severity" value="major" checked>' in form
    assert '<input type="checkbox" name="severity" value="moderate">' in form
    assert 'id="sev-major"' in html and 'id="sev-contraindicated"' not in html
    assert "2 findings hidden by the filter." in html
    # A hidden group's summary link opens the page with that group shown too.
    assert "severity=contraindicated&amp;severity=major#sev-contraindicated" in html


def test_check_page_finding_details_collapse_in_details_elements(client, checker):
    html = client.get("/check/", {"drugs": "Zocor, clarithromycin"}).content.decode()
    finding = html[html.index('<article class="finding">') : html.index("</article>")]
    assert '<p class="advice"><strong>Management:</strong>' in finding
    details = finding[finding.index("<details>") :]
    assert "<strong>Mechanism:</strong>" in details and '<table class="sources">' in details


def test_check_page_headline_agrees_with_monitoring_advice(client, checker):
    html = client.get("/check/", {"drugs": "warfarin, aspirin"}).content.decode()
    assert '<span class="severity severity-major">Major</span> avoid or monitor closely (1)' in html
    assert "avoid combination" not in html


def test_check_page_one_medicine_asks_for_another(client, checker):
    html = client.get("/check/", {"drugs": "warfarin"}).content.decode()
    assert "Add at least one more medicine to check for interactions." in html
    assert (
        "No interaction recorded" not in html
        and "does not mean the combination is safe" not in html
    )


def test_check_page_one_recognised_medicine_asks_for_another(client, checker):
    html = client.get("/check/", {"drugs": "warfarin, ocrel"}).content.decode()
    assert "Add at least one more medicine to check for interactions." in html
    assert "ocrel: not recognised, so not checked." in html


def test_check_page_links_keep_the_patient_wording(client, checker):
    html = client.get("/check/", {"drugs": "Tysabri, ocrel", "view": "patient"}).content.decode()
    assert 'href="/check/?drugs=Tysabri%2C+ocrel&amp;view=patient">link to these results' in html
    assert 'href="/check/report?drugs=Tysabri%2C+ocrel&amp;view=patient"' in html
    # Suggestions for an unrecognised name keep it too.
    assert "?drugs=Tysabri%2C+ocrelizumab&amp;view=patient" in html


def test_check_page_folds_a_duplication_into_the_interaction_of_the_same_pair(
    client, checker, monkeypatch
):
    # The fixture content has no pair that both interacts and duplicates, so add the duplication
    # the engine gives for natalizumab + ocrelizumab with the bundled content.
    from medref.checker import present as p

    real = p.result_json

    def with_duplication(result):
        data = real(result)
        dup = {
            **data["findings"][0],
            "kind": "duplication",
            "severity": "moderate",
            "summary": "Natalizumab and ocrelizumab are both MS antibodies: possible therapeutic duplication.",
            "mechanism": "Both medicines belong to MS antibodies and act in the same way, so their effects and side effects add up.",
            "management": "Check whether both are intended; usually one medicine of this class is enough.",
            "patient_text": "Natalizumab and ocrelizumab work in the same way. Ask your prescriber or pharmacist whether you need both.",
            "explanation": "natalizumab and ocrelizumab both belong to MS antibodies (duplication class)",
            "guide_url": "",
        }
        data["findings"].append(dup)
        return data

    monkeypatch.setattr(p, "result_json", with_duplication)
    for view in ("professional", "patient"):
        html = client.get("/check/", {"drugs": "Tysabri, Ocrevus", "view": view}).content.decode()
        assert html.count('<article class="finding">') == 1
        assert "act in the same way" not in html and "work in the same way" not in html
        assert "1 finding</strong>" in html
    pro = client.get("/check/", {"drugs": "Tysabri, Ocrevus"}).content.decode()
    assert "are also both MS antibodies: usually one medicine of this kind is enough" in pro
