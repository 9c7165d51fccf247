"""What changed between two checks of a saved list: findings added, removed, re-rated."""

from __future__ import annotations

from medref.domain.severity import Severity
from medref.lists.changes import PairFinding, compare


def finding(a: str, b: str, severity: str) -> PairFinding:
    return PairFinding((a, b), (a, b), Severity(severity))


def test_compare_added_removed_and_changed():
    before = [
        finding("aspirin", "warfarin", "major"),
        finding("omeprazole", "clopidogrel", "moderate"),
    ]
    after = [
        finding("aspirin", "warfarin", "contraindicated"),
        finding("paracetamol", "warfarin", "moderate"),
    ]

    changes = compare(before, after)

    assert [f.pair for f in changes.added] == [("paracetamol", "warfarin")]
    assert [f.pair for f in changes.removed] == [("omeprazole", "clopidogrel")]
    (changed,) = changes.changed
    assert changed.before.severity is Severity.MAJOR and changed.worse


def test_compare_same_findings_is_no_change():
    same = [finding("aspirin", "warfarin", "major")]
    assert not compare(same, list(same))


def test_compare_one_finding_per_pair_the_most_severe():
    # An interaction and a duplication of one pair are one line to the reader of a list.
    before = [finding("a", "b", "moderate"), finding("a", "b", "major")]
    assert not compare(before, [finding("a", "b", "major")])


def test_pair_finding_round_trips_through_json():
    f = finding("aspirin", "warfarin", "major")
    assert PairFinding.from_dict(f.as_dict()) == f
