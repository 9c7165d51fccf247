"""The site's search page: drugs and pair guides found through the checker's name resolution
("Tysabri" finds natalizumab, "warfarin aspirin" finds that pair's guide), then topics and pages
from the reference app's full-text index, metered like the topic pages."""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from medref.checker.repository import get_checker
from medref.domain.paths import drug_path, guide_path
from medref.guides.topics import open_topics
from medref.reference.search import MAX_QUERY, MAX_WORDS, Hit, clean_query, search, search_words
from medref.vocab.display import at_start, in_sentence

_PARTS = re.compile(r"\s*(?:\+|,|\band\b|\bwith\b)\s*|\s+")


def drug_hits(query: str) -> list[Hit]:
    """The drugs a query names (whole, or word by word), and their pair's guide when it names two."""
    query = clean_query(query)
    if not query:
        return []
    index = get_checker().index()
    names = index.names
    found: list[int] = []
    whole = names.resolve(query)
    if whole.resolved and whole.matched_by != "fuzzy":
        found = list(whole.ingredient_ids)
    else:
        parts = [p for p in _PARTS.split(query) if len(p) >= 3]
        # Each part costs a name resolution: the same cap as the full-text words.
        for part in list(dict.fromkeys(p.casefold() for p in parts))[:MAX_WORDS]:
            hit = names.resolve(part)
            if hit.resolved and hit.matched_by != "fuzzy":
                found += [i for i in hit.ingredient_ids if i not in found]
    hits = []
    if len(found) >= 2:
        (sa, na), (sb, nb) = sorted((index.ingredients[found[0]], index.ingredients[found[1]]))
        hits.append(
            Hit(
                "pair",
                f"{at_start(na)} and {in_sentence(nb)}: drug interaction guide",
                guide_path(sa, sb),
            )
        )
    for ingredient_id in found[:5]:
        slug, name = index.ingredients[ingredient_id]
        hits.append(Hit("drug", at_start(name), drug_path(slug)))
    return hits


def search_page(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    too_long = len(query) > MAX_QUERY
    too_many_words = len(search_words(query[:MAX_QUERY], limit=None)) > MAX_WORDS
    hits = []
    if query.strip():
        hits = drug_hits(query) + search(query, open_topics=open_topics(request))
    return render(
        request,
        "medref/search.html",
        {
            "query": query[:MAX_QUERY],
            "hits": hits,
            "too_long": too_long,
            "too_many_words": too_many_words,
            "max_words": MAX_WORDS,
        },
    )
