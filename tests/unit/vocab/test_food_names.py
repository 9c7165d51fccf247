"""The bundled content's foods, drinks and herbal products resolve by the names people type
("grapefruit" is grapefruit juice, never a fuzzy match of another product). Built from the content
files without a database, so it stays fast."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from medref.content.load import _names_of
from medref.content.schema import DrugEntry
from medref.vocab.normalize import normalize
from medref.vocab.resolve import NameIndex

CONTENT = Path(__file__).resolve().parents[3] / "content"
# libyaml's loader reads the 1,400 entries about ten times faster than the pure-Python one.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@pytest.fixture(scope="module")
def entries() -> list[DrugEntry]:
    out = []
    for path in sorted((CONTENT / "drugs").glob("*.yaml")):
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=LOADER) or []
        out.extend(DrugEntry.parse(e, path) for e in raw)
    return out


@pytest.fixture(scope="module")
def index(entries) -> NameIndex:
    ids = {e.slug: i for i, e in enumerate(entries, start=1)}
    products = yaml.load((CONTENT / "products.yaml").read_text(encoding="utf-8"), Loader=LOADER)
    return NameIndex.build(
        ingredients=[(ids[e.slug], e.name) for e in entries],
        names=[
            (ids[e.slug], display, normalize(display), kind)
            for e in entries
            for display, kind, _country in _names_of(e)
        ],
        products=[
            (p["name"], normalize(p["name"]), tuple(ids[s] for s in p["ingredients"]))
            for p in products
        ],
    )


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("grapefruit", ["grapefruit juice"]),
        ("Grapefruit", ["grapefruit juice"]),
        ("alcohol", ["alcohol"]),
        ("ethanol", ["alcohol"]),
        ("beer", ["alcohol"]),
        ("wine", ["alcohol"]),
        ("coffee", ["caffeine"]),
        ("tea", ["caffeine"]),
        ("hypericum", ["St John's wort"]),
        ("St John's wort", ["St John's wort"]),
        ("licorice", ["liquorice"]),
        ("cranberry juice", ["cranberry"]),
        ("cheese", ["dairy products", "tyramine-rich food"]),
        ("red wine", ["alcohol", "tyramine-rich food"]),
        ("Marmite", ["tyramine-rich food"]),
    ],
)
def test_food_names_resolve_exactly(index, typed, expected):
    found = index.resolve(typed)
    assert found.resolved and found.matched_by != "fuzzy", found
    assert sorted(index.ingredient_names[i] for i in found.ingredient_ids) == expected


def test_st_johns_wort_is_one_ingredient(entries):
    """One drug is one thing: the herbal is not entered twice under another name."""
    hits = [
        e.slug
        for e in entries
        for display, _kind, _country in _names_of(e)
        if normalize(display) in {normalize("hypericum"), normalize("St John's wort")}
    ]
    assert set(hits) == {"st-johns-wort"}


def test_foods_drinks_and_herbals_have_their_kind(entries):
    kinds = {e.slug: e.kind for e in entries}
    assert kinds["grapefruit-juice"] == kinds["alcohol"] == kinds["caffeine"] == "drink"
    assert kinds["tyramine-rich-food"] == kinds["liquorice"] == kinds["cranberry"] == "food"
    assert kinds["st-johns-wort"] == "herbal"
    assert kinds["simvastatin"] == "medicine"
