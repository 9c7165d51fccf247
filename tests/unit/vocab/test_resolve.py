"""Name resolution with real names: every category the knowledge-base issue lists."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medref.vocab.loader import load_name_index
from medref.vocab.normalize import normalize

pytestmark = pytest.mark.django_db


@pytest.fixture
def index(fixture_content):
    return load_name_index()


def names_of(index, text):
    found = index.resolve(text)
    return found, sorted(index.ingredient_names[i] for i in found.ingredient_ids)


@pytest.mark.parametrize(
    ("text", "expected", "matched_by"),
    [
        ("warfarin", ["warfarin"], "inn"),
        ("  WARFARIN ", ["warfarin"], "inn"),
        ("Coumadin", ["warfarin"], "brand"),
        ("Marevan", ["warfarin"], "brand"),
        ("Losec", ["omeprazole"], "brand"),
        ("Prilosec", ["omeprazole"], "brand"),
        ("Tysabri\u00ae", ["natalizumab"], "brand"),
        ("acetaminophen", ["paracetamol"], "us"),
        ("adrenaline", ["epinephrine"], "uk"),
        ("cyclosporine", ["ciclosporin"], "us"),
        ("nitroglycerin", ["glyceryl trinitrate"], "us"),
        ("rifampin", ["rifampicin"], "us"),
        ("metformin hydrochloride", ["metformin"], "salt"),
        ("atorvastatin calcium", ["atorvastatin"], "salt"),
        ("SIMVASTATIN 40 MG Oral Tablet", ["simvastatin"], "product-string"),
        ("simvastatin 40 MG Oral Tablet [Zocor]", ["simvastatin"], "product-string"),
        ("Amlodipine 5mg tablets", ["amlodipine"], "product-string"),
        ("Co-codamol", ["codeine", "paracetamol"], "product"),
        ("Co-codamol 30mg/500mg tablets", ["codeine", "paracetamol"], "product-string"),
        (
            "acetaminophen 300 MG / codeine phosphate 30 MG Oral Tablet",
            ["codeine", "paracetamol"],
            "product-string",
        ),
        ("paracetamol + codeine", ["codeine", "paracetamol"], "combination"),
        ("warfrin", ["warfarin"], "misspelling"),
        ("simvastatn", ["simvastatin"], "fuzzy"),
        ("clarithromycine", ["clarithromycin"], "fuzzy"),
    ],
)
def test_resolve_known_name_categories(index, text, expected, matched_by):
    found, names = names_of(index, text)
    assert found.resolved, found
    assert names == expected
    assert found.matched_by == matched_by


def test_resolve_unknown_name_is_reported_with_suggestions(index):
    found = index.resolve("sertralene")
    assert found.resolved is False or found.matched_by == "fuzzy"
    found = index.resolve("ocrel")
    assert found.resolved is False
    assert found.note
    assert 0 < len(found.suggestions) <= 5
    assert any("ocrelizumab" in s for s in found.suggestions)


def test_resolve_ambiguous_fuzzy_match_is_not_accepted(index):
    # Equally close to two different medicines: never guess.
    found = index.resolve("zzzzzzzz")
    assert found.resolved is False
    assert found.ingredient_ids == ()


def test_resolve_empty_input_is_unresolved_not_dropped(index):
    found = index.resolve("   ")
    assert found.resolved is False
    assert found.input == "   "


@settings(
    max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
@given(data=st.data())
def test_resolve_is_case_and_whitespace_insensitive(index, data):
    key = data.draw(st.sampled_from(sorted(index.exact)))
    display = index.exact[key][0].display
    flips = data.draw(st.lists(st.booleans(), min_size=len(display), max_size=len(display)))
    varied = "".join(c.upper() if f else c.lower() for c, f in zip(display, flips, strict=True))
    padded = (
        data.draw(st.sampled_from(["", " ", "\t", "  "]))
        + varied.replace(" ", data.draw(st.sampled_from([" ", "  ", " \t"])))
        + data.draw(st.sampled_from(["", " ", "\n"]))
    )
    assert index.resolve(padded).ingredient_ids == index.resolve(display).ingredient_ids


def test_normalize_folds_accents_case_and_marks():
    assert normalize("  Thésaurus\u2122  ") == "thesaurus"
    assert normalize("St John's Wort") == normalize("st johns wort")
    assert normalize("Co-codamol") == "co codamol"
