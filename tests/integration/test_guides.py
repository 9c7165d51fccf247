"""Guide pages, drug pages, sitemap and caching. Snapshots of the generated main content make
any change to what the public reads show up in review (UPDATE_SNAPSHOTS=1 rewrites them)."""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db
SNAPSHOTS = Path(__file__).resolve().parents[1] / "snapshots"


def main_content(html: str) -> str:
    body = html.split('<main id="main" class="wrap" tabindex="-1">', 1)[1].split("</main>", 1)[0]
    body = re.sub(r"[0-9a-f]{12}", "<version>", body)  # content checksums in source versions
    # The knowledge base's change time is the fixture's load time: a different day each run.
    body = re.sub(r"Content updated <time .*?</time>", "Content updated <date>", body)
    return "\n".join(line.strip() for line in body.splitlines() if line.strip()) + "\n"


def assert_snapshot(name: str, html: str) -> None:
    path = SNAPSHOTS / f"{name}.html"
    text = main_content(html)
    if os.environ.get("UPDATE_SNAPSHOTS") or not path.exists():
        path.write_text(text)
    assert text == path.read_text(), (
        f"snapshot {path.name} changed; review and rerun with UPDATE_SNAPSHOTS=1"
    )


def add_rating(slug_a: str, slug_b: str, severity: str, *, key: str, name: str) -> None:
    from medref.knowledge.models import Interaction, KnowledgeBaseState
    from medref.sources.models import Source
    from medref.vocab.models import Ingredient

    source, _ = Source.objects.get_or_create(
        key=key, defaults={"name": name, "version": "test", "licence": "CC BY-NC-SA 4.0"}
    )
    row = Interaction(
        source=source,
        a_ingredient=Ingredient.objects.get(slug=slug_a),
        b_ingredient=Ingredient.objects.get(slug=slug_b),
        severity=severity,
        review_status="external",
    )
    row.pair_key = row.compute_pair_key()
    row.save()
    KnowledgeBaseState.bump()


