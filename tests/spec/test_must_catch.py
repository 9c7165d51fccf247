"""The must-catch table (tests/spec/must_catch.tsv) against the checker on the bundled content
alone: every `catch` row at least at its severity, no `never` row above minor, every name known."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

from medref.checker import mustcatch
from medref.content.load import import_content
from medref.knowledge.severity import Severity
from tests.conftest import ROOT


def test_must_catch_table_is_well_formed_and_large_enough():
    rows = mustcatch.parse()
    catch = [r for r in rows if r.kind == "catch"]
    never = [r for r in rows if r.kind == "never"]
    assert len(catch) >= 250 and len(never) >= 50
    assert all(r.severity is Severity.MINOR for r in never)
    assert all(r.basis for r in rows)


def test_must_catch_parser_names_the_line_of_a_bad_row(tmp_path: Path):
    table = tmp_path / "t.tsv"
    table.write_text("kind\tdrugs\tseverity\tbasis\ncatch\twarfarin + aspirin\tsevere\tBNF\n")
    with pytest.raises(mustcatch.TableError, match=r"t.tsv:2: unknown severity"):
        mustcatch.parse(table)


def test_must_catch_parser_refuses_the_same_pair_twice(tmp_path: Path):
    table = tmp_path / "t.tsv"
    table.write_text(
        "catch\twarfarin + aspirin\tmajor\tBNF\ncatch\taspirin + warfarin\tmajor\tBNF\n"
    )
    with pytest.raises(mustcatch.TableError, match="same drugs as line 1"):
        mustcatch.parse(table)


GAPS = ROOT / "tests" / "spec" / "must_catch_gaps.txt"


def known_gaps() -> set[str]:
    """Rows the bundled content does not meet yet, one `drugs` cell per line. A ratchet: a row
    that starts to pass must leave this file, and any other failing row fails the test."""
    if not GAPS.exists():
        return set()
    return {
        line.split("\t")[0].strip()
        for line in GAPS.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }


@pytest.mark.django_db
def test_bundled_content_catches_every_must_catch_row_and_flags_no_negative():
    from medref.checker.repository import get_checker

    import_content(path=ROOT / "content", console=Console(quiet=True))
    get_checker().reset()
    outcomes = mustcatch.run(get_checker().index(), mustcatch.parse())
    failing = {
        " + ".join(o.row.drugs): (
            f"line {o.row.line}: {' + '.join(o.row.drugs)}: {o.verdict} (expected "
            f"{'>=' if o.row.kind == 'catch' else '<='} {o.row.severity.value}, found "
            f"{o.found.value if o.found else 'nothing'}"
            + (f"; unknown: {', '.join(o.unrecognised)})" if o.unrecognised else ")")
        )
        for o in outcomes
        if o.verdict != "ok"
    }
    gaps = known_gaps()
    new = [why for drugs, why in failing.items() if drugs not in gaps]
    fixed = sorted(gaps - set(failing))
    assert new == [], f"{len(new)} must-catch rows fail:\n" + "\n".join(new)
    assert fixed == [], "now caught; remove from must_catch_gaps.txt: " + "; ".join(fixed)
    assert not any(o.verdict == "over-flagged" for o in outcomes)
