"""Topic pages: header dates and status, sanitised Markdown, linked citations and references."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_topic_page_shows_both_dates_status_authors_and_linked_citations(
    hcp_client, fixture_content
):
    html = hcp_client.get("/topics/natalizumab-highly-active-rrms/").content.decode()
    assert "<dt>Last reviewed</dt><dd>Not yet reviewed</dd>" in html
    assert (
        '<dt>Last edited</dt><dd><time datetime="2026-11-21">21 November 2026</time></dd>' in html
    )
    assert "Unreviewed starter content" in html
    assert "medref editorial team (neurology)" in html
    assert '<sup>[<a href="#ref-1">1</a>, <a href="#ref-2">2</a>]</sup>' in html
    assert '<li id="ref-2">NICE technology appraisal TA127' in html
    assert "<ul>\n<li>Who it is for\n<ul>" in html  # nested lists survive sanitising
    assert 'href="/drugs/natalizumab/"' in html
    assert "For healthcare professionals." in html


def test_topic_markdown_cannot_inject_script_or_javascript_links(hcp_client, fixture_content):
    from medref.reference.models import Topic

    topic = Topic.objects.get(slug="natalizumab-highly-active-rrms")
    topic.body = (
        "<script>alert(1)</script>\n\n[click](javascript:alert(1)) <img src=x onerror=alert(1)> [1]"
    )
    topic.save()
    html = hcp_client.get("/topics/natalizumab-highly-active-rrms/").content.decode()
    body = html.split('<div class="topic-body">')[1].split("</div>")[0]
    # Shown as text at most, never as markup: no element, no javascript: link, no handler.
    assert "<script" not in body and "<img" not in body
    assert 'href="javascript:' not in body and " onerror=" not in body.replace(
        "&lt;img src=x onerror=", ""
    )
    assert "&lt;script&gt;" in body


def test_topic_references_with_pmid_link_out(hcp_client, fixture_content):
    from medref.reference.models import Topic

    topic = Topic.objects.get(slug="natalizumab-highly-active-rrms")
    topic.references = [
        {"text": "Polman CH, et al. N Engl J Med. 2006.", "pmid": "16510744"},
        {"text": "A DOI one", "doi": "10.1000/xyz"},
    ]
    topic.save()
    html = hcp_client.get("/topics/natalizumab-highly-active-rrms/").content.decode()
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/16510744/"' in html
    assert 'href="https://doi.org/10.1000/xyz"' in html


def test_topic_drafts_are_not_public_and_retired_topics_are_marked(hcp_client, fixture_content):
    from medref.reference.models import Topic

    topic = Topic.objects.get(slug="natalizumab-highly-active-rrms")
    topic.status = Topic.Status.DRAFT
    topic.save()
    assert hcp_client.get("/topics/natalizumab-highly-active-rrms/").status_code == 404
    topic.status = Topic.Status.RETIRED
    topic.save()
    assert (
        "This topic has been retired"
        in hcp_client.get("/topics/natalizumab-highly-active-rrms/").content.decode()
    )


def test_topic_stable_id_survives_a_rename(hcp_client, fixture_content):
    from medref.reference.models import Topic

    topic = Topic.objects.get(slug="natalizumab-highly-active-rrms")
    topic.slug = "natalizumab-in-rrms"
    topic.save()
    response = hcp_client.get(f"/topics/id/{topic.uid}/")
    assert response.status_code == 302 and response["Location"] == "/topics/natalizumab-in-rrms/"


def test_topic_index_by_specialty_and_a_to_z(hcp_client, fixture_content):
    html = hcp_client.get("/topics/").content.decode()
    assert "<h3>Neurology</h3>" in html
    assert html.count('href="/topics/natalizumab-highly-active-rrms/"') == 2
