"""Public pages: home, health check, interaction guides, drug pages, the A-Z index, the sitemap.

Guide and drug pages are built from the checker's in-memory index, so they state exactly what the
checker finds. Each sends ETag and Last-Modified from the knowledge-base version and answers 304
to a conditional request, so a CDN can serve them.
"""

from __future__ import annotations

import hashlib
import string
from collections import defaultdict

from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import condition

from medref import __version__
from medref.checker.repository import get_checker
from medref.domain.paths import PAIR_SEPARATOR, guide_path
from medref.guides.pages import build_pair_page, json_ld
from medref.knowledge.models import KnowledgeBaseState
from medref.knowledge.severity import Severity
from medref.vocab.display import at_start, in_sentence
from medref.vocab.normalize import normalize


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "medref/home.html")


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and readiness in one: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        kb_version = KnowledgeBaseState.current()
    except Exception as exc:  # any database failure means "not ready"
        return JsonResponse(
            {"status": "error", "database": {"ok": False, "error": exc.__class__.__name__}},
            status=503,
        )
    from medref.checker.repository import get_checker

    index = get_checker().peek()
    problems = list(index.problems) if index is not None else []
    # Degraded, not down: the checker serves every rule except the rows it had to skip.
    return JsonResponse(
        {
            "status": "degraded" if problems else "ok",
            "version": __version__,
            "database": {"ok": True, "vendor": connection.vendor},
            "knowledge_base_version": kb_version,
            "checker": {
                "index_version": index.version if index is not None else None,
                "skipped_rows": len(problems),
                "problems": problems[:20],
            },
        }
    )


# --- conditional GET ---------------------------------------------------------------------


# Both come from the in-memory index, which stands for one knowledge-base version, so a
# conditional request costs no database query.
def _etag(request: HttpRequest, *args, **kwargs) -> str:
    signed_in = request.user.is_authenticated if hasattr(request, "user") else False
    key = f"{get_checker().index().stamp}|{request.get_full_path()}|{signed_in}|{__version__}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _last_modified(request: HttpRequest, *args, **kwargs):
    return get_checker().index().changed_at


cacheable = condition(etag_func=_etag, last_modified_func=_last_modified)


def _changed_on(index):
    """The day the knowledge base behind a page last changed, for "Content updated"."""
    changed = index.changed_at
    return changed.date() if hasattr(changed, "date") else changed


# --- lookups -----------------------------------------------------------------------------


def _slug_map(index) -> dict[str, int]:
    cached = index.derived.get("slug_map")
    if cached is None:
        cached = {slug: i for i, (slug, _name) in index.ingredients.items()}
        index.derived["slug_map"] = cached
    return cached


def _one_ingredient(index, text: str) -> int | None:
    found = index.names.resolve(text.replace("-", " "))
    if found.resolved and len(found.ingredient_ids) == 1 and found.matched_by != "fuzzy":
        return found.ingredient_ids[0]
    return None


# Two ingredient slugs (120 characters at most, the field's length) or two brand names joined by
# "-and-" fit easily; a longer address names no pair and is refused before any lookup.
MAX_PAIR_LENGTH = 250
# One "-and-" joins the two names; a name may hold one of its own ("measles-mumps-and-rubella-
# vaccine-live"). More than this many is not a pair address, and each possible cut costs a name
# resolution, so the cap bounds the work a hostile address can cause.
MAX_PAIR_SEPARATORS = 4


def _pair_cuts(pair: str) -> list[int] | None:
    """Where "-and-" starts in `pair` (overlaps included), or None when it cannot be a pair."""
    if len(pair) > MAX_PAIR_LENGTH:
        return None
    cuts, at = [], pair.find(PAIR_SEPARATOR)
    while at != -1:
        cuts.append(at)
        if len(cuts) > MAX_PAIR_SEPARATORS:
            return None
        at = pair.find(PAIR_SEPARATOR, at + 1)
    return cuts


def _split_pair(index, pair: str) -> tuple[int, int] | None:
    cuts = _pair_cuts(pair)
    if not cuts:
        return None
    slugs = _slug_map(index)
    halves = [(pair[:at], pair[at + len(PAIR_SEPARATOR) :]) for at in cuts]
    for left, right in halves:
        if left in slugs and right in slugs:
            return slugs[left], slugs[right]
    for left, right in halves:
        if not left or not right:
            continue
        x = slugs.get(left) or _one_ingredient(index, left)
        y = slugs.get(right) or _one_ingredient(index, right)
        if x and y:
            return x, y
    return None


# --- pages -------------------------------------------------------------------------------


