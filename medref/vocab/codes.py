"""Typed drug codes. Each validates on construction, so a bad code never crosses a module boundary."""

from __future__ import annotations

import re
from dataclasses import dataclass


def _check(pattern: re.Pattern[str], value: str, what: str, example: str) -> None:
    if not pattern.fullmatch(value):
        raise ValueError(f"not a valid {what}: {value!r} (expected e.g. {example})")


@dataclass(frozen=True, slots=True)
class ATCCode:
    value: str
    _RE = re.compile(r"[A-Z]([0-9]{2}([A-Z]([A-Z]([0-9]{2})?)?)?)?")

    def __post_init__(self) -> None:
        _check(self._RE, self.value, "ATC code", "B01AA03")

    @property
    def level(self) -> int:
        return {1: 1, 3: 2, 4: 3, 5: 4, 7: 5}[len(self.value)]


@dataclass(frozen=True, slots=True)
class RxCUI:
    value: str
    _RE = re.compile(r"[1-9][0-9]{0,9}")

    def __post_init__(self) -> None:
        _check(self._RE, self.value, "RxNorm RxCUI", "11289")


@dataclass(frozen=True, slots=True)
class DrugBankID:
    value: str
    _RE = re.compile(r"DB[0-9]{5}")

    def __post_init__(self) -> None:
        _check(self._RE, self.value, "DrugBank ID", "DB00682")


@dataclass(frozen=True, slots=True)
class UNII:
    value: str
    _RE = re.compile(r"[A-Z0-9]{10}")

    def __post_init__(self) -> None:
        _check(self._RE, self.value, "UNII", "5Q7ZVV76EI")


@dataclass(frozen=True, slots=True)
class WikidataQID:
    value: str
    _RE = re.compile(r"Q[1-9][0-9]*")

    def __post_init__(self) -> None:
        _check(self._RE, self.value, "Wikidata QID", "Q407431")


@dataclass(frozen=True, slots=True)
class NDC:
    """A US National Drug Code in the 11-digit form RxNorm normalises every NDC to (5-4-2, no
    dashes). Product-level, so not one of the ingredient code systems below."""

    value: str
    _RE = re.compile(r"[0-9]{11}")

    def __post_init__(self) -> None:
        _check(self._RE, self.value, "11-digit NDC", "12345678901")


CODE_TYPES = {
    "atc": ATCCode,
    "rxcui": RxCUI,
    "drugbank": DrugBankID,
    "unii": UNII,
    "wikidata": WikidataQID,
}
