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
from medref.guides.pages import build_pair_page, json_ld
from medref.knowledge.models import KnowledgeBaseState
from medref.knowledge.severity import Severity
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


# --- lookups -----------------------------------------------------------------------------


def _slug_map(index) -> dict[str, int]:
    cached = getattr(index, "_slug_map", None)
    if cached is None:
        cached = {slug: i for i, (slug, _name) in index.ingredients.items()}
        index._slug_map = cached
    return cached


def _one_ingredient(index, text: str) -> int | None:
    found = index.names.resolve(text.replace("-", " "))
    if found.resolved and len(found.ingredient_ids) == 1 and found.matched_by != "fuzzy":
        return found.ingredient_ids[0]
    return None


PAIR_SEPARATOR = "-and-"
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
    by_name = {index.ingredients[i][1]: list(index.brands.get(i, ()))[:6] for i in (x, y)}
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
            "indexable": page.finding is not None,
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
    from medref.reference.models import Topic
    from medref.vocab.models import Ingredient

    ingredient = Ingredient.objects.prefetch_related("names", "classes").get(pk=x)
    groups: dict[str, list[dict]] = {s.value: [] for s in Severity}
    for y in index.partners_of(x):
        finding = pair_finding(index, x, y)
        if finding is not None:
            other = index.ingredients[y]
            groups[finding.severity.value].append(
                {"name": other[1], "url": finding.guide_url, "sources": len(finding.sources)}
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
    names = defaultdict(list)
    for n in ingredient.names.all():
        if (
            n.kind != "misspelling"
            and n.name.casefold() != ingredient.name.casefold()
            and n.name not in names[n.kind]
        ):
            names[n.kind].append(f"{n.name} ({n.country})" if n.country else n.name)
    return render(
        request,
        "medref/drug.html",
        {
            "ingredient": ingredient,
            "groups": severity_groups,
            "total": sum(len(g["items"]) for g in severity_groups),
            "brands": names.get("brand", [])[:30],
            "us": names.get("us", []),
            "uk": names.get("uk", []),
            "synonyms": names.get("synonym", [])[:20],
            "classes": sorted(
                ingredient.classes.all(), key=lambda c: (c.language != "en", c.name.casefold())
            ),
            "codes": sorted((c.get_system_display(), c.value) for c in ingredient.codes.all()),
            "topics": Topic.objects.published().filter(drugs=ingredient).order_by("title"),
            "canonical_url": request.build_absolute_uri(reverse("drug", kwargs={"slug": slug})),
        },
    )


@cacheable
def drug_index(request: HttpRequest) -> HttpResponse:
    index = get_checker().index()
    letter = (request.GET.get("letter") or "A").upper()[:1]
    letters = list(string.ascii_uppercase) + ["#"]
    if letter not in letters:
        letter = "A"
    entries = []
    for x in index.ingredients:
        if not any(side in index.partners for side in index.sides.get(x, ())):
            continue  # no rule mentions it: nothing to list

        slug, name = index.ingredients[x]
        first = normalize(name)[:1].upper()
        bucket = first if first in string.ascii_uppercase else "#"
        if bucket == letter:
            entries.append({"name": name, "slug": slug})
    entries.sort(key=lambda e: e["name"].casefold())
    return render(
        request,
        "medref/drugs_index.html",
        {"letters": letters, "letter": letter, "entries": entries},
    )
