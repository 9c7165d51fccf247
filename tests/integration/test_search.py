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


def test_search_snippets_are_plain_text_not_markdown(client, checker):
    import datetime as dt

    from medref.reference.models import Page
    from medref.reference.search import rebuild_index
    from medref.sources.models import Source

    Page.objects.create(
        slug="switching",
        title="Switching",
        last_edited=dt.date(2026, 11, 30),
        source=Source.objects.get(key="medref-curated"),
        body=(
            "## Carry-over\n\n**PML risk carry-over:** a *washout* of [eight weeks](https://x.org)"
            " applies.\n\n| Drug | Washout |\n| --- | --- |\n| natalizumab | |\n"
        ),
    )
    rebuild_index()

    html = client.get("/search/", {"q": "washout"}).content.decode()

    snippet = html.split('<p class="snippet">', 1)[1].split("</p>", 1)[0]
    assert "a <mark>washout</mark> of eight weeks applies. Drug <mark>Washout</mark>" in snippet
    assert not any(mark in snippet for mark in ("**", "|", "##", "](", "---"))


def test_search_pair_and_drug_titles_are_cased_like_the_pages(client, checker):
    from medref.knowledge.models import KnowledgeBaseState
    from medref.vocab.models import Ingredient

    Ingredient.objects.filter(slug="aspirin").update(name="ASA (aspirin)")
    Ingredient.objects.filter(slug="warfarin").update(name="Warfarin")  # an older import's case
    KnowledgeBaseState.bump()
    checker.reset()

    html = client.get("/search/", {"q": "Coumadin and aspirin"}).content.decode()

    assert ">ASA (aspirin) and warfarin: drug interaction guide</a>" in html
    assert ">ASA (aspirin)</a>" in html and "Asa (aspirin)" not in html
