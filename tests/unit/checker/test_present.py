"""What the check page and report make of the engine's findings: one finding per pair, a
severity filter, and advice in the reader's wording; and the JSON the API promises."""

from __future__ import annotations

from medref.checker.engine import check
from medref.checker.present import (
    ADD_ANOTHER,
    PATIENT,
    PROFESSIONAL,
    check_query,
    fold_duplications,
    guide_url,
    present,
    result_json,
    shown_severities,
)
from medref.domain.severity import Severity
from medref.domain.sources import CURATED
from tests.unit.checker.test_engine import (
    CLARI,
    CLARITHROMYCIN,
    SIMVA,
    SIMVASTATIN,
    make_index,
    rule,
)


def finding(kind: str, drugs: tuple[str, str], severity: str, **extra) -> dict:
    return {
        "kind": kind,
        "drugs": list(drugs),
        "severity": severity,
        "action": Severity(severity).action,
        "summary": "",
        "mechanism": "",
        "management": "",
        "patient_text": "",
        "explanation": "",
        "sources": [{"name": kind, "severity": severity}],
        "sources_disagree": False,
        "guide_url": "",
        "language": "en",
        **extra,
    }


PAIR = ("natalizumab", "ocrelizumab")
INTERACTION = finding(
    "interaction",
    PAIR,
    "major",
    mechanism="The two leave the immune system suppressed along two separate routes at once.",
    management="Do not give them together.",
    patient_text="Both medicines calm the immune system, each in its own way.",
    explanation="natalizumab + ocrelizumab: rated by 1 source(s)",
    guide_url="/interactions/natalizumab-and-ocrelizumab/",
)
DUPLICATION = finding(
    "duplication",
    PAIR,
    "moderate",
    mechanism="Both medicines belong to MS antibodies and act in the same way.",
    patient_text="Natalizumab and ocrelizumab work in the same way.",
    explanation="natalizumab and ocrelizumab both belong to MS antibodies (duplication class)",
)


def result(*findings: dict, drugs=("Tysabri", "Ocrevus")) -> dict:
    return {
        "drugs": [
            {
                "input": d,
                "resolved": True,
                "ingredients": [d.lower()],
                "matched_by": "inn",
                "suggestions": [],
            }
            for d in drugs
        ],
        "findings": list(findings),
        "sources_checked": [
            {"name": "medref curated content", "version": "1", "licence": "CC BY 4.0"}
        ],
        "message": "No interaction recorded in: medref curated content (1). This does not mean the combination is safe.",
    }


def test_fold_duplications_keeps_one_finding_per_pair_without_contradiction():
    folded = fold_duplications([INTERACTION, DUPLICATION])

    assert len(folded) == 1
    only = folded[0]
    assert only["kind"] == "interaction" and only["severity"] == "major"
    assert only["mechanism"] == INTERACTION["mechanism"]
    assert "same way" not in only["duplication"]["text"] + only["duplication"]["patient_text"]
    assert "MS antibodies" in only["duplication"]["text"]
    assert [s["name"] for s in only["sources"]] == ["interaction", "duplication"]


def test_fold_duplications_takes_the_more_severe_rating_and_resorts():
    minor = finding("interaction", ("aspirin", "ibuprofen"), "minor")
    dup = finding("duplication", ("aspirin", "ibuprofen"), "moderate")
    other = finding("interaction", ("a", "b"), "moderate")

    folded = fold_duplications([other, minor, dup])

    assert [(f["drugs"], f["severity"]) for f in folded] == [
        (["a", "b"], "moderate"),
        (["aspirin", "ibuprofen"], "moderate"),
    ]
    assert folded[1]["action"] == Severity.MODERATE.action


def test_fold_duplications_leaves_a_duplication_alone_when_the_pair_does_not_interact():
    same = finding("duplication", ("paracetamol", "paracetamol"), "major")
    classes = finding("duplication", ("ibuprofen", "naproxen"), "moderate")

    assert fold_duplications([same, classes]) == [same, classes]


def test_present_advice_follows_the_wording_mode():
    pro = present(result(INTERACTION, DUPLICATION), drugs=["Tysabri", "Ocrevus"], view=PROFESSIONAL)
    patient = present(result(INTERACTION, DUPLICATION), drugs=["Tysabri", "Ocrevus"], view=PATIENT)

    assert pro.groups[0].findings[0]["advice"].startswith("Do not give them together.")
    assert (
        patient.groups[0].findings[0]["advice"].startswith("Both medicines calm the immune system")
    )
    assert (
        "ask your prescriber or pharmacist whether you need both"
        in patient.groups[0].findings[0]["advice"]
    )


