"""What changed between two checks of the same medicines: findings added, removed, or whose
severity moved. Django-free; a finding is identified by its pair of ingredient slugs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from medref.domain.severity import Severity

_SEVERITY = {s.value: s for s in Severity}


@dataclass(frozen=True, slots=True)
class PairFinding:
    pair: tuple[str, str]  # ingredient slugs, alphabetical
    drugs: tuple[str, str]  # ingredient names, for display
    severity: Severity

    def as_dict(self) -> dict:
        return {"pair": list(self.pair), "drugs": list(self.drugs), "severity": self.severity.value}

    @classmethod
    def from_dict(cls, row: Mapping) -> PairFinding:
        return cls(tuple(row["pair"]), tuple(row["drugs"]), _SEVERITY[row["severity"]])


@dataclass(frozen=True, slots=True)
class SeverityChange:
    before: PairFinding
    after: PairFinding

    @property
    def worse(self) -> bool:
        return self.after.severity.rank > self.before.severity.rank


@dataclass(frozen=True, slots=True)
class Changes:
    added: tuple[PairFinding, ...] = ()
    removed: tuple[PairFinding, ...] = ()
    changed: tuple[SeverityChange, ...] = field(default=())

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


def by_pair(findings: Iterable[PairFinding]) -> dict[tuple[str, str], PairFinding]:
    """One finding per pair, the most severe: an interaction and a duplication of the same pair
    are one thing to the reader of a list."""
    out: dict[tuple[str, str], PairFinding] = {}
    for f in findings:
        if f.pair not in out or f.severity.rank > out[f.pair].severity.rank:
            out[f.pair] = f
    return out


def compare(before: Iterable[PairFinding], after: Iterable[PairFinding]) -> Changes:
    old, new = by_pair(before), by_pair(after)

    def order(f: PairFinding) -> tuple[int, tuple[str, str]]:
        return (-f.severity.rank, f.drugs)

    return Changes(
        added=tuple(sorted((new[p] for p in new.keys() - old.keys()), key=order)),
        removed=tuple(sorted((old[p] for p in old.keys() - new.keys()), key=order)),
        changed=tuple(
            sorted(
                (
                    SeverityChange(old[p], new[p])
                    for p in old.keys() & new.keys()
                    if old[p].severity != new[p].severity
                ),
                key=lambda c: order(c.after),
            )
        ),
    )
