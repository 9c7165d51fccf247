"""Site search: drug names through name resolution, pairs, and full text with highlights, on
SQLite (FTS5) and PostgreSQL (tsvector) alike."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_search_brand_name_finds_the_drug(client, checker):
    html = client.get("/search/", {"q": "Tysabri"}).content.decode()
    assert 'href="/drugs/natalizumab/"' in html


def test_search_two_names_find_the_pair_guide(client, checker):
    html = client.get("/search/", {"q": "Coumadin and aspirin"}).content.decode()
    assert 'href="/interactions/aspirin-and-warfarin/"' in html


def test_search_full_text_ranks_topics_with_highlighted_snippets(client, checker):
    html = client.get("/search/", {"q": "monoclonal"}).content.decode()
    assert 'href="/topics/natalizumab-highly-active-rrms/"' in html
    assert "<mark>monoclonal</mark>" in html.lower() or "<mark>Monoclonal</mark>" in html


@pytest.mark.parametrize(
    "query", ['"NEAR(', "*", "<script>alert(1)</script>", "a' OR 1=1 --", "x" * 500, "\x00abc"]
)
def test_search_hostile_queries_are_harmless(client, checker, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_search_index_follows_content_imports(client, checker):
    from medref.reference.models import Topic
    from medref.reference.search import rebuild_index

    Topic.objects.filter(slug="natalizumab-highly-active-rrms").update(status=Topic.Status.RETIRED)
    rebuild_index()
    assert (
        'href="/topics/natalizumab-highly-active-rrms/"'
        not in client.get("/search/", {"q": "monoclonal"}).content.decode()
    )
