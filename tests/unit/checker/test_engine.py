"""The checker engine on a small in-memory snapshot: no database, no Django models.

Every test builds its own `Index` from plain `Rule`s, so what is asserted is the engine's own
logic: how two ingredients are matched (directly, ingredient to class, class to class), which rule
sets the headline (ADR 0004: the most severe of all matching rules, unless a more specific curated
rule explicitly overrides a broader one), what a finding lists, and what a check reports besides
its findings. The drugs are real; the rules are test data, not clinical content.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import combinations
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medref.checker.engine import (
    Checker,
    CheckResult,
    ClassInfo,
    Finding,
    Index,
    Rule,
    Snapshot,
    SourceInfo,
    check,
    pair_finding,
)
from medref.checker.present import explanation, message
from medref.domain.severity import Severity
from medref.domain.sides import class_side, ingredient_side
from medref.domain.sources import ANSM, CURATED, DDINTER
from medref.vocab.normalize import normalize
from medref.vocab.resolve import NameIndex

# --- the snapshot ------------------------------------------------------------------------------

SIMVASTATIN, ATORVASTATIN, CLARITHROMYCIN, HALOPERIDOL, CITALOPRAM, AMLODIPINE = 1, 2, 3, 4, 5, 6
INGREDIENTS = {
    SIMVASTATIN: ("simvastatin", "simvastatin"),
    ATORVASTATIN: ("atorvastatin", "atorvastatin"),
    CLARITHROMYCIN: ("clarithromycin", "clarithromycin"),
    HALOPERIDOL: ("haloperidol", "haloperidol"),
    CITALOPRAM: ("citalopram", "citalopram"),
    AMLODIPINE: ("amlodipine", "amlodipine"),
}
STATINS_ID, QT_ID = 1, 2
CLASSES = {
    # Statins are a duplication class (two statins on one list is usually a mistake); the QT class
    # is not, so only a rule can pair its members.
    STATINS_ID: ClassInfo(STATINS_ID, "statins", "statins", duplication=True),
    QT_ID: ClassInfo(QT_ID, "qt-prolonging-drugs", "QT-prolonging drugs", duplication=False),
}
MEMBERSHIPS = {
    SIMVASTATIN: (STATINS_ID,),
    ATORVASTATIN: (STATINS_ID,),
    CLARITHROMYCIN: (QT_ID,),
    HALOPERIDOL: (QT_ID,),
    CITALOPRAM: (QT_ID,),
}
BRANDS = {"Zocor": SIMVASTATIN, "Lipitor": ATORVASTATIN, "Klaricid": CLARITHROMYCIN}
# Caduet is one tablet of amlodipine and atorvastatin.
PRODUCTS = {"Caduet": (AMLODIPINE, ATORVASTATIN)}
SOURCES = {
    CURATED: SourceInfo(CURATED, "medref curated monographs", "2026-11", "CC-BY-4.0"),
    DDINTER: SourceInfo(DDINTER, "DDInter", "2.0", "CC-BY-NC-SA-4.0"),
    ANSM: SourceInfo(ANSM, "ANSM thesaurus", "2020-01", "Licence Ouverte 2.0"),
}

SIMVA, ATORVA, CLARI = (ingredient_side(i) for i in (SIMVASTATIN, ATORVASTATIN, CLARITHROMYCIN))
HALO, CITALO, AMLO = (ingredient_side(i) for i in (HALOPERIDOL, CITALOPRAM, AMLODIPINE))
STATINS, QT = class_side(STATINS_ID), class_side(QT_ID)


def rule(source: str, a: int, b: int, severity: Severity, **fields: Any) -> Rule:
    """A rule with a placeholder id; `make_snapshot` numbers the rules in the order given."""
    return Rule(id=0, source=source, a=a, b=b, severity=severity, **fields)


def name_index() -> NameIndex:
    names = [(i, name, normalize(name), "inn") for i, (_, name) in INGREDIENTS.items()]
    names += [(i, brand, normalize(brand), "brand") for brand, i in BRANDS.items()]
    return NameIndex.build(
        ingredients=[(i, name) for i, (_, name) in INGREDIENTS.items()],
        names=names,
        products=[(name, normalize(name), ids) for name, ids in PRODUCTS.items()],
    )


def make_snapshot(*rules: Rule, stamp: str = "test") -> Snapshot:
    return Snapshot(
        version=1,
        stamp=stamp,
        ingredients=INGREDIENTS,
        classes=CLASSES,
        memberships=MEMBERSHIPS,
        rules=[replace(r, id=n) for n, r in enumerate(rules, start=1)],
        sources=SOURCES,
        names=name_index(),
    )


def make_index(*rules: Rule) -> Index:
    """A fresh index (empty memos, empty name cache) over the snapshot above and these rules."""
    return Index(make_snapshot(*rules))


def interactions(result: CheckResult) -> list[Finding]:
    return [f for f in result.findings if f.kind == "interaction"]


def only_interaction(result: CheckResult) -> Finding:
    found = interactions(result)
    assert len(found) == 1, [f.drugs for f in found]
    return found[0]


# A small knowledge base with every kind of match, used where the tests need a realistic mix.
QT_OVERRIDE_REASON = "test data: the pair's own rule was judged to replace the class rule"
KNOWLEDGE_BASE = (
    rule(CURATED, SIMVA, CLARI, Severity.CONTRAINDICATED, mechanism="CYP3A4 inhibition"),
    rule(DDINTER, SIMVA, CLARI, Severity.MAJOR),
    rule(ANSM, STATINS, CLARI, Severity.MAJOR, mechanism="statin exposure rises"),
    rule(ANSM, QT, QT, Severity.MAJOR, mechanism="additive QT prolongation"),
    rule(CURATED, CLARI, HALO, Severity.MODERATE, review_status="reviewed", mechanism="narrow"),
    rule(
        CURATED,
        CITALO,
        HALO,
        Severity.MODERATE,
        mechanism="narrow",
        overrides=(((QT, QT), QT_OVERRIDE_REASON),),
    ),
    rule(DDINTER, AMLO, SIMVA, Severity.MODERATE),
    rule(DDINTER, AMLO, ATORVA, Severity.MINOR),
)


# --- how a pair matches ----------------------------------------------------------------------


def test_check_direct_rule_matches_the_two_ingredients():
    index = make_index(rule(CURATED, SIMVA, CLARI, Severity.CONTRAINDICATED))

    finding = only_interaction(check(index, ["simvastatin", "clarithromycin"]))

    assert finding.drugs == ("clarithromycin", "simvastatin")
    assert finding.severity is Severity.CONTRAINDICATED
    assert [s.via for s in finding.sources] == ["direct"]


def test_check_ingredient_class_rule_matches_a_member_of_the_class():
    index = make_index(rule(ANSM, STATINS, CLARI, Severity.MAJOR))

    finding = only_interaction(check(index, ["Lipitor", "clarithromycin"]))

    assert finding.drugs == ("atorvastatin", "clarithromycin")
    assert finding.severity is Severity.MAJOR
    assert finding.sources[0].via == (
        "atorvastatin belongs to statins (class rule: statins + clarithromycin)"
    )


def test_check_ingredient_class_rule_ignores_a_non_member():
    index = make_index(rule(ANSM, STATINS, CLARI, Severity.MAJOR))

    result = check(index, ["amlodipine", "clarithromycin"])

    assert result.findings == ()


def test_check_class_class_rule_matches_members_of_both_sides_once():
    index = make_index(rule(ANSM, QT, QT, Severity.MAJOR))

    finding = only_interaction(check(index, ["haloperidol", "citalopram"]))

    assert finding.drugs == ("citalopram", "haloperidol")
    assert finding.severity is Severity.MAJOR
    assert len(finding.sources) == 1  # one rule, although both sides of the pair match it
    assert "haloperidol belongs to QT-prolonging drugs" in finding.sources[0].via
    assert "citalopram belongs to QT-prolonging drugs" in finding.sources[0].via


# --- which rule sets the headline (ADR 0004) ---------------------------------------------------


@pytest.mark.parametrize(
    "milder",
    [
        pytest.param(
            rule(CURATED, CLARI, HALO, Severity.MODERATE, review_status="reviewed", mechanism="m"),
            id="reviewed-curated",
        ),
        pytest.param(rule(ANSM, CLARI, HALO, Severity.MODERATE, mechanism="m"), id="same-source"),
    ],
)
def test_check_most_severe_rule_wins_over_a_milder_more_specific_one(milder):
    broad = rule(ANSM, QT, QT, Severity.MAJOR, mechanism="additive QT prolongation")
    index = make_index(milder, broad)

    finding = only_interaction(check(index, ["clarithromycin", "haloperidol"]))

    assert finding.severity is Severity.MAJOR
    assert finding.mechanism == "additive QT prolongation"  # text from a rule of that severity
    assert [(s.key, s.severity) for s in finding.sources] == [
        (ANSM, Severity.MAJOR),
        (milder.source, Severity.MODERATE),
    ]
    assert not any(s.overridden_by for s in finding.sources)


def test_check_explicit_override_replaces_the_broader_rule_and_says_why():
    reason = "test data: reviewers judged the class rule too broad for this pair"
    narrow = rule(
        CURATED,
        CLARI,
        HALO,
        Severity.MODERATE,
        mechanism="narrow text",
        overrides=(((QT, QT), reason),),
    )
    index = make_index(rule(ANSM, QT, QT, Severity.MAJOR, mechanism="broad text"), narrow)

    finding = only_interaction(check(index, ["clarithromycin", "haloperidol"]))

    assert finding.severity is Severity.MODERATE
    assert finding.mechanism == "narrow text"
    replaced = [s for s in finding.sources if s.key == ANSM]
    assert len(replaced) == 1
    assert replaced[0].severity is Severity.MAJOR  # still shown with its own rating
    assert replaced[0].overridden_by == (
        f"replaced by the more specific rule clarithromycin + haloperidol: {reason}"
    )
    assert finding.sources[-1] is replaced[0]  # set-aside rules come after the ones that apply


def test_check_override_names_an_ingredient_class_rule_in_either_order():
    broad = rule(ANSM, STATINS, CLARI, Severity.MAJOR)
    narrow = rule(
        CURATED, ATORVA, CLARI, Severity.MODERATE, overrides=(((CLARI, STATINS), "reason"),)
    )
    index = make_index(broad, narrow)

    finding = only_interaction(check(index, ["atorvastatin", "clarithromycin"]))

    assert finding.severity is Severity.MODERATE
    assert [bool(s.overridden_by) for s in finding.sources] == [False, True]


@pytest.mark.parametrize(
    ("overriding", "named"),
    [
        pytest.param(
            rule(DDINTER, CLARI, HALO, Severity.MODERATE, overrides=(((QT, QT), "r"),)),
            rule(ANSM, QT, QT, Severity.MAJOR),
            id="non-curated-rule",
        ),
        pytest.param(
            rule(CURATED, QT, QT, Severity.MODERATE, overrides=(((CLARI, HALO), "r"),)),
            rule(ANSM, CLARI, HALO, Severity.MAJOR),
            id="less-specific-curated-rule",
        ),
        pytest.param(
            rule(CURATED, CLARI, HALO, Severity.MODERATE, overrides=(((CLARI, HALO), "r"),)),
            rule(DDINTER, CLARI, HALO, Severity.MAJOR),
            id="equally-specific-curated-rule",
        ),
    ],
)
def test_check_override_by_a_non_curated_or_not_more_specific_rule_is_ignored(overriding, named):
    index = make_index(overriding, named)

    finding = only_interaction(check(index, ["clarithromycin", "haloperidol"]))

    assert finding.severity is Severity.MAJOR
    assert len(finding.sources) == 2
    assert not any(s.overridden_by for s in finding.sources)


def test_check_lists_every_matching_rule_most_severe_first():
    index = make_index(*KNOWLEDGE_BASE)

    finding = only_interaction(check(index, ["Zocor", "Klaricid"]))

    assert finding.severity is Severity.CONTRAINDICATED
    assert [(s.key, s.severity, s.via) for s in finding.sources] == [
        (CURATED, Severity.CONTRAINDICATED, "direct"),
        (
            ANSM,
            Severity.MAJOR,
            "simvastatin belongs to statins (class rule: statins + clarithromycin)",
        ),
        (DDINTER, Severity.MAJOR, "direct"),
    ]
    assert finding.sources_disagree


# --- what a check reports besides the ratings --------------------------------------------------


def test_check_combination_product_does_not_pair_its_own_ingredients():
    index = make_index(rule(DDINTER, AMLO, ATORVA, Severity.MINOR))

    alone = check(index, ["Caduet"])
    separate = check(index, ["amlodipine", "atorvastatin"])

    assert set(alone.drugs[0].ingredients) == {"amlodipine", "atorvastatin"}
    assert alone.findings == ()
    assert only_interaction(separate).drugs == ("amlodipine", "atorvastatin")


def test_check_same_ingredient_from_two_inputs_is_a_duplication():
    index = make_index()

    result = check(index, ["Zocor", "simvastatin"])

    assert [(f.kind, f.drugs, f.severity) for f in result.findings] == [
        ("duplication", ("simvastatin", "simvastatin"), Severity.MAJOR)
    ]
    assert "Zocor \u2192 simvastatin (brand)" in explanation(result, result.findings[0])


def test_check_two_members_of_a_duplication_class_is_a_duplication():
    index = make_index()

    statins = check(index, ["simvastatin", "Lipitor"])
    qt_drugs = check(index, ["haloperidol", "citalopram"])

    assert [(f.kind, f.drugs, f.severity) for f in statins.findings] == [
        ("duplication", ("atorvastatin", "simvastatin"), Severity.MODERATE)
    ]
    assert "statins" in statins.findings[0].summary
    assert qt_drugs.findings == ()  # the QT class is not a duplication class


def test_check_unknown_name_is_reported_with_suggestions_not_dropped():
    index = make_index(*KNOWLEDGE_BASE)

    result = check(index, ["simvastatin", "simva", "qwertyuiop"])

    assert [d.input for d in result.drugs] == ["simvastatin", "simva", "qwertyuiop"]
    unknown = [d for d in result.drugs if not d.resolution.resolved]
    assert [d.input for d in unknown] == ["simva", "qwertyuiop"]
    assert all(d.ingredients == () for d in unknown)
    assert "simvastatin" in unknown[0].resolution.suggestions
    assert "not recognised: simva, qwertyuiop." in message(result)


def test_check_without_findings_names_the_sources_checked():
    index = make_index(*KNOWLEDGE_BASE)

    result = check(index, ["amlodipine", "haloperidol"])

    assert result.findings == ()
    for source in SOURCES.values():
        assert f"{source.name} ({source.version})" in message(result)
    assert "does not mean the combination is safe" in message(result)


def test_pair_finding_agrees_with_check_for_every_pair():
    for x, y in combinations(sorted(INGREDIENTS), 2):
        names = [INGREDIENTS[x][1], INGREDIENTS[y][1]]
        # Fresh indexes, so neither answer can come from the other's memo.
        checked = interactions(check(make_index(*KNOWLEDGE_BASE), names))

        for a, b in ((x, y), (y, x)):
            alone = pair_finding(make_index(*KNOWLEDGE_BASE), a, b)

            assert checked == ([alone] if alone is not None else []), names


def test_checker_index_is_never_none_after_a_concurrent_reset():
    class ResettingRepository:
        """Calls reset() from inside version(), exactly where another thread's reset() would
        land, so the interleaving is deterministic."""

        def __init__(self) -> None:
            self.stamp = "v1"
            self.checker: Checker | None = None

        def version(self) -> str:
            if self.stamp == "v2" and self.checker is not None:
                self.checker.reset()
            return self.stamp

        def load(self) -> Snapshot:
            return make_snapshot(stamp=self.stamp)

    repository = ResettingRepository()
    checker = Checker(repository, recheck_seconds=0.0, background_rebuild=False)
    repository.checker = checker
    checker.index()
    repository.stamp = "v2"

    assert checker.index() is not None


# --- properties --------------------------------------------------------------------------------

SINGLE_NAMES = [
    "simvastatin",
    "Zocor",
    "atorvastatin",
    "Lipitor",
    "clarithromycin",
    "Klaricid",
    "haloperidol",
    "citalopram",
    "amlodipine",
    "qwertyuiop",  # unknown: reported, never paired
]
ALL_NAMES = [*SINGLE_NAMES, "Caduet"]


def answer(result: CheckResult) -> list[tuple[object, ...]]:
    """What the property tests compare: each finding's pair and severity, and every source's
    rating of it. Input positions and wording about the inputs may legitimately differ."""
    return [
        (
            f.kind,
            f.drugs,
            f.severity,
            tuple((s.key, s.severity, s.overridden_by) for s in f.sources),
        )
        for f in result.findings
    ]


# Each example builds two small indexes; deadline=None because a loaded CI machine must not turn
# a slow example into a failure (tests assert behaviour, never timing).
@settings(deadline=None)
@given(
    st.lists(st.sampled_from(ALL_NAMES), min_size=1, max_size=6).flatmap(
        lambda names: st.tuples(st.just(names), st.permutations(names))
    )
)
def test_check_answer_does_not_depend_on_input_order(lists):
    names, shuffled = lists

    first = check(make_index(*KNOWLEDGE_BASE), names)
    second = check(make_index(*KNOWLEDGE_BASE), shuffled)

    assert answer(first) == answer(second)


@settings(deadline=None)
@given(
    names=st.lists(st.sampled_from(ALL_NAMES), max_size=5),
    repeated=st.sampled_from(SINGLE_NAMES),
    data=st.data(),
)
def test_check_answer_does_not_depend_on_repeating_a_name(names, repeated, data):
    """Naming a medicine twice changes nothing but the double-dose warning for its ingredient.
    The repeated name is a single-ingredient one: a repeated combination product is the known
    exception tested below."""
    once = [*names, repeated]
    twice = list(once)
    twice.insert(data.draw(st.integers(0, len(once)), label="position"), repeated)

    first = check(make_index(*KNOWLEDGE_BASE), once)
    second = check(make_index(*KNOWLEDGE_BASE), twice)

    def double_doses(result: CheckResult) -> set[str]:
        return {
            f.drugs[0]
            for f in result.findings
            if f.kind == "duplication" and f.drugs[0] == f.drugs[1]
        }

    def the_rest(result: CheckResult) -> list[tuple[object, ...]]:
        return [a for a in answer(result) if not (a[0] == "duplication" and a[1][0] == a[1][1])]

    assert the_rest(second) == the_rest(first)
    assert double_doses(second) == double_doses(first) | set(first.drugs[-1].ingredients)


def test_check_repeated_combination_product_does_not_pair_its_own_ingredients():
    index = make_index(rule(DDINTER, AMLO, ATORVA, Severity.MINOR))

    result = check(index, ["Caduet", "Caduet"])

    assert interactions(result) == []


# --- which ingredients and which inputs a finding came from ------------------------------------


def sides(result: CheckResult) -> dict[tuple[str, tuple[str, str]], tuple[object, ...]]:
    """Each finding's ingredient ids and the input positions of each side, by kind and pair."""
    return {(f.kind, f.drugs): (f.ingredient_ids, result.positions(f)) for f in result.findings}


