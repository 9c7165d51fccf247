"""Name resolution: turn what a person types into ingredients, and say how each was matched.

Django-free. `NameIndex` is built from plain rows (see `medref.vocab.loader` for the database
side) and answers in microseconds for exact names; fuzzy matching runs only when nothing else
matched. Order of attempts, first hit wins:

1. the whole input as a name (INN, US/UK name, brand, synonym, salt, known misspelling, a data
   source's name) or a combination product;
2. a product string with strengths and dose forms removed ("SIMVASTATIN 40 MG Oral Tablet",
   "Amlodipine 5mg tablets"), with a bracketed brand tried too ("... [Zocor]");
3. salt and form words stripped ("metformin hydrochloride" -> "metformin");
4. a combination written out ("paracetamol / codeine", "A + B", "A and B"): every part must resolve;
5. a fuzzy match, accepted only when it is close and unambiguous; otherwise the input is reported
   unresolved with up to five suggestions. Nothing is dropped silently.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from medref.vocab.normalize import normalize

# How strongly a kind of name identifies an ingredient; lower wins when two ingredients share a name.
KIND_RANK = {
    "inn": 0,
    "us": 1,
    "uk": 1,
    "brand": 2,
    "synonym": 3,
    "salt": 3,
    "source": 4,
    "misspelling": 5,
}

FUZZY_ACCEPT = 88  # rapidfuzz ratio (0-100) at or above which a lone close match is accepted
FUZZY_MARGIN = 6  # the runner-up (another ingredient) must score at least this much lower
SUGGEST_MIN = 55  # below this a name is too far off to suggest
MAX_SUGGESTIONS = 5
RESOLVE_CACHE_LIMIT = 20_000

_UNITS = (
    r"(?:mg|mcg|µg|ug|micrograms?|milligrams?|grams?|g|ml|mL|l|%|units?|iu|mmol|meq|mg\/ml|mg\/g)"
)
_STRENGTH = re.compile(
    rf"\b\d+(?:[.,]\d+)?\s*{_UNITS}\b(?:\s*(?:/|per)\s*\d*(?:[.,]\d+)?\s*{_UNITS}?\b)?", re.I
)
_NUMBER = re.compile(r"\b\d+(?:[.,]\d+)?\b")
_BRACKETED = re.compile(r"\[([^\]]+)\]|\(([^)]+)\)")
_FORM_WORDS = {
    "oral",
    "tablet",
    "tablets",
    "tab",
    "tabs",
    "capsule",
    "capsules",
    "cap",
    "caps",
    "solution",
    "suspension",
    "syrup",
    "elixir",
    "liquid",
    "injection",
    "injectable",
    "infusion",
    "cream",
    "ointment",
    "gel",
    "patch",
    "patches",
    "transdermal",
    "spray",
    "nasal",
    "inhaler",
    "inhalation",
    "powder",
    "granules",
    "sachet",
    "sachets",
    "drops",
    "eye",
    "ear",
    "topical",
    "extended",
    "modified",
    "prolonged",
    "delayed",
    "release",
    "er",
    "xl",
    "sr",
    "mr",
    "xr",
    "la",
    "cr",
    "dr",
    "ec",
    "film",
    "coated",
    "gastro",
    "resistant",
    "chewable",
    "dispersible",
    "orodispersible",
    "effervescent",
    "soluble",
    "pen",
    "prefilled",
    "pre",
    "filled",
    "syringe",
    "vial",
    "ampoule",
    "ampoules",
    "pack",
    "kit",
    "dose",
    "doses",
    "metered",
    "actuation",
    "sublingual",
    "buccal",
    "rectal",
    "suppository",
    "suppositories",
    "pessary",
    "vaginal",
    "auto",
    "injector",
    "autoinjector",
    "lozenge",
    "lozenges",
    "chewing",
    "gum",
    "mouthwash",
    "subcutaneous",
    "intravenous",
    "intramuscular",
    "iv",
    "im",
    "sc",
    "for",
    "of",
    "in",
    "x",
}
_SALT_WORDS = {
    "hydrochloride",
    "hcl",
    "dihydrochloride",
    "hyclate",
    "sodium",
    "potassium",
    "calcium",
    "magnesium",
    "besilate",
    "besylate",
    "mesilate",
    "mesylate",
    "maleate",
    "tartrate",
    "succinate",
    "citrate",
    "phosphate",
    "sulfate",
    "sulphate",
    "acetate",
    "bromide",
    "chloride",
    "hydrobromide",
    "fumarate",
    "hemifumarate",
    "malate",
    "lactate",
    "gluconate",
    "nitrate",
    "monohydrate",
    "dihydrate",
    "trihydrate",
    "anhydrous",
    "medoxomil",
    "cilexetil",
    "axetil",
    "dipropionate",
    "propionate",
    "furoate",
    "valerate",
    "dipotassium",
    "disodium",
    "trometamol",
    "tromethamine",
    "pamoate",
    "embonate",
    "decanoate",
    "enanthate",
    "xinafoate",
    "bitartrate",
}
_COMBO_SPLIT = re.compile(r"\s*(?:/|\+|&|\band\b|\bwith\b|,)\s*", re.I)


@dataclass(frozen=True)
class Resolution:
    input: str
    resolved: bool
    ingredient_ids: tuple[int, ...] = ()
    matched_by: str = (
        ""  # a name kind (inn, us, uk, brand, ...), product, product-string, combination, fuzzy
    )
    matched_name: str = ""
    suggestions: tuple[str, ...] = ()
    note: str = ""


@dataclass
class _Entry:
    rank: int
    kind: str
    display: str
    ingredient_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class NameMatch:
    """One known name, as callers outside this module see it."""

    display: str
    kind: str  # inn, us, uk, brand, synonym, salt, source, product
    ingredient_ids: tuple[int, ...]
    normalized: str


class PlainEntries(dict[str, list[_Entry]]):
    """The exact-name table as read from a compiled snapshot: each name's entries stay plain
    tuples (rank, kind, display, ingredient ids) until first looked up, so a one-shot check does
    not build 20,000 entries to resolve two names."""

    def __getitem__(self, key: str) -> list[_Entry]:
        value: list[Any] = dict.__getitem__(self, key)
        if value and type(value[0]) is tuple:
            value = [_Entry(*e) for e in value]
            dict.__setitem__(self, key, value)
        return value

    def get(self, key: str, default: Any = None) -> Any:  # noqa: D102 - as dict.get
        return self[key] if key in self else default


@dataclass
class NameIndex:
    """Everything name resolution needs, in memory."""

    exact: dict[str, list[_Entry]] = field(default_factory=dict)
    fuzzy_keys: list[str] = field(default_factory=list)
    fuzzy_owner: list[tuple[int, ...]] = field(default_factory=list)
    fuzzy_display: list[str] = field(default_factory=list)
    ingredient_names: dict[int, str] = field(default_factory=dict)
    _sorted_keys: list[str] | None = None
    # Set when `exact` is filled on demand (a one-shot check reads names from the compiled
    # snapshot one by one): called once, before anything that needs every name (fuzzy matching,
    # prefix search), to load the whole table.
    complete: Callable[[], None] | None = None
    _cache: dict[str, Resolution] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        *,
        ingredients: Iterable[tuple[int, str]],
        names: Iterable[tuple[int, str, str, str]],
        products: Iterable[tuple[str, str, tuple[int, ...]]],
    ) -> NameIndex:
        """ingredients: (id, canonical name); names: (ingredient id, display, normalised, kind);
        products: (display, normalised, ingredient ids)."""
        index = cls()
        index.ingredient_names = dict(ingredients)
        best: dict[str, dict[tuple[int, ...], _Entry]] = {}
        for ingredient_id, display, normalized, kind in names:
            if not normalized:
                continue
            entry = _Entry(KIND_RANK.get(kind, 9), kind, display, (ingredient_id,))
            slot = best.setdefault(normalized, {})
            held = slot.get(entry.ingredient_ids)
            if held is None or entry.rank < held.rank:
                slot[entry.ingredient_ids] = entry
        for display, normalized, ids in products:
            entry = _Entry(KIND_RANK["brand"], "product", display, tuple(sorted(ids)))
            best.setdefault(normalized, {}).setdefault(entry.ingredient_ids, entry)
        for normalized, slot in best.items():
            entries = sorted(slot.values(), key=lambda e: (e.rank, e.ingredient_ids))
            index.exact[normalized] = entries
            # Misspellings are for exact hits; fuzzy and suggestions use real names only.
            if entries[0].kind != "misspelling":
                index.fuzzy_keys.append(normalized)
                index.fuzzy_owner.append(entries[0].ingredient_ids)
                index.fuzzy_display.append(entries[0].display)
        return index

    def prefix_matches(self, key: str, limit: int) -> list[str]:
        """Normalised names that start with key, shortest first (for autocomplete)."""
        self._ensure_complete()
        if self._sorted_keys is None:
            self._sorted_keys = sorted(self.exact)
        keys = self._sorted_keys
        start = bisect.bisect_left(keys, key)
        out = []
        for candidate in keys[start:]:
            if not candidate.startswith(key):
                break
            out.append(candidate)
        out.sort(key=len)
        return out[:limit]

    def completions(self, key: str, limit: int) -> list[NameMatch]:
        """Names starting with the normalised `key`, best first (a stronger kind of name, then a
        shorter one), misspellings left out: for autocomplete."""
        ranked = []
        for normalized in self.prefix_matches(key, limit):
            entry = self.exact[normalized][0]
            if entry.kind != "misspelling":
                ranked.append(((entry.rank, len(normalized), normalized), entry))
        ranked.sort(key=lambda r: r[0])
        return [NameMatch(e.display, e.kind, e.ingredient_ids, key3[2]) for key3, e in ranked]

    # --- lookups -------------------------------------------------------------------------
    def _exact(self, key: str) -> _Entry | None | Literal[False]:
        """The best entry for a normalised name; False when two ingredients tie (ambiguous)."""
        entries = self.exact.get(key)
        if not entries:
            return None
        if len(entries) > 1 and entries[1].rank == entries[0].rank:
            return False
        return entries[0]

    def resolve(self, text: str) -> Resolution:
        """Resolve one name. Results are cached per index by the exact text (bounded), since the
        same names recur constantly; the index is immutable, so a cached answer cannot go stale."""
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        if len(self._cache) >= RESOLVE_CACHE_LIMIT:
            self._cache.clear()
        found = self._cache[text] = self._resolve(text)
        return found

    def _resolve(self, text: str) -> Resolution:
        raw = text
        key = normalize(text)
        if not key:
            return Resolution(input=raw, resolved=False, note="empty name")
        hit = self._exact(key)
        if hit is False:
            return self._ambiguous(raw, key)
        if hit:
            return Resolution(raw, True, hit.ingredient_ids, hit.kind, hit.display)
        for attempt in (self._product_string, self._strip_salts, self._combination):
            found = attempt(raw, key)
            if found is not None:
                return found
        return self._fuzzy(raw, key)

    def _ambiguous(self, raw: str, key: str) -> Resolution:
        entries = self.exact[key]
        tied = [e for e in entries if e.rank == entries[0].rank]
        names = tuple(dict.fromkeys(self._label(e.ingredient_ids) for e in tied))[:MAX_SUGGESTIONS]
        return Resolution(
            raw, False, suggestions=names, note="this name means more than one medicine"
        )

    def _label(self, ids: tuple[int, ...]) -> str:
        return " + ".join(self.ingredient_names.get(i, str(i)) for i in ids)

    def _product_string(self, raw: str, key: str) -> Resolution | None:
        if not (
            _STRENGTH.search(raw)
            or _NUMBER.search(raw)
            or _BRACKETED.search(raw)
            or any(w in _FORM_WORDS for w in key.split())
        ):
            return None
        # A bracketed brand, as in RxNorm's "simvastatin 40 MG Oral Tablet [Zocor]".
        for match in _BRACKETED.finditer(raw):
            inner = normalize(match.group(1) or match.group(2) or "")
            hit = self._exact(inner) if inner else None
            if hit:
                return Resolution(raw, True, hit.ingredient_ids, "product-string", hit.display)
        text = _BRACKETED.sub(" ", raw)
        parts = [p for p in re.split(r"\s+/\s+|\s*\+\s*", text) if p.strip()]
        ids: list[int] = []
        names: list[str] = []
        for part in parts:
            cleaned = _STRENGTH.sub(" ", part)
            cleaned = _NUMBER.sub(" ", cleaned)
            words = [w for w in normalize(cleaned).split() if w not in _FORM_WORDS]
            hit = self._lookup_words(words)
            if hit is None:
                return None
            ids += hit.ingredient_ids
            names.append(hit.display)
        if not ids:
            return None
        return Resolution(raw, True, tuple(dict.fromkeys(ids)), "product-string", " + ".join(names))

    def _lookup_words(self, words: list[str]) -> _Entry | None:
        if not words:
            return None
        hit = self._exact(" ".join(words))
        if hit:
            return hit
        stripped = [w for w in words if w not in _SALT_WORDS]
        if stripped and stripped != words:
            hit = self._exact(" ".join(stripped))
            if hit:
                return hit
        return None

    def _strip_salts(self, raw: str, key: str) -> Resolution | None:
        words = key.split()
        stripped = [w for w in words if w not in _SALT_WORDS]
        if not stripped or stripped == words:
            return None
        hit = self._exact(" ".join(stripped))
        if hit:
            return Resolution(raw, True, hit.ingredient_ids, "salt", hit.display)
        return None

    def _combination(self, raw: str, key: str) -> Resolution | None:
        parts = [p for p in _COMBO_SPLIT.split(raw) if p.strip()]
        if len(parts) < 2:
            return None
        ids: list[int] = []
        for part in parts:
            found = self.resolve(part)
            if not found.resolved or found.matched_by == "fuzzy":
                return None
            ids += found.ingredient_ids
        return Resolution(
            raw,
            True,
            tuple(dict.fromkeys(ids)),
            "combination",
            " + ".join(p.strip() for p in parts),
        )

    def _ensure_complete(self) -> None:
        if self.complete is not None:
            load, self.complete = self.complete, None
            load()

    def _fuzzy(self, raw: str, key: str) -> Resolution:
        from rapidfuzz import fuzz, process  # here: loading it costs a one-shot CLI check ~50 ms

        self._ensure_complete()
        scored = process.extract(
            key, self.fuzzy_keys, scorer=fuzz.ratio, limit=25, score_cutoff=SUGGEST_MIN
        )
        by_owner: dict[tuple[int, ...], tuple[float, int]] = {}
        for _choice, score, position in scored:
            owner = self.fuzzy_owner[position]
            if owner not in by_owner or score > by_owner[owner][0]:
                by_owner[owner] = (score, position)
        ranked = sorted(by_owner.items(), key=lambda item: -item[1][0])
        if ranked:
            owner, (score, position) = ranked[0]
            runner_up = ranked[1][1][0] if len(ranked) > 1 else 0
            if score >= FUZZY_ACCEPT and score - runner_up >= FUZZY_MARGIN and len(key) >= 4:
                return Resolution(
                    raw,
                    True,
                    owner,
                    "fuzzy",
                    self.fuzzy_display[position],
                    note=f"closest name, {score:.0f}% similar",
                )
        # Names that start with what was typed come first ("ocrel" -> ocrelizumab), then the
        # closest by edit distance.
        prefixed = (
            [
                self._label(self.exact[k][0].ingredient_ids)
                for k in self.prefix_matches(key, MAX_SUGGESTIONS * 3)
                if self.exact[k][0].kind != "misspelling"
            ]
            if len(key) >= 3
            else []
        )
        suggestions = tuple(
            dict.fromkeys(
                [
                    *prefixed,
                    *(self._suggestion(owner, position) for owner, (_s, position) in ranked),
                ]
            )
        )[:MAX_SUGGESTIONS]
        return Resolution(
            raw, False, suggestions=suggestions, note="no medicine of this name is known"
        )

    def _suggestion(self, owner: tuple[int, ...], position: int) -> str:
        canonical = self._label(owner)
        display = self.fuzzy_display[position]
        return (
            canonical if normalize(display) == normalize(canonical) else f"{display} ({canonical})"
        )
