"""The one validator behind every write path (medref.domain.fields)."""

from __future__ import annotations

import pytest

from medref.domain.fields import (
    MONOGRAPH_FIELDS,
    FieldError,
    validate_monograph,
    validate_references,
    validate_review_status,
    validate_status,
    validate_topic,
)


def _monograph(**changes):
    values = {
        "severity": "major",
        "evidence": "established",
        "onset": "rapid",
        "mechanism": "m",
        "consequence": "c",
        "management": "g",
        "patient_mechanism": "pm",
        "patient_management": "pg",
        "references": [{"text": "Label, section 4.5"}],
    }
    values.update(changes)
    return values


def test_validate_monograph_accepts_a_whole_monograph_and_normalises_case():
    out = validate_monograph(_monograph(severity=" Major "))
    assert out["severity"] == "major" and set(out) == set(MONOGRAPH_FIELDS)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"severity": "catastrophic"}, "severity"),
        ({"severity": 3}, "severity"),
        ({"evidence": "rumour"}, "evidence"),
        ({"onset": "soon"}, "onset"),
        ({"mechanism": ""}, "mechanism"),
        ({"mechanism": "x" * 10_001}, "mechanism"),
        ({"management": "a\x00b"}, "management"),
        ({"references": "oops"}, "references"),
        ({"references": []}, "references"),
        ({"references": [{"pmid": "1"}]}, "references[1].text"),
        ({"references": [{"text": "t", "pmid": "12ab"}]}, "references[1].pmid"),
        ({"references": [{"text": "t", "url": "javascript:alert(1)"}]}, "references[1].url"),
    ],
)
def test_validate_monograph_names_the_bad_field(changes, field):
    with pytest.raises(FieldError) as caught:
        validate_monograph(_monograph(**changes))
    assert caught.value.field == field


def test_validate_monograph_partial_checks_only_the_fields_given():
    assert validate_monograph({"severity": "minor"}, partial=True) == {"severity": "minor"}
    with pytest.raises(FieldError, match="not a monograph field"):
        validate_monograph({"colour": "red"}, partial=True)


def test_validate_topic_refuses_references_that_are_not_a_list():
    with pytest.raises(FieldError) as caught:
        validate_topic({"references": "oops"}, partial=True)
    assert caught.value.field == "references"


def test_validate_topic_limits_the_specialty_to_its_column_width():
    with pytest.raises(FieldError) as caught:
        validate_topic({"specialty": "x" * 101}, partial=True)
    assert caught.value.field == "specialty"


def test_states_are_closed_lists():
    assert validate_status("Retired") == "retired"
    assert validate_review_status("reviewed") == "reviewed"
    for bad, check in (("draftish", validate_status), ("approved", validate_review_status)):
        with pytest.raises(FieldError):
            check(bad)
    assert validate_status("in_review", topic=True) == "in_review"


def test_validate_references_keeps_identifiers_and_drops_blank_ones():
    refs = validate_references([{"text": " A ", "pmid": "16510744", "doi": ""}], required=True)
    assert refs == [{"text": "A", "pmid": "16510744"}]