@cacheable
def pair_page(request: HttpRequest, pair: str) -> HttpResponse:
    index = get_checker().index()
    found = _split_pair(index, pair)
    if found is None:
        raise Http404("We could not tell which two medicines this address names.")
    x, y = found
    if x == y:
        return redirect("drug", slug=index.ingredients[x][0], permanent=True)
    (slug_a, _), (slug_b, _) = sorted((index.ingredients[x], index.ingredients[y]))
    canonical = f"{slug_a}-and-{slug_b}"
    if pair != canonical:
        return redirect("pair", pair=canonical, permanent=True)
    # A brand sold in several countries is listed in each; name it once.
    by_name = {
        in_sentence(index.ingredients[i][1]): list(dict.fromkeys(index.brands.get(i, ())))[:6]
        for i in (x, y)
    }
    page = build_pair_page(index, x, y, by_name)
    url = request.build_absolute_uri(reverse("pair", kwargs={"pair": canonical}))
    description = page.quick_answer
    topics = sorted(
        set(index.topics.get(x, ())) | set(index.topics.get(y, ())), key=lambda t: t[1]
    )[:8]
    return render(
        request,
        "medref/guide.html",
        {
            "page": page,
            "canonical_url": url,
            "description": description,
            "json_ld": json_ld(page, url, description),
            "topics": topics,
            "brands_a": by_name[page.a],
            "brands_b": by_name[page.b],
            # A page that only repeats "a source says unknown" would fill search results with
            # tens of thousands of pages nobody can act on.
            "indexable": page.finding is not None and not page.noise,
            "updated": page.reviewed_date or _changed_on(index),
        },
    )


@cacheable
def drug_page(request: HttpRequest, slug: str) -> HttpResponse:
    index = get_checker().index()
    slugs = _slug_map(index)
    x = slugs.get(slug)
    if x is None:
        y = _one_ingredient(index, slug)
        if y is None:
            raise Http404("No medicine of this name is in medref.")
        return redirect("drug", slug=index.ingredients[y][0], permanent=True)
    from medref.checker.engine import pair_finding

    # Everything below comes from the index (ADR 0006): the page makes no database query.
    own_slug, own_name = index.ingredients[x]
    other_names, classes, codes = index.profile(x)
    groups: dict[str, list[dict]] = {s.value: [] for s in Severity}
    for y in index.partners_of(x):
        finding = pair_finding(index, x, y)
        if finding is not None:
            other = index.ingredients[y]
            groups[finding.severity.value].append(
                {"name": in_sentence(other[1]), "url": guide_path(own_slug, other[0])}
            )
    severity_groups = [
        {
            "severity": s.value,
            "label": s.label,
            "action": s.action,
            "items": sorted(groups[s.value], key=lambda i: i["name"].casefold()),
        }
        for s in Severity
        if groups[s.value]
    ]
    # ?severity=major shows one group: a filter made of links, so it works without JavaScript.
    shown = request.GET.get("severity", "")
    if shown not in {g["severity"] for g in severity_groups}:
        shown = ""
    names = _names_by_kind(own_name, other_names)
    return render(
        request,
        "medref/drug.html",
        {
            "name": in_sentence(own_name),
            "title_name": at_start(own_name),
            "groups": [g for g in severity_groups if not shown or g["severity"] == shown],
            "all_groups": severity_groups,
            "shown": shown,
            "total": sum(len(g["items"]) for g in severity_groups),
            "brands": names.get("brand", [])[:30],
            "us": names.get("us", []),
            "uk": names.get("uk", []),
            "synonyms": names.get("synonym", [])[:20],
            "classes": [
                {"name": name, "language": language}
                for name, language in sorted(classes, key=lambda c: (c[1] != "en", c[0].casefold()))
            ],
            "codes": sorted(codes),
            # From the index, which holds the published topics per ingredient (ADR 0006).
            "topics": [{"slug": s, "title": t} for s, t in index.topics.get(x, ())],
            "canonical_url": request.build_absolute_uri(reverse("drug", kwargs={"slug": slug})),
        },
    )


def _names_by_kind(own_name: str, other_names) -> dict[str, list[str]]:
    """The ingredient's other names by kind, each name once with every country that uses it:
    "Tysabri (US, GB)", not "Tysabri (US), Tysabri (GB)"."""
    # kind -> casefolded name -> (the name as first spelt, its countries in order)
    found: dict[str, dict[str, tuple[str, list[str]]]] = defaultdict(dict)
    own = own_name.casefold()
    for kind, name, country in other_names:
        key = name.casefold()
        if key == own:  # misspellings never reach the profile (repository._profiles)
            continue
        _spelt, where = found[kind].setdefault(key, (name, []))
        if country and country not in where:
            where.append(country)
    return {
        kind: [f"{name} ({', '.join(where)})" if where else name for name, where in by.values()]
        for kind, by in found.items()
    }


@cacheable
def drug_index(request: HttpRequest) -> HttpResponse:
    index = get_checker().index()
    letter = (request.GET.get("letter") or "A").upper()[:1]
    letters = list(string.ascii_uppercase) + ["#"]
    if letter not in letters:
        letter = "A"
    entries = []
    for x in index.ingredients:
        if not index.is_rated(x):
            continue  # no rule mentions it: nothing to list

        slug, name = index.ingredients[x]
        first = normalize(name)[:1].upper()
        bucket = first if first in string.ascii_uppercase else "#"
        if bucket == letter:
            entries.append({"name": in_sentence(name), "slug": slug})
    entries.sort(key=lambda e: e["name"].casefold())
    return render(
        request,
        "medref/drugs_index.html",
        {"letters": letters, "letter": letter, "entries": entries},
    )