def test_finding_ingredient_ids_follow_the_order_of_its_drugs():
    index = make_index(rule(CURATED, SIMVA, CLARI, Severity.MAJOR))

    result = check(index, ["Zocor", "Klaricid"])
    alone = pair_finding(index, SIMVASTATIN, CLARITHROMYCIN)

    assert sides(result) == {
        (
            "interaction",
            ("clarithromycin", "simvastatin"),
        ): ((CLARITHROMYCIN, SIMVASTATIN), ((1,), (0,)))
    }
    assert alone is not None and alone.ingredient_ids == (CLARITHROMYCIN, SIMVASTATIN)
    assert [d.ingredient_ids for d in result.drugs] == [(SIMVASTATIN,), (CLARITHROMYCIN,)]


def test_finding_positions_put_a_combination_product_on_each_side_it_holds():
    index = make_index(*KNOWLEDGE_BASE)

    result = check(index, ["Caduet", "simvastatin", "amlodipine"])

    assert sides(result) == {
        ("interaction", ("amlodipine", "atorvastatin")): (
            (AMLODIPINE, ATORVASTATIN),
            ((0, 2), (0,)),
        ),
        ("interaction", ("amlodipine", "simvastatin")): (
            (AMLODIPINE, SIMVASTATIN),
            ((0, 2), (1,)),
        ),
        ("duplication", ("amlodipine", "amlodipine")): ((AMLODIPINE, AMLODIPINE), ((0, 2), (0, 2))),
        ("duplication", ("atorvastatin", "simvastatin")): (
            (ATORVASTATIN, SIMVASTATIN),
            ((0,), (1,)),
        ),
    }
    assert set(result.drugs[0].ingredient_ids) == set(PRODUCTS["Caduet"])


