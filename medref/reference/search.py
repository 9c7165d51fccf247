"""Site search behind one interface: SQLite FTS5 by default, PostgreSQL full-text search when on
PostgreSQL. Drug names go through the checker's name resolution, so "Tysabri" finds natalizumab
and "warfarin aspirin" finds that pair's guide."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from django.db import connection, transaction

from medref.reference.models import Page, SearchEntry, Topic

_WORD = re.compile(r"\w+", re.UNICODE)
_START, _STOP = "\x02", "\x03"  # highlight markers that cannot occur in our text
MAX_QUERY = 200


@dataclass
class Hit:
    kind: str  # "drug", "pair", "topic", "page"
    title: str
    url: str
    snippet_html: str = ""


def rebuild_index() -> int:
    """Make the search index hold exactly the published topics and editorial pages."""
    with transaction.atomic():
        SearchEntry.objects.all().delete()
        entries = [
            SearchEntry(kind="topic", url=f"/topics/{t.slug}/", title=t.title, body=t.body)
            for t in Topic.objects.published()
        ]
        entries += [
            SearchEntry(kind="page", url=f"/about/{p.slug}/", title=p.title, body=p.body)
            for p in Page.objects.all()
        ]
        SearchEntry.objects.bulk_create(entries)
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO reference_search_fts(reference_search_fts) VALUES ('rebuild')"
                )
    return len(entries)


def _mark(snippet: str) -> str:
    return html.escape(snippet).replace(_START, "<mark>").replace(_STOP, "</mark>")


def _fulltext(query: str, limit: int) -> list[Hit]:
    words = _WORD.findall(query)[:12]
    if not words:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # Each word quoted (so FTS5 syntax in the query is inert), prefix-matched, all required.
            match = " AND ".join('"' + w.replace('"', "") + '"*' for w in words)
            cursor.execute(
                "SELECT e.kind, e.title, e.url, snippet(reference_search_fts, 1, %s, %s, '\u2026', 14) "
                "FROM reference_search_fts JOIN reference_searchentry e ON e.id = reference_search_fts.rowid "
                "WHERE reference_search_fts MATCH %s ORDER BY bm25(reference_search_fts, 5.0, 1.0) LIMIT %s",
                [_START, _STOP, match, limit],
            )
        else:
            cursor.execute(
                "SELECT kind, title, url, ts_headline('english', body, q, %s) FROM reference_searchentry, "
                "websearch_to_tsquery('english', %s) q WHERE to_tsvector('english', title || ' ' || body) @@ q "
                "ORDER BY ts_rank(to_tsvector('english', title || ' ' || body), q) DESC LIMIT %s",
                [
                    f"StartSel={_START}, StopSel={_STOP}, MaxWords=28, MinWords=12",
                    " ".join(words),
                    limit,
                ],
            )
        return [
            Hit(kind, title, url, _mark(snippet)) for kind, title, url, snippet in cursor.fetchall()
        ]


def _drugs(query: str) -> list[Hit]:
    from medref.checker.repository import get_checker

    index = get_checker().index()
    names = index.names
    found: list[int] = []
    whole = names.resolve(query)
    if whole.resolved and whole.matched_by != "fuzzy":
        found = list(whole.ingredient_ids)
    else:
        for part in re.split(r"\s*(?:\+|,|\band\b|\bwith\b)\s*|\s+", query):
            if len(part) < 3:
                continue
            hit = names.resolve(part)
            if hit.resolved and hit.matched_by != "fuzzy":
                found += [i for i in hit.ingredient_ids if i not in found]
    hits = []
    if len(found) >= 2:
        (sa, na), (sb, nb) = sorted((index.ingredients[found[0]], index.ingredients[found[1]]))
        hits.append(
            Hit(
                "pair",
                f"{na.capitalize()} and {nb}: Drug Interaction Guide",
                f"/interactions/{sa}-and-{sb}/",
            )
        )
    for ingredient_id in found[:5]:
        slug, name = index.ingredients[ingredient_id]
        hits.append(Hit("drug", name.capitalize(), f"/drugs/{slug}/"))
    return hits


def search(query: str, limit: int = 20) -> list[Hit]:
    query = " ".join(query.replace("\x00", "").split())[:MAX_QUERY]
    if not query:
        return []
    return _drugs(query) + _fulltext(query, limit)
