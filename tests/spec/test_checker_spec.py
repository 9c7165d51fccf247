"""Checker behaviour as tables: a drug list in, findings out. Runs on every database backend."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medref.checker import present

pytestmark = pytest.mark.django_db

# (drug list, expected findings as (kind, drug, drug, severity))
CASES = [
    pytest.param(
        ["Tysabri", "Ocrevus"],
        {("interaction", "natalizumab", "ocrelizumab", "major")},
        id="brands",
    ),
    pytest.param(
        ["Marevan", "aspirin"], {("interaction", "aspirin", "warfarin", "major")}, id="uk-brand"
    ),
    pytest.param(["adrenaline", "warfarin"], set(), id="uk-name-no-finding"),
    pytest.param(
        ["SIMVASTATIN 40 MG Oral Tablet", "Klaricid"],
        {("interaction", "clarithromycin", "simvastatin", "contraindicated")},
        id="product-string-and-class-rule",
    ),
    pytest.param(
        ["warfarin", "Advil"],
        {("interaction", "ibuprofen", "warfarin", "major")},
        id="class-class-rule",
    ),
    pytest.param(
        ["Co-codamol", "warfarin"],
        {("interaction", "paracetamol", "warfarin", "moderate")},
        id="combination-product",
    ),
    pytest.param(
        ["Tylenol", "Co-codamol"],
        {("duplication", "paracetamol", "paracetamol", "major")},
        id="same-ingredient-duplication",
    ),
    pytest.param(
        ["ibuprofen", "Aleve"],
        {("duplication", "ibuprofen", "naproxen", "moderate")},
        id="class-duplication",
    ),
    pytest.param(
        ["Zoloft", "Prozac"],
        {("duplication", "fluoxetine", "sertraline", "moderate")},
        id="ssri-duplication",
    ),
    pytest.param(
        ["GTN", "Viagra"],
        {("interaction", "glyceryl trinitrate", "sildenafil", "contraindicated")},
        id="nitrate-pde5",
    ),
    pytest.param(
        ["Losec", "Glucophage"], {("interaction", "metformin", "omeprazole", "minor")}, id="minor"
    ),
    pytest.param(
        ["sertraline", "amlodipine"],
        {("interaction", "amlodipine", "sertraline", "unknown")},
        id="unknown-level",
    ),
    pytest.param(["Co-codamol"], set(), id="within-one-product-not-reported"),
]


def found(result) -> set[tuple]:
    return {(f.kind, *f.drugs, f.severity.value) for f in result.findings}


@pytest.mark.parametrize(("drugs", "expected"), CASES)
def test_check_spec(checker, drugs, expected):
    assert found(checker.check(drugs)) == expected


def test_check_unresolved_name_is_listed_with_suggestions(checker):
    result = checker.check(["warfarin", "ocrel"])
    unresolved = [d for d in result.drugs if not d.resolution.resolved]
    assert [d.input for d in unresolved] == ["ocrel"]
    assert unresolved[0].resolution.suggestions
    assert "ocrel" in present.message(result)


def test_check_no_finding_names_sources_and_never_says_safe(checker):
    result = checker.check(["adrenaline", "warfarin"])
    assert result.findings == ()
    assert "No interaction recorded in: medref curated content" in present.message(result)
    assert "does not mean the combination is safe" in present.message(result)


def test_check_explains_class_rule_and_brand(checker):
    result = checker.check(["Zocor", "clarithromycin"])
    (finding,) = result.findings
    assert "Zocor \u2192 simvastatin (brand)" in present.explanation(result, finding)
    assert "clarithromycin belongs to Strong CYP3A4 inhibitors" in present.explanation(
        result, finding
    )
    assert present.result_json(result)["findings"][0]["explanation"] == present.explanation(
        result, finding
    )


def test_check_sources_that_disagree_are_flagged(checker, fixture_content):

    from medref.knowledge.models import Interaction, KnowledgeBaseState
    from medref.sources.models import Source
    from medref.vocab.models import Ingredient

    other = Source.objects.create(key="test-other", name="Other source", version="1", licence="CC0")
    warfarin, aspirin = (
        Ingredient.objects.get(slug="warfarin"),
        Ingredient.objects.get(slug="aspirin"),
    )
    row = Interaction(
        source=other, a_ingredient=warfarin, b_ingredient=aspirin, severity="moderate"
    )
    row.pair_key = row.compute_pair_key()
    row.save()
    KnowledgeBaseState.bump()
    checker.reset()
    (finding,) = checker.check(["warfarin", "aspirin"]).findings
    assert finding.sources_disagree is True
    assert {(s.key, s.severity.value) for s in finding.sources} == {
        ("medref-curated", "major"),
        ("test-other", "moderate"),
    }
    assert finding.severity.value == "major"  # no reviewed curated entry: the most severe wins


def test_check_findings_sorted_by_severity_then_name(checker):
    result = checker.check(["Zocor", "clarithromycin", "Losec", "Glucophage", "Tysabri", "Ocrevus"])
    ranks = [f.severity.rank for f in result.findings]
    assert ranks == sorted(ranks, reverse=True)
    assert [f.severity.value for f in result.findings] == ["contraindicated", "major", "minor"]


@settings(
    max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
@given(seed=st.integers(min_value=0, max_value=10_000))
def test_check_shuffling_input_never_changes_findings(checker, seed):
    drugs = [
        "Zocor",
        "clarithromycin",
        "Tylenol",
        "Co-codamol",
        "warfarin",
        "Advil",
        "Aleve",
        "Tysabri",
        "Ocrevus",
        "GTN",
        "Viagra",
        "Zoloft",
        "Prozac",
        "ocrel",
    ]
    shuffled = drugs[:]
    random.Random(seed).shuffle(shuffled)
    a, b = checker.check(drugs), checker.check(shuffled)

    def findings(result, inputs):
        # Positions differ with the order; the inputs they point at must not.
        out = present.result_json(result)["findings"]
        for f in out:
            f["inputs"] = [sorted(inputs[i] for i in side) for side in f["inputs"]]
        return out

    assert findings(a, drugs) == findings(b, shuffled)


def test_checker_rebuilds_its_index_when_the_knowledge_base_changes(checker):
    from medref.knowledge.models import Interaction, KnowledgeBaseState
    from medref.sources.models import Source
    from medref.vocab.models import Ingredient

    checker.recheck_seconds = 0  # look at the version on every call
    before = checker.index()
    assert found(checker.check(["adrenaline", "warfarin"])) == set()
    source = Source.objects.get(key="medref-curated")
    row = Interaction(
        source=source,
        a_ingredient=Ingredient.objects.get(slug="epinephrine"),
        b_ingredient=Ingredient.objects.get(slug="warfarin"),
        severity="minor",
        mechanism="test",
        management="test",
        patient_mechanism="t",
        patient_management="t",
    )
    row.pair_key = row.compute_pair_key()
    row.save()
    KnowledgeBaseState.bump()

    result = checker.check(["adrenaline", "warfarin"])

    assert checker.index() is not before
    assert found(result) == {("interaction", "epinephrine", "warfarin", "minor")}
    checker.recheck_seconds = 1.0


def test_check_pair_in_two_duplication_classes_gives_one_duplication(checker):
    from medref.knowledge.models import KnowledgeBaseState
    from medref.vocab.models import ClassMembership, DrugClass, Ingredient

    nsaid = DrugClass.objects.get(slug="nsaids")
    extra = DrugClass.objects.create(
        slug="test-analgesics",
        name="Test analgesics",
        kind="therapeutic",
        duplication=True,
        source=nsaid.source,
    )
    for slug in ("ibuprofen", "naproxen"):
        ClassMembership.objects.create(
            drug_class=extra, ingredient=Ingredient.objects.get(slug=slug), source=nsaid.source
        )
    KnowledgeBaseState.bump()
    checker.reset()
    (finding,) = checker.check(["ibuprofen", "naproxen"]).findings
    assert finding.kind == "duplication"
    assert "Non-steroidal anti-inflammatory drugs and Test analgesics" in finding.summary


@pytest.mark.parametrize(
    ("a", "b"),
    [("clarithromycin", "simvastatin"), ("ibuprofen", "warfarin"), ("natalizumab", "ocrelizumab")],
)
def test_pair_finding_equals_the_checker_finding(checker, a, b):
    from medref.checker.engine import pair_finding
    from medref.vocab.models import Ingredient

    index = checker.index()
    x, y = (Ingredient.objects.get(slug=s).id for s in (a, b))
    (from_check,) = [f for f in checker.check([a, b]).findings if f.kind == "interaction"]
    assert present.finding_json(pair_finding(index, y, x)) == present.finding_json(from_check)


def test_checker_keeps_answering_from_the_old_index_while_the_new_one_builds():
    import threading

    from medref.checker.engine import Checker
    from medref.vocab.resolve import NameIndex

    release = threading.Event()

    class SlowRepository:
        stamp = "v1"

        def version(self):
            return self.stamp

        def load(self):
            if self.stamp == "v2":
                release.wait(10)  # a long rebuild
            return Snapshot(
                version=1,
                stamp=self.stamp,
                ingredients={},
                classes={},
                memberships={},
                rules=[],
                sources={},
                names=NameIndex.build(ingredients=[], names=[], products=[]),
            )

    from medref.checker.engine import Snapshot

    repo = SlowRepository()
    checker = Checker(repo, recheck_seconds=0)
    first = checker.index()
    repo.stamp = "v2"
    assert checker.index() is first  # the rebuild runs in the background; no request waits
    release.set()
    for _ in range(100):
        if checker.index().stamp == "v2":
            break
        threading.Event().wait(0.05)
    assert checker.index().stamp == "v2"