@pytest.mark.parametrize(
    ("pair", "severity"),
    [
        ("clarithromycin-and-simvastatin", "contraindicated"),
        ("natalizumab-and-ocrelizumab", "major"),
        ("paracetamol-and-warfarin", "moderate"),
        ("metformin-and-omeprazole", "minor"),
        ("amlodipine-and-sertraline", "unknown"),
    ],
)
def test_guide_page_snapshot_for_each_severity(client, checker, pair, severity):
    response = client.get(f"/interactions/{pair}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'class="severity severity-{severity}"' in html
    assert_snapshot(f"guide-{severity}", html)


def test_guide_page_snapshot_ddinter_only_pair_says_what_is_known_once(client, checker):
    add_rating("codeine", "sertraline", "moderate", key="ddinter", name="DDInter")
    checker.reset()
    html = client.get("/interactions/codeine-and-sertraline/").content.decode()
    assert (
        "DDInter rates the combination of codeine and sertraline as moderate (use with caution"
        in html
    )
    assert html.count("a severity only") == 1
    assert "What is not known" in html
    assert '<meta name="robots" content="noindex">' not in html  # a rating people can act on
    assert_snapshot("guide-ddinter-only", html)


def test_guide_page_rated_only_unknown_by_ddinter_is_noindex_and_out_of_the_sitemap(
    client, checker
):
    add_rating("codeine", "sertraline", "unknown", key="ddinter", name="DDInter")
    checker.reset()
    html = client.get("/interactions/codeine-and-sertraline/").content.decode()
    assert '<meta name="robots" content="noindex">' in html
    # Says what is not known once, and never that an unrated pair has "a severity only".
    assert "DDInter lists codeine and sertraline as medicines that interact." in html
    assert "How serious the interaction is" in html and "severity only" not in html
    assert "Reviewed by its publisher, not by medref" in html  # not "external"
    sitemap = client.get("/sitemap-pairs-1.xml").content.decode()
    assert "/interactions/codeine-and-sertraline/" not in sitemap
    assert "/interactions/natalizumab-and-ocrelizumab/" in sitemap


def test_guide_page_names_are_lower_case_except_where_a_sentence_starts(client, checker):
    from medref.knowledge.models import KnowledgeBaseState
    from medref.vocab.models import Ingredient

    # As an older import stored it: an INN in title case.
    Ingredient.objects.filter(slug="natalizumab").update(name="Natalizumab")
    KnowledgeBaseState.bump()
    checker.reset()
    html = client.get("/interactions/natalizumab-and-ocrelizumab/").content.decode()
    assert "Avoid taking natalizumab and ocrelizumab together" in html
    assert '<h1 id="guide-title">Natalizumab and ocrelizumab: drug interaction guide</h1>' in html
    assert "Can I take natalizumab and ocrelizumab together?" in html
    assert "Natalizumab and Ocrelizumab" not in html


def test_guide_page_says_when_its_content_was_updated(client, checker):
    from medref.knowledge.models import KnowledgeBaseState

    changed = KnowledgeBaseState.objects.get(pk=1).changed_at.date()
    html = client.get("/interactions/paracetamol-and-warfarin/").content.decode()
    assert f'Content updated <time datetime="{changed.isoformat()}">' in html


def test_guide_page_snapshot_sources_that_disagree(client, checker):
    add_rating("aspirin", "warfarin", "moderate", key="ddinter", name="DDInter")
    checker.reset()
    html = client.get("/interactions/aspirin-and-warfarin/").content.decode()
    assert "The sources disagree about how serious this is." in html
    assert html.count("<tr><td>") == 2
    assert_snapshot("guide-sources-disagree", html)


def test_guide_page_json_ld_parses_and_holds_the_faq(client, checker):
    html = client.get("/interactions/natalizumab-and-ocrelizumab/").content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    data = json.loads(block)
    types = {node["@type"] for node in data["@graph"]}
    assert {"MedicalWebPage", "FAQPage"} <= types
    faq = next(n for n in data["@graph"] if n["@type"] == "FAQPage")
    questions = [q["name"] for q in faq["mainEntity"]]
    assert questions[0] == "Can I take natalizumab and ocrelizumab together?"
    assert len(questions) == 3
    page = next(n for n in data["@graph"] if n["@type"] == "MedicalWebPage")
    assert page["about"][0]["interactingDrug"]["name"] == "ocrelizumab"
    assert (
        '<link rel="canonical" href="http://testserver/interactions/natalizumab-and-ocrelizumab/">'
        in html
    )
    assert (
        '<meta name="description" content="Avoid taking natalizumab and ocrelizumab together'
        in html
    )


@pytest.mark.parametrize(
    "path",
    [
        "/interactions/ocrelizumab-and-natalizumab/",
        "/interactions/tysabri-and-ocrevus/",
        "/interactions/natalizumab-and-ocrevus/",
    ],
)
def test_guide_page_reversed_or_brand_names_redirect_permanently(client, checker, path):
    response = client.get(path)
    assert response.status_code == 301
    assert response["Location"] == "/interactions/natalizumab-and-ocrelizumab/"


def test_guide_page_for_an_unrecorded_pair_never_says_safe_and_is_not_indexed(client, checker):
    html = client.get("/interactions/epinephrine-and-warfarin/").content.decode()
    assert "No interaction recorded" in html and "not the same as safe" in html
    assert '<meta name="robots" content="noindex">' in html
    assert "medref curated content" in html


def test_guide_page_unknown_drugs_give_404(client, checker):
    assert client.get("/interactions/xyzzy-and-warfarin/").status_code == 404


def test_guide_page_answers_304_to_a_conditional_request(client, checker):
    first = client.get("/interactions/natalizumab-and-ocrelizumab/")
    assert first["ETag"] and first["Last-Modified"]
    again = client.get(
        "/interactions/natalizumab-and-ocrelizumab/", HTTP_IF_NONE_MATCH=first["ETag"]
    )
    assert again.status_code == 304
    from medref.knowledge.models import KnowledgeBaseState

    # Pages follow the checker's index, which looks for a new knowledge-base version at most once
    # a second; look on every call here.
    checker.recheck_seconds = 0
    KnowledgeBaseState.bump()
    changed = client.get(
        "/interactions/natalizumab-and-ocrelizumab/", HTTP_IF_NONE_MATCH=first["ETag"]
    )
    assert changed.status_code == 200


def test_drug_page_lists_interactions_grouped_by_severity_with_counts(client, checker):
    html = client.get("/drugs/warfarin/").content.decode()
    assert "Coumadin (US)" in html and "Marevan (GB)" in html
    assert (
        '<h3 id="sev-major"><span class="severity severity-major">Major</span> avoid or monitor closely (3)</h3>'
        in html
    )
    assert 'href="/interactions/ibuprofen-and-warfarin/"' in html  # via the class rule
    assert 'href="/interactions/naproxen-and-warfarin/"' in html
    assert client.get("/drugs/coumadin/")["Location"] == "/drugs/warfarin/"


def test_drug_page_names_a_brand_once_with_every_country(client, checker):
    html = client.get("/drugs/natalizumab/").content.decode()
    assert "Tysabri (US, GB)" in html
    assert "Tysabri (US)" not in html and "Tysabri (GB)" not in html


def test_drug_page_severity_filter_works_without_javascript(client, checker):
    everything = client.get("/drugs/warfarin/").content.decode()
    assert 'href="?severity=major#interactions"' in everything
    assert '<strong aria-current="page">All (' in everything

    html = client.get("/drugs/warfarin/", {"severity": "major"}).content.decode()

    assert 'id="sev-major"' in html and 'id="sev-moderate"' not in html
    assert '<strong aria-current="page">Major (3)</strong>' in html
    assert 'href="?severity=moderate#interactions"' in html  # the other groups stay reachable
    assert 'id="sev-moderate"' in client.get("/drugs/warfarin/", {"severity": "x"}).content.decode()


def test_drug_page_makes_no_database_query(client, checker):
    """ADR 0006: with the index warm, a drug page (names, brands, classes, codes, interactions)
    is built from the index alone."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get("/drugs/warfarin/")  # warms the index
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/drugs/warfarin/?again").content.decode()
    assert "Coumadin (US)" in html and "<dt>Classes</dt>" in html
    # The index may ask which knowledge-base version is current (at most once a second); that
    # query reads no page content.
    assert [q["sql"] for q in queries if "knowledgebasestate" not in q["sql"]] == []


def test_drug_index_is_lettered(client, checker):
    html = client.get("/drugs/", {"letter": "W"}).content.decode()
    assert 'href="/drugs/warfarin/"' in html and 'href="/drugs/aspirin/"' not in html


def test_sitemap_index_and_children_cover_pairs_drugs_and_pages(client, checker):
    index = ET.fromstring(client.get("/sitemap.xml").content)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    children = [loc.text for loc in index.findall("s:sitemap/s:loc", ns)]
    assert any("sitemap-pairs-1.xml" in c for c in children)
    pairs = ET.fromstring(client.get("/sitemap-pairs-1.xml").content)
    urls = [u.find("s:loc", ns).text for u in pairs.findall("s:url", ns)]
    assert "http://testserver/interactions/natalizumab-and-ocrelizumab/" in urls
    assert "http://testserver/interactions/ibuprofen-and-warfarin/" in urls  # a curated class rule
    assert all(u.find("s:lastmod", ns).text for u in pairs.findall("s:url", ns))
    drugs = client.get("/sitemap-drugs-1.xml").content.decode()
    assert "/drugs/warfarin/" in drugs
    assert client.get("/sitemap-pairs-2.xml").status_code == 404


def test_guide_page_shows_last_reviewed_date_and_team_once_signed_off(client, checker):
    import datetime as dt

    from medref.knowledge.models import Interaction, KnowledgeBaseState

    row = Interaction.objects.get(source__key="medref-curated", a_ingredient__slug="natalizumab")
    row.review_status, row.reviewed_by, row.reviewed_at = (
        "reviewed",
        "the medref neurology review team",
        dt.date(2026, 11, 20),
    )
    row.save()
    KnowledgeBaseState.bump()
    checker.reset()
    html = client.get("/interactions/natalizumab-and-ocrelizumab/").content.decode()
    assert (
        'Last reviewed <time datetime="2026-11-20">20 November 2026</time> by the medref neurology review team.'
        in html
    )
    assert 'Content updated <time datetime="2026-11-20">20 November 2026</time>' in html
    assert "Not yet reviewed" not in html
