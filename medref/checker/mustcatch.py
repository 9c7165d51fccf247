"""The must-catch table (tests/spec/must_catch.tsv): interactions every checker must catch at a
minimum severity, and commonly co-prescribed pairs it must never flag above minor.

Django-free: rows are parsed into typed values and judged against an engine `Index`, so the spec
test, `medref kb coverage` and the benchmark share one definition of "caught".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from medref.checker.engine import Index, check
from medref.knowledge.severity import Severity

DEFAULT_TABLE = Path(__file__).resolve().parents[2] / "tests" / "spec" / "must_catch.tsv"


@dataclass(frozen=True, slots=True)
class Row:
    line: int
    kind: str  # "catch": at least `severity`; "never": nothing above `severity`
    drugs: tuple[str, ...]
    severity: Severity
    basis: str


@dataclass(frozen=True, slots=True)
class Outcome:
    row: Row
    found: Severity | None  # the most severe interaction between the drugs; None: nothing
    unrecognised: tuple[str, ...]

    @property
    def verdict(self) -> str:
        """ok | missed | under-rated | not recognised | over-flagged"""
        if self.unrecognised:
            return "not recognised"
        if self.row.kind == "never":
            return (
                "ok"
                if self.found is None or self.found.rank <= self.row.severity.rank
                else "over-flagged"
            )
        if self.found is None:
            return "missed"
        return "ok" if self.found.rank >= self.row.severity.rank else "under-rated"


class TableError(ValueError):
    pass


def parse(path: Path = DEFAULT_TABLE) -> list[Row]:
    rows: list[Row] = []
    seen: dict[frozenset[str], int] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        parts = raw.split("\t")
        if parts[:4] == ["kind", "drugs", "severity", "basis"]:
            continue
        if len(parts) != 4:
            raise TableError(
                f"{path.name}:{number}: expected 4 tab-separated columns, got {len(parts)}"
            )
        kind, drugs, severity, basis = (p.strip() for p in parts)
        if kind not in ("catch", "never"):
            raise TableError(f"{path.name}:{number}: kind {kind!r}; use catch or never")
        names = tuple(d.strip() for d in drugs.split(" + ") if d.strip())
        if len(names) < 2:
            raise TableError(f"{path.name}:{number}: give two or more drugs joined by ' + '")
        try:
            level = Severity.parse(severity)
        except ValueError as exc:
            raise TableError(f"{path.name}:{number}: {exc}") from None
        if not basis:
            raise TableError(f"{path.name}:{number}: every row needs its basis")
        key = frozenset(n.lower() for n in names)
        if key in seen:
            raise TableError(f"{path.name}:{number}: same drugs as line {seen[key]}")
        seen[key] = number
        rows.append(Row(number, kind, names, level, basis))
    return rows


def judge(index: Index, row: Row) -> Outcome:
    result = check(index, list(row.drugs))
    unrecognised = tuple(d.input for d in result.drugs if not d.resolution.resolved)
    # Duplication findings count as well: two anticoagulants are a hazard whatever the label.
    found = max((f.severity for f in result.findings), key=lambda s: s.rank, default=None)
    return Outcome(row, found, unrecognised)


def run(index: Index, rows: list[Row]) -> list[Outcome]:
    return [judge(index, row) for row in rows]


def summary(outcomes: list[Outcome]) -> dict[str, Counter]:
    out: dict[str, Counter] = {"catch": Counter(), "never": Counter()}
    for o in outcomes:
        out[o.row.kind][o.verdict] += 1
    return out