def test_finding_positions_list_every_input_naming_the_same_ingredient():
    index = make_index(*KNOWLEDGE_BASE)

    result = check(index, ["Zocor", "clarithromycin", "simvastatin"])

    found = sides(result)
    assert found[("interaction", ("clarithromycin", "simvastatin"))] == (
        (CLARITHROMYCIN, SIMVASTATIN),
        ((1,), (0, 2)),
    )
    assert found[("duplication", ("simvastatin", "simvastatin"))] == (
        (SIMVASTATIN, SIMVASTATIN),
        ((0, 2), (0, 2)),
    )


def test_finding_positions_belong_to_each_check_not_to_the_shared_finding():
    index = make_index(*KNOWLEDGE_BASE)

    first = check(index, ["simvastatin", "clarithromycin"])
    second = check(index, ["haloperidol", "clarithromycin", "amlodipine", "Zocor"])
    shared = only_interaction(first)

    assert shared in second.findings  # the memoised finding, reused by the second check
    assert first.positions(shared) == ((1,), (0,))
    assert second.positions(shared) == ((1,), (3,))


@settings(deadline=None)
@given(
    st.lists(st.sampled_from(ALL_NAMES), min_size=1, max_size=6).flatmap(
        lambda names: st.tuples(st.just(names), st.permutations(names))
    )
)
def test_finding_positions_follow_the_inputs_when_their_order_changes(lists):
    names, shuffled = lists
    index = make_index(*KNOWLEDGE_BASE)

    first = check(index, names)
    second = check(index, shuffled)

    def named(result: CheckResult, inputs: list[str]) -> dict[object, object]:
        # What each side points at, as the names typed: the same whatever their order.
        return {
            (f.kind, f.drugs, f.ingredient_ids): [
                sorted(inputs[p] for p in side) for side in result.positions(f)
            ]
            for f in result.findings
        }

    assert named(first, names) == named(second, shuffled)
    for f in first.findings:
        for ingredient_id, side in zip(f.ingredient_ids, first.positions(f), strict=True):
            holders = [p for p, d in enumerate(first.drugs) if ingredient_id in d.ingredient_ids]
            assert list(side) == holders
