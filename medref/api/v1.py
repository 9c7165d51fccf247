"""JSON API v1: the interaction check and drug-name autocomplete."""

from __future__ import annotations

import json
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from pydantic import Field, field_validator

from medref.checker.present import result_json
from medref.checker.repository import get_checker
from medref.domain.limits import MAX_DRUGS, MAX_NAME_LENGTH
from medref.vocab.normalize import normalize

router = Router(tags=["interactions"])

SeverityName = Literal["contraindicated", "major", "moderate", "minor", "unknown"]


class CheckIn(Schema):
    drugs: list[str] = Field(
        ...,
        min_length=1,
        max_length=MAX_DRUGS,
        description=f"1 to {MAX_DRUGS} medicine names: brand, generic, UK or US, or product strings.",
        examples=[["Tysabri", "ocrelizumab"]],
    )

    @field_validator("drugs")
    @classmethod
    def _names(cls, value: list[str]) -> list[str]:
        for position, name in enumerate(value):
            if not name.strip():
                raise ValueError(f"drug {position + 1} is empty")
            if len(name) > MAX_NAME_LENGTH:
                raise ValueError(f"drug {position + 1} is longer than {MAX_NAME_LENGTH} characters")
            if "\x00" in name:
                raise ValueError(f"drug {position + 1} contains a NUL character")
            # JSON can carry a lone UTF-16 surrogate ("\ud800"); it is not text and cannot be
            # encoded back out, so it is refused here rather than failing in the response.
            if any("\ud800" <= char <= "\udfff" for char in name):
                raise ValueError(f"drug {position + 1} is not valid Unicode text")
        return value


class DrugOut(Schema):
    input: str
    resolved: bool
    ingredients: list[str]
    matched_by: str | None = Field(
        None,
        description="inn, us, uk, brand, synonym, salt, misspelling, source, product, product-string, combination or fuzzy",
    )
    matched_name: str | None = None
    suggestions: list[str]
    note: str | None = None


class OriginalTextOut(Schema):
    language: str = Field(description="the source's language, e.g. fr")
    mechanism: str
    management: str
    note: str = Field(description="who translated it, from which edition, and its review status")


class SourceRatingOut(Schema):
    name: str
    key: str
    version: str
    licence: str
    severity: SeverityName
    review_status: str
    language: str
    via: str
    mechanism: str = Field(description="this rule's mechanism, in English")
    management: str = Field(description="this rule's advice, in English")
    overridden_by: str | None = Field(
        None, description="the more specific curated rule that replaces this one, and why"
    )
    original: OriginalTextOut | None = Field(
        None, description="the source's own words when the text above is our English version"
    )


class FindingOut(Schema):
    kind: Literal["interaction", "duplication"]
    drugs: list[str]
    severity: SeverityName
    action: str
    summary: str
    mechanism: str
    management: str
    patient_text: str
    explanation: str
    sources: list[SourceRatingOut]
    sources_disagree: bool
    guide_url: str
    language: str
    evidence: str
    ingredient_ids: list[int] = Field(
        description="the two ingredients' ids, in the same order as drugs",
        min_length=2,
        max_length=2,
    )
    inputs: list[list[int]] = Field(
        description=(
            "for each of the two drugs, the positions (0-based, in the order sent) of the "
            "medicines it came from; a combination product can be on both sides"
        ),
        min_length=2,
        max_length=2,
    )


class SourceOut(Schema):
    name: str
    key: str
    version: str
    licence: str


class CheckOut(Schema):
    drugs: list[DrugOut]
    findings: list[FindingOut]
    sources_checked: list[SourceOut]
    message: str = Field(
        description="Says which sources were checked when nothing was found; never 'safe'."
    )
    knowledge_base_version: int


class Problem(Schema):
    detail: str


@router.post(
    "/check",
    response={200: CheckOut, 400: Problem, 422: Problem},
    summary="Check a medication list for interactions",
)
def check(request: HttpRequest, payload: CheckIn):
    """Resolve every name, then report every interaction and duplication among them, most severe
    first, with each source's rating. Unrecognised names are listed with suggestions."""
    # result_json already gives CheckOut's exact shape (a test validates real responses
    # against it), so it is serialised directly instead of being re-validated field by field.
    body = json.dumps(result_json(get_checker().check(payload.drugs)), ensure_ascii=False)
    return HttpResponse(body, content_type="application/json")


class DrugNameOut(Schema):
    name: str
    ingredient: str
    ingredient_slug: str
    match: str


class AutocompleteQuery(Schema):
    q: str = Field(
        ..., min_length=1, max_length=MAX_NAME_LENGTH, description="What the user has typed so far"
    )


@router.get(
    "/drugs", response={200: list[DrugNameOut], 422: Problem}, summary="Autocomplete drug names"
)
def drugs(request: HttpRequest, query: Query[AutocompleteQuery]):
    """The best 10 names starting with (or, failing that, close to) what was typed."""
    index = get_checker().index()
    return autocomplete(index, query.q)


def autocomplete(index, text: str, limit: int = 10) -> list[dict]:
    key = normalize(text)
    if not key:
        return []
    names = index.names
    hits: list[tuple[tuple, str, tuple[int, ...], str]] = [
        ((i,), m.display, m.ingredient_ids, m.kind)
        for i, m in enumerate(names.completions(key, limit * 5))
    ]
    if not hits:
        found = names.resolve(text)
        suggestions = [] if found.resolved else found.suggestions
        if found.resolved:
            hits.append(((0,), found.matched_name, found.ingredient_ids, found.matched_by))
        return [
            {"name": s, "ingredient": s, "ingredient_slug": "", "match": "suggestion"}
            for s in suggestions
        ] + [_drug_name(index, display, ids, kind) for _k, display, ids, kind in hits]
    hits.sort(key=lambda h: h[0])
    out, seen = [], set()
    for _k, display, ids, kind in hits:
        if (display.casefold(), ids) in seen:
            continue
        seen.add((display.casefold(), ids))
        out.append(_drug_name(index, display, ids, kind))
        if len(out) == limit:
            break
    return out


def _drug_name(index, display: str, ids: tuple[int, ...], kind: str) -> dict:
    return {
        "name": display,
        "ingredient": " + ".join(index.ingredients[i][1] for i in ids),
        "ingredient_slug": "-and-".join(index.ingredients[i][0] for i in ids),
        "match": kind,
    }