def test_present_with_one_medicine_prompts_for_another_instead_of_no_interaction():
    shown = present(result(drugs=("warfarin",)), drugs=["warfarin"], view=PROFESSIONAL)

    assert shown.prompt == ADD_ANOTHER
    assert shown.message == ""


def test_present_with_two_medicines_and_no_finding_keeps_the_no_interaction_message():
    shown = present(
        result(drugs=("warfarin", "aspirin")), drugs=["warfarin", "aspirin"], view=PROFESSIONAL
    )

    assert shown.prompt == "" and shown.message.startswith("No interaction recorded")


def test_shown_severities_ignores_unknown_values_and_defaults_to_all():
    assert shown_severities([]) == frozenset(Severity)
    assert shown_severities(["nonsense"]) == frozenset(Severity)
    assert shown_severities(["major", "nonsense"]) == {Severity.MAJOR}


def test_check_query_keeps_the_wording_and_only_a_real_filter():
    assert check_query(["Tysabri", "ocrel"], PATIENT) == "drugs=Tysabri%2C+ocrel&view=patient"
    assert check_query(["a"], PATIENT, set(Severity)) == "drugs=a&view=patient"
    assert check_query(["a"], PROFESSIONAL, {Severity.MINOR, Severity.MAJOR}) == (
        "drugs=a&view=professional&severity=major&severity=minor"
    )


def test_advice_for_a_rating_without_explanation_says_what_is_known_once():
    unknown = finding(
        "interaction",
        ("amlodipine", "sertraline"),
        "unknown",
        summary="Amlodipine + sertraline: unknown interaction (severity not established). The sources give a severity only, with no mechanism.",
    )
    rated = finding("interaction", ("a", "b"), "major", summary="A + b: major interaction.")

    for view in (PATIENT, PROFESSIONAL):
        shown = present(result(unknown, rated), drugs=["a", "b"], view=view)
        texts = [f["advice"] for g in shown.groups for f in g.findings]
        assert all("severity only" not in t and "unknown interaction" not in t for t in texts)
    pro = present(result(unknown, rated), drugs=["a", "b"], view=PROFESSIONAL)
    assert pro.groups[0].findings[0]["advice"] == (
        "Rated major (avoid or monitor closely) with no mechanism or advice from the source."
    )


# --- the JSON the API promises, from the engine's own result ----------------------------------


def test_result_json_keeps_the_api_shape_and_ties_findings_to_ingredients_and_inputs():
    index = make_index(rule(CURATED, SIMVA, CLARI, Severity.MAJOR, mechanism="CYP3A4"))
    result = check(index, ["Zocor", "qwertyuiop", "clarithromycin"])

    data = result_json(result)

    assert list(data) == [
        "drugs",
        "findings",
        "sources_checked",
        "message",
        "knowledge_base_version",
    ]
    assert data["drugs"][0] == {
        "input": "Zocor",
        "resolved": True,
        "ingredients": ["simvastatin"],
        "matched_by": "brand",
        "matched_name": "Zocor",
        "suggestions": [],
        "note": None,
    }
    (found,) = data["findings"]
    assert list(found) == [
        "kind",
        "drugs",
        "severity",
        "action",
        "summary",
        "mechanism",
        "management",
        "patient_text",
        "explanation",
        "sources",
        "sources_disagree",
        "guide_url",
        "language",
        "evidence",
        "ingredient_ids",
        "inputs",
    ]
    assert found["drugs"] == ["clarithromycin", "simvastatin"]
    assert found["ingredient_ids"] == [CLARITHROMYCIN, SIMVASTATIN]
    assert found["inputs"] == [[2], [0]]
    assert found["guide_url"] == guide_url(result.findings[0])
    assert found["guide_url"] == "/interactions/clarithromycin-and-simvastatin/"
    assert found["explanation"].startswith("Zocor \u2192 simvastatin (brand); ")
    assert found["sources"][0]["original"] is None and found["sources"][0]["overridden_by"] is None
    assert data["message"] == "Not checked, because the name was not recognised: qwertyuiop."
    assert data["knowledge_base_version"] == 1
