"""/sitemap.xml: a sitemap index with child sitemaps of at most 50,000 URLs each, covering every
interaction guide, drug page, topic and editorial page, with lastmod.

Pairs: every ingredient pair that some source rates directly (except pairs whose only rating is
a severity-only source's "unknown": those pages are noindex), plus the pairs our curated class
rules imply (imported class rules, e.g. ANSM's, would add pairs by the hundred thousand and are
reachable from the drug pages instead).
"""

from __future__ import annotations

import math
from xml.sax.saxutils import escape

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse

from medref.checker.engine import CURATED_SOURCE, Index
from medref.checker.repository import get_checker
from medref.domain.paths import drug_path, guide_path
from medref.guides.pages import is_noise
from medref.knowledge.models import KnowledgeBaseState

PER_FILE = 50_000
_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def guide_pairs(index: Index) -> list[tuple[str, str]]:
    """Slug pairs (alphabetical) with a guide page worth listing; cached on the index."""
    cached = index.derived.get("guide_pairs")
    if cached is not None:
        return cached
    pairs: set[tuple[int, int]] = set()
    for a, b, rules in index.rated_pairs():
        if a % 2 == 0 and b % 2 == 0:
            if not is_noise(rules):
                pairs.add((a // 2, b // 2))
            continue
        if not any(rule.source == CURATED_SOURCE for rule in rules):
            continue
        for x in index.ingredients_of(a):
            for y in index.ingredients_of(b):
                if x != y:
                    pairs.add((x, y) if x < y else (y, x))
    slugs = index.ingredients
    out = sorted(tuple(sorted((slugs[x][0], slugs[y][0]))) for x, y in pairs)
    index.derived["guide_pairs"] = out
    return out


def _pair_paths(index: Index) -> list[str]:
    """Guide URLs of the listed pairs, built once per index (every sitemap file needs them)."""
    cached = index.derived.get("pair_paths")
    if cached is None:
        cached = index.derived["pair_paths"] = [guide_path(a, b) for a, b in guide_pairs(index)]
    return cached


def _sections(index: Index) -> dict[str, list[str]]:
    from medref.reference.models import Page, Topic

    paths = {
        "pairs": _pair_paths(index),
        "drugs": [drug_path(slug) for slug, _name in sorted(index.ingredients.values())],
        "pages": [
            reverse("editorial-page", kwargs={"slug": s})
            for s in Page.objects.values_list("slug", flat=True)
        ],
    }
    try:
        paths["topics"] = [
            reverse("topic", kwargs={"slug": s})
            for s in Topic.objects.published().values_list("slug", flat=True)
        ]
    except NoReverseMatch:
        pass  # topic pages are not routed yet
    return paths


def _lastmod() -> str:
    changed = KnowledgeBaseState.objects.filter(pk=1).values_list("changed_at", flat=True).first()
    return changed.date().isoformat() if changed else ""


def sitemap_index(request: HttpRequest) -> HttpResponse:
    index = get_checker().index()
    base = request.build_absolute_uri("/").rstrip("/")
    lastmod = _lastmod()
    parts = [_HEAD, f"<sitemapindex {_NS}>\n"]
    for section, paths in _sections(index).items():
        for number in range(1, max(1, math.ceil(len(paths) / PER_FILE)) + 1):
            loc = escape(f"{base}/sitemap-{section}-{number}.xml")
            parts.append(f"<sitemap><loc>{loc}</loc><lastmod>{lastmod}</lastmod></sitemap>\n")
    parts.append("</sitemapindex>\n")
    return HttpResponse("".join(parts), content_type="application/xml")


def sitemap_section(request: HttpRequest, section: str, number: int) -> HttpResponse:
    index = get_checker().index()
    paths = _sections(index).get(section)
    if paths is None or number < 1 or (number - 1) * PER_FILE >= max(len(paths), 1):
        raise Http404("No such sitemap.")
    base = request.build_absolute_uri("/").rstrip("/")
    lastmod = _lastmod()
    chunk = paths[(number - 1) * PER_FILE : number * PER_FILE]
    body = "".join(
        f"<url><loc>{escape(base + p)}</loc><lastmod>{lastmod}</lastmod></url>\n" for p in chunk
    )
    return HttpResponse(f"{_HEAD}<urlset {_NS}>\n{body}</urlset>\n", content_type="application/xml")
