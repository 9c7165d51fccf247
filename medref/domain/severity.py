"""The one severity scale every source is mapped onto, with its action labels and ranking.

Django-free: the checker engine imports it too.
"""

from __future__ import annotations

import enum


class Severity(enum.StrEnum):
    CONTRAINDICATED = "contraindicated"
    MAJOR = "major"
    MODERATE = "moderate"
    MINOR = "minor"
    UNKNOWN = "unknown"

    @property
    def rank(self) -> int:
        """Higher is more severe; unknown ranks lowest because it asserts nothing."""
        return _RANK[self]

    @property
    def action(self) -> str:
        return _ACTION[self]

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @classmethod
    def parse(cls, raw: str) -> Severity:
        try:
            return cls(raw.strip().lower())
        except ValueError:
            allowed = ", ".join(s.value for s in cls)
            raise ValueError(f"unknown severity {raw!r}; expected one of {allowed}") from None

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(s.value, s.label) for s in cls]


_RANK = {
    Severity.CONTRAINDICATED: 4,
    Severity.MAJOR: 3,
    Severity.MODERATE: 2,
    Severity.MINOR: 1,
    Severity.UNKNOWN: 0,
}
_ACTION = {
    Severity.CONTRAINDICATED: "do not use together",
    # The scale (content/pages/severity-levels.md) lets a major pair be used when both drugs are
    # essential, with monitoring; "avoid combination" alone contradicted advice such as "consider
    # another antibiotic, or check the INR".
    Severity.MAJOR: "avoid or monitor closely",
    Severity.MODERATE: "use with caution and monitor",
    Severity.MINOR: "minimal risk; be aware",
    Severity.UNKNOWN: "severity not established",
}


def most_severe(levels: list[Severity]) -> Severity:
    return max(levels, key=lambda s: s.rank) if levels else Severity.UNKNOWN


class Evidence(enum.StrEnum):
    ESTABLISHED = "established"
    PROBABLE = "probable"
    SUSPECTED = "suspected"
    THEORETICAL = "theoretical"


class ReviewStatus(enum.StrEnum):
    UNREVIEWED = "unreviewed"  # starter content or imported data nobody here has checked
    REVIEWED = "reviewed"  # signed off by a clinical reviewer through the editorial workflow
    EXTERNAL = "external"  # reviewed by the publishing source, not by us

    @property
    def label(self) -> str:
        return {
            "unreviewed": "Unreviewed starter content",
            "reviewed": "Clinically reviewed",
            "external": "Reviewed by the source publisher, not by medref",
        }[self.value]
