"""Full-text search of topics and editorial pages behind one interface: SQLite FTS5 by default,
PostgreSQL full-text search when on PostgreSQL. The site's search page adds drugs and pairs
found through the checker's name resolution (medref/guides/search.py)."""

from __future__ import annotations

import html
import re
import uuid
from dataclasses import dataclass

from django.db import connection, transaction

from medref.reference.excerpt import first_paragraph, plain_text
from medref.reference.models import Page, SearchEntry, Topic

_WORD = re.compile(r"\w+", re.UNICODE)
_START, _STOP = "\x02", "\x03"  # highlight markers that cannot occur in our text
MAX_QUERY = 200  # characters; longer queries are cut (the page says so)
# Every extra required word is another posting list to intersect; eight distinct words is more
# than any real question needs, and a repeated word adds nothing but cost.
MAX_WORDS = 8
# A one- or two-letter prefix ("a"*) expands to most of the vocabulary; such words must match a
# whole word instead. Twelve copies of "a"* took 1.5 s on 28 documents.
MIN_PREFIX = 3
SNIPPET_WORDS = 28  # about what the index's own snippets show


@dataclass
class Hit:
    kind: str  # "drug", "pair", "topic", "page"
    title: str
    url: str
    snippet_html: str = ""


def rebuild_index() -> int:
    """Make the search index hold exactly the published topics and editorial pages. Bodies are
    indexed as plain text, so the snippets cut from them show words, not Markdown."""
    with transaction.atomic():
        SearchEntry.objects.all().delete()
        entries = [
            SearchEntry(
                kind="topic", url=f"/topics/{t.slug}/", title=t.title, body=plain_text(t.body)
            )
            for t in Topic.objects.published()
        ]
        entries += [
            SearchEntry(
                kind="page", url=f"/about/{p.slug}/", title=p.title, body=plain_text(p.body)
            )
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


def search_words(query: str, limit: int | None = MAX_WORDS) -> list[str]:
    """The distinct words of a query, in order, at most `limit` of them (None: all)."""
    words: list[str] = []
    for word in _WORD.findall(query):
        word = word.casefold()
        if word not in words:
            words.append(word)
            if len(words) == limit:
                break
    return words


def _fts5_match(words: list[str]) -> str:
    # Each word quoted (so FTS5 syntax in the query is inert) and required; prefix-matched only
    # when long enough for the prefix to narrow anything down.
    return " AND ".join(f'"{w}"*' if len(w) >= MIN_PREFIX else f'"{w}"' for w in words)


def _fulltext(query: str, limit: int) -> list[Hit]:
    words = search_words(query)
    if not words:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            match = _fts5_match(words)
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


def _excerpt_snippet(text: str, words: list[str]) -> str:
    """A snippet like the index's, but cut from `text` (the part of a topic anyone may see)."""

    def matches(token: str) -> bool:
        token = token.casefold()
        return any(token.startswith(w) if len(w) >= MIN_PREFIX else token == w for w in words)

    marked = _WORD.sub(lambda m: f"{_START}{m[0]}{_STOP}" if matches(m[0]) else m[0], text)
    tokens = marked.split()
    if len(tokens) > SNIPPET_WORDS:
        first = next((i for i, t in enumerate(tokens) if _START in t), 0)
        start = max(0, min(first - 4, len(tokens) - SNIPPET_WORDS))
        end = start + SNIPPET_WORDS
        marked = " ".join(tokens[start:end])
        marked = ("\u2026" if start else "") + marked + ("\u2026" if end < len(tokens) else "")
    return _mark(marked)


def _metered(hits: list[Hit], words: list[str], open_topics: set[uuid.UUID]) -> list[Hit]:
    """Topic snippets quote only the first paragraph of topics the reader has not opened: the
    review read five of ten hidden paragraphs of a locked topic through search snippets."""
    by_slug = {h.url.removeprefix("/topics/").strip("/"): h for h in hits if h.kind == "topic"}
    topics = Topic.objects.filter(slug__in=by_slug).values_list("slug", "uid", "body")
    opened = {slug for slug, uid, _ in topics if uid in open_topics}
    excerpts = {slug: first_paragraph(body) for slug, _, body in topics}
    for slug, hit in by_slug.items():
        if slug not in opened:
            hit.snippet_html = _excerpt_snippet(excerpts.get(slug, ""), words)
    return hits


def clean_query(query: str) -> str:
    """The query as searched: NULs dropped, spaces collapsed, cut to MAX_QUERY characters."""
    return " ".join(query.replace("\x00", "").split())[:MAX_QUERY]


def search(query: str, limit: int = 20, *, open_topics: set[uuid.UUID] | None = None) -> list[Hit]:
    """Topics and pages for `query`. `open_topics` is for metered readers: the
    topics whose full text snippets may quote; the others show only their first paragraph.
    None (the default) means an unmetered reader."""
    query = clean_query(query)
    if not query:
        return []
    found = _fulltext(query, limit)
    if open_topics is not None:
        found = _metered(found, search_words(query), open_topics)
    return found
