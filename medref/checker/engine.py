"""The interaction checker engine. No web framework: it reads the knowledge base through a
`Repository` and keeps an in-memory index, rebuilt when the knowledge-base version changes.

A check resolves each input name, then looks at every pair of ingredients from different inputs:
direct ratings, class rules (ingredient-class and class-class) and therapeutic duplication. Each
finding lists every source's rating side by side, flags disagreement and explains why it matched.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any, Protocol

from medref.domain.sides import class_side, ingredient_side
from medref.domain.sources import CURATED as CURATED_SOURCE
from medref.domain.sources import DUPLICATION as DUPLICATION_SOURCE
from medref.knowledge.severity import Severity
from medref.vocab.display import at_start, in_sentence
from medref.vocab.resolve import NameIndex, Resolution

PAIR_MEMO_LIMIT = 50_000  # ~50 MB at most; cleared when full

# One citation as its sorted (key, value) pairs (text, pmid, doi, url), so a rule stays hashable.
Reference = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class SourceInfo:
    key: str
    name: str
    version: str
    licence: str
    url: str = ""
    language: str = "en"


@dataclass(frozen=True, slots=True)
class ClassInfo:
    id: int
    slug: str
    name: str
    duplication: bool


# Not frozen: a frozen dataclass sets each of its 22 fields through object.__setattr__, which
# makes loading 160k rules ten times slower. Treat rules as read-only all the same.
@dataclass(slots=True, unsafe_hash=True)
class Rule:
    """One source's rating of a pair of sides. A side is an int: 2*id for an ingredient,
    2*id+1 for a class, so both kinds share one key space."""

    id: int
    source: str
    a: int
    b: int
    severity: Severity
    evidence: str = ""
    mechanism: str = ""
    consequence: str = ""
    management: str = ""
    patient_mechanism: str = ""
    patient_management: str = ""
    language: str = "en"
    review_status: str = "unreviewed"
    references: tuple[Reference, ...] = ()
    reviewed_by: str = ""
    reviewed_at: str = ""  # ISO date of the clinical sign-off
    # Broader rules this (curated, more specific) rule explicitly replaces: ((side, side), reason).
    overrides: tuple[tuple[tuple[int, int], str], ...] = ()
    # The source's own words when `mechanism`/`management` are our English version of them.
    original_language: str = ""
    original_mechanism: str = ""
    original_management: str = ""
    translation_note: str = ""  # e.g. "translated from the ANSM thesaurus 2020-01, unreviewed"

    @property
    def specificity(self) -> int:
        """2 for a direct ingredient pair, 1 with one class side, 0 for class-class."""
        return (self.a % 2 == 0) + (self.b % 2 == 0)


# An ingredient's names other than its own (kind, name, country), its classes (name, language)
# and its codes (system label, value): what the drug page shows. Plain tuples: they go into the
# compiled snapshot as they are.
DrugProfile = tuple[
    tuple[tuple[str, str, str], ...], tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]
]


@dataclass
class Snapshot:
    version: int
    stamp: str
    ingredients: dict[int, tuple[str, str]]  # id -> (slug, name)
    classes: dict[int, ClassInfo]
    memberships: dict[int, tuple[int, ...]]  # ingredient id -> class ids
    rules: list[Rule]
    sources: dict[str, SourceInfo]
    names: NameIndex
    changed_at: object = None  # when the knowledge base last changed (for Last-Modified)
    brands: dict[int, tuple[str, ...]] | None = None  # ingredient id -> brand names
    topics: dict[int, tuple[tuple[str, str], ...]] | None = None  # ingredient id -> (slug, title)
    codes: dict[tuple[str, str], tuple[int, ...]] | None = None  # (system, code) -> ingredient ids
    problems: tuple[str, ...] = ()  # rows skipped while loading, each with its reason
    # Keys of the sources that rate anything. None: every source some rule in `rules` names. A
    # partial snapshot (only the rules a one-shot check needs) passes the full knowledge base's.
    checked_sources: tuple[str, ...] | None = None
    # Ingredient id -> "food", "drink" or "herbal"; absent means a medicine (pages word them).
    kinds: dict[int, str] | None = None
    # Ingredient id -> what its page shows besides interactions, so the page needs no query.
    profiles: dict[int, DrugProfile] | None = None


class Repository(Protocol):
    def version(self) -> str:
        """A stamp that changes whenever the knowledge base does."""
        ...

    def load(self) -> Snapshot: ...


# Findings and ratings are built on a hot path and shared through the per-index memo: plain
# slotted dataclasses (frozen ones set every field through object.__setattr__, ~2x slower).
# Treat them as read-only.
@dataclass(slots=True)
class SourceRating:
    key: str
    name: str
    version: str
    licence: str
    severity: Severity
    review_status: str
    language: str
    via: str  # "direct" or the class rule that matched
    mechanism: str = ""
    management: str = ""
    overridden_by: str = ""  # the more specific curated rule that replaces this one, and why
    original_language: str = ""
    original_mechanism: str = ""
    original_management: str = ""
    translation_note: str = ""


@dataclass(slots=True)
class Finding:
    kind: str  # "interaction" or "duplication"
    drugs: tuple[str, str]  # ingredient names, alphabetical
    slugs: tuple[str, str]
    ingredient_ids: tuple[int, int]  # in the same order as `drugs`
    severity: Severity
    summary: str
    mechanism: str
    management: str
    patient_text: str
    explanation: str
    sources: tuple[SourceRating, ...]
    sources_disagree: bool
    language: str = "en"
    consequence: str = ""
    evidence: str = ""
    references: tuple[Reference, ...] = ()
    patient_mechanism: str = ""
    patient_management: str = ""
    reviewed_by: str = ""
    reviewed_at: str = ""

    def sort_key(self) -> tuple[int, str, tuple[str, str]]:
        return (-self.severity.rank, self.kind, self.drugs)


@dataclass(slots=True)
class DrugResult:
    input: str
    resolution: Resolution
    ingredients: tuple[str, ...]

    @property
    def ingredient_ids(self) -> tuple[int, ...]:
        """The ingredients this input resolved to (none when it was not recognised)."""
        return self.resolution.ingredient_ids


@dataclass
class CheckResult:
    drugs: tuple[DrugResult, ...]
    findings: tuple[Finding, ...]
    sources_checked: tuple[SourceInfo, ...]
    knowledge_base_version: int

    # Ingredient id -> the positions of the inputs that named it: the map the check itself
    # built, kept per result (never on a Finding: findings are memoised and shared).
    inputs_of: dict[int, set[int]]

    def positions(self, finding: Finding) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Which inputs (0-based, in the order given) each side of a finding came from, in the
        order of `finding.drugs`. An input naming both ingredients (a combination product) is
        on both sides; an ingredient typed twice lists both inputs."""
        a, b = finding.ingredient_ids
        return tuple(sorted(self.inputs_of.get(a, ()))), tuple(sorted(self.inputs_of.get(b, ())))


class Index:
    """The in-memory form of one knowledge-base version."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.version = snapshot.version
        self.stamp = snapshot.stamp
        self.changed_at = snapshot.changed_at
        self.brands = snapshot.brands or {}
        self.topics = snapshot.topics or {}
        self.codes = snapshot.codes or {}
        self.kinds = snapshot.kinds or {}
        self.profiles = snapshot.profiles or {}
        self.names = snapshot.names
        self.problems = snapshot.problems
        self.ingredients = snapshot.ingredients
        self.classes = snapshot.classes
        self.sources = snapshot.sources
        self.rules: dict[tuple[int, int], list[Rule]] = {}
        # partners[side][other side] -> rules, in both directions, with a frozenset of the keys so
        # a check intersects it with the regimen's sides in C instead of probing every pair.
        self.partners: dict[int, dict[int, list[Rule]]] = {}
        ruled_sides: set[int] = set()
        for rule in snapshot.rules:
            key = (rule.a, rule.b) if rule.a <= rule.b else (rule.b, rule.a)
            self.rules.setdefault(key, []).append(rule)
            ruled_sides.add(rule.a)
            ruled_sides.add(rule.b)
        for (a, b), rules in self.rules.items():
            self.partners.setdefault(a, {})[b] = rules
            self.partners.setdefault(b, {})[a] = rules
        self.partner_keys: dict[int, frozenset[int]] = {
            side: frozenset(p) for side, p in self.partners.items()
        }
        # Finding content per ingredient pair depends only on this index, so it is memoised here
        # and dies with the index when the knowledge base changes. Bounded: cleared when full.
        self.pair_findings: dict[tuple[int, int], Finding] = {}
        # Derived data the pages compute once per index (the sitemap's pair list, say): it dies
        # with the index, so it never outlives the knowledge-base version it came from.
        self.derived: dict[str, Any] = {}
        # Per ingredient: its own side plus only those class sides some rule mentions.
        self.sides: dict[int, tuple[int, ...]] = {}
        self.class_members: dict[int, list[int]] = {}
        self.dup_classes: dict[int, tuple[int, ...]] = {}
        for ingredient_id in snapshot.ingredients:
            class_ids = snapshot.memberships.get(ingredient_id, ())
            self.sides[ingredient_id] = (ingredient_side(ingredient_id),) + tuple(
                class_side(c) for c in class_ids if class_side(c) in ruled_sides
            )
            for c in class_ids:
                self.class_members.setdefault(c, []).append(ingredient_id)
            self.dup_classes[ingredient_id] = tuple(
                c for c in class_ids if snapshot.classes[c].duplication
            )
        checked = (
            set(snapshot.checked_sources)
            if snapshot.checked_sources is not None
            else {rule.source for rule in snapshot.rules}
        )
        self.sources_checked = tuple(
            sorted((s for k, s in snapshot.sources.items() if k in checked), key=lambda s: s.name)
        )

    def partners_of(self, ingredient_id: int) -> set[int]:
        """Every ingredient some rule pairs with this one, directly or through a class."""
        out: set[int] = set()
        for side in self.sides.get(ingredient_id, ()):
            for other in self.partners.get(side, ()):
                if other % 2 == 0:
                    out.add(other // 2)
                else:
                    out.update(self.class_members.get(other // 2, ()))
        out.discard(ingredient_id)
        return out

    def rated_pairs(self) -> Iterable[tuple[int, int, list[Rule]]]:
        """Every pair of sides some rule rates, once, with its rules: (side, side, rules)."""
        for (a, b), rules in self.rules.items():
            yield a, b, rules

    def ingredients_of(self, side: int) -> list[int]:
        """The ingredients a side stands for: itself, or a class's members."""
        return [side // 2] if side % 2 == 0 else self.class_members.get(side // 2, [])

    def is_rated(self, ingredient_id: int) -> bool:
        """Whether any rule, direct or through a class, mentions this ingredient."""
        return any(side in self.partners for side in self.sides.get(ingredient_id, ()))

    def profile(self, ingredient_id: int) -> DrugProfile:
        """The ingredient's other names, classes and codes (empty when it has none)."""
        return self.profiles.get(ingredient_id, ((), (), ()))

    def kind(self, ingredient_id: int) -> str:
        """ "medicine", "food", "drink" or "herbal"."""
        return self.kinds.get(ingredient_id, "medicine")

    def side_label(self, side: int) -> str:
        return self.ingredients[side // 2][1] if side % 2 == 0 else self.classes[side // 2].name


class Checker:
    """Thread-safe holder of the current index; swaps in a rebuilt one atomically."""

    def __init__(
        self,
        repository: Repository,
        *,
        recheck_seconds: float = 1.0,
        background_rebuild: bool = True,
    ) -> None:
        self.repository = repository
        self.recheck_seconds = recheck_seconds
        self.background_rebuild = background_rebuild
        self._index: Index | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()
        self._building = threading.Lock()  # held while a background rebuild runs
        self._seen: object = None  # the repository's change signature when last checked

    def index(self) -> Index:
        """The current index, never older than the newest completed publication or import.

        Each call costs one stat of the snapshot pointer (`repository.signature()`, when the
        repository has one): when another process has written a new snapshot, the version is
        checked at once and the new snapshot loaded before this call answers. Without that hint,
        the database's version is checked at most every `recheck_seconds`; a version with no
        snapshot yet is built in the background while requests keep the old index.
        """
        now = time.monotonic()
        current = self._index
        signature = self._signature()
        if (
            current is not None
            and signature == self._seen
            and now - self._checked_at < self.recheck_seconds
        ):
            return current
        stamp = self.repository.version()
        self._checked_at = now
        if current is not None and current.stamp == stamp:
            self._seen = signature
            return current
        ready = getattr(self.repository, "ready", None)
        if current is None or not self.background_rebuild or (ready is not None and ready(stamp)):
            with self._lock:
                # Another thread may have swapped in this version while we waited.
                if self._index is None or self._index.stamp != stamp:
                    self._index = Index(self.repository.load())
                self._seen = signature
                return self._index
        if self._building.acquire(blocking=False):
            threading.Thread(target=self._rebuild, name="medref-index-rebuild", daemon=True).start()
        return current

    def _signature(self) -> object:
        hint = getattr(self.repository, "signature", None)
        return hint() if hint is not None else None

    def refresh(self) -> Index:
        """Rebuild from the repository now (after this process changed the knowledge base)."""
        with self._lock:
            self._index = Index(self.repository.load())
            self._seen = self._signature()
            self._checked_at = time.monotonic()
            return self._index

    def _rebuild(self) -> None:
        try:
            self._index = Index(self.repository.load())
        except Exception:  # keep serving the old index; the next check tries again
            import logging

            logging.getLogger("medref.checker").exception("rebuilding the checker index failed")
        finally:
            done = getattr(self.repository, "thread_done", None)
            if done:
                done()  # e.g. release this thread's database connection
            self._building.release()

    def peek(self) -> Index | None:
        """The index currently served, without building or refreshing one (health checks)."""
        return self._index

    def reset(self) -> None:
        """Forget the index (tests, and after a restore)."""
        with self._lock:
            self._index = None
            self._checked_at = 0.0

    def check(self, inputs: Sequence[str]) -> CheckResult:
        return check(self.index(), inputs)


def check(index: Index, inputs: Sequence[str]) -> CheckResult:
    drugs = [resolved_drug(index, text, index.names.resolve(text)) for text in inputs]
    return check_drugs(index, drugs)


def resolved_drug(index: Index, text: str, resolution: Resolution) -> DrugResult:
    return DrugResult(
        text, resolution, tuple(index.ingredients[i][1] for i in resolution.ingredient_ids)
    )


def check_drugs(index: Index, drugs: Sequence[DrugResult]) -> CheckResult:
    """Check already-resolved inputs (names resolved by check(), or coded medications from an
    EHR resolved by their codes)."""
    drugs = list(drugs)
    inputs_of: dict[int, set[int]] = {}
    for position, drug in enumerate(drugs):
        for ingredient_id in drug.resolution.ingredient_ids:
            inputs_of.setdefault(ingredient_id, set()).add(position)
    findings: list[Finding] = []
    owners: dict[int, list[int]] = {}
    for ingredient_id in sorted(inputs_of):
        for side in index.sides[ingredient_id]:
            owners.setdefault(side, []).append(ingredient_id)
    regimen_sides = frozenset(owners)
    matched: dict[tuple[int, int], dict[int, tuple[Rule, int, int]]] = {}
    for side, holders in owners.items():
        keys = index.partner_keys.get(side)
        if keys is None:
            continue
        for other in regimen_sides & keys:
            if other < side:
                continue  # each unordered pair of sides once
            rules = index.partners[side][other]
            for x in holders:
                for y in owners[other]:
                    if x == y:
                        continue
                    pair = (x, y) if x < y else (y, x)
                    sx, sy = (side, other) if x < y else (other, side)
                    slot = matched.setdefault(pair, {})
                    for rule in rules:
                        slot.setdefault(rule.id, (rule, sx, sy))
    memo = index.pair_findings
    if len(memo) > PAIR_MEMO_LIMIT:
        memo.clear()
    for (x, y), hits in matched.items():  # order does not matter: findings are sorted below
        if inputs_of[x] == inputs_of[y]:
            # Both only ever come together, from the same combination product(s): the product's
            # own design, not an interaction (listing it twice is a double dose, reported apart).
            continue
        core = memo.get((x, y))
        if core is None:
            core = memo[(x, y)] = _interaction(index, x, y, list(hits.values()))
        findings.append(core)
    findings += _duplications(index, inputs_of)
    findings.sort(key=Finding.sort_key)
    return CheckResult(
        tuple(drugs), tuple(findings), index.sources_checked, index.version, inputs_of
    )


def pair_finding(index: Index, x: int, y: int) -> Finding | None:
    """The interaction finding for two ingredients, exactly as a check of the two would give it
    (guide pages use this, so a page and the checker never disagree). None: nothing recorded."""
    if x == y:
        return None
    if x > y:
        x, y = y, x
    cached = index.pair_findings.get((x, y))
    if cached is not None:
        return cached
    hits: dict[int, tuple[Rule, int, int]] = {}
    for sx in index.sides.get(x, ()):
        for sy in index.sides.get(y, ()):
            for rule in index.rules.get((sx, sy) if sx <= sy else (sy, sx), ()):
                hits.setdefault(rule.id, (rule, sx, sy))
    if not hits:
        return None
    finding = index.pair_findings[(x, y)] = _interaction(index, x, y, list(hits.values()))
    return finding


def _why(index: Index, x: int, y: int, sx: int, sy: int) -> str:
    if sx % 2 == 0 and sy % 2 == 0:
        return "direct"
    parts = []
    for ingredient, side in ((x, sx), (y, sy)):
        if side % 2 == 1:
            parts.append(
                f"{index.ingredients[ingredient][1]} belongs to {index.classes[side // 2].name}"
            )
    rule = f"{index.side_label(sx)} + {index.side_label(sy)}"
    return f"{'; '.join(parts)} (class rule: {rule})"


def _lead(rules: Iterable[Rule]) -> Rule:
    """Whose text to show among rules of the headline severity: a reviewed curated entry, then
    curated, then English text, then any text, then the most specific."""

    def score(rule: Rule) -> tuple[bool, bool, bool, bool, int, int]:
        return (
            rule.source == CURATED_SOURCE and rule.review_status == "reviewed",
            rule.source == CURATED_SOURCE,
            bool(rule.mechanism) and rule.language == "en",
            bool(rule.mechanism),
            rule.specificity,
            -rule.id,
        )

    return max(rules, key=score)


def headline_severity(rules: Sequence[Rule]) -> Severity:
    """The most severe of the rules that still apply (ADR 0004): a milder rule never hides a
    more severe one, however specific or well reviewed it is. Rules replaced through an explicit
    `overrides` are removed by `overridden()` before this is asked."""
    return max(rules, key=lambda r: r.severity.rank).severity


def overridden(index: Index, matched: Sequence[tuple[Rule, int, int]]) -> dict[int, str]:
    """Rule id -> why it no longer applies: a more specific curated rule that also matched names
    it in `overrides`, with a reason. Nothing else may silence a rule."""
    out: dict[int, str] = {}
    for rule, _, _ in matched:
        if not rule.overrides or rule.source != CURATED_SOURCE:
            continue
        for sides, reason in rule.overrides:
            named = frozenset(sides)
            for other, _, _ in matched:
                if (
                    other is not rule
                    and frozenset((other.a, other.b)) == named
                    and other.specificity < rule.specificity
                ):
                    out[other.id] = (
                        f"replaced by the more specific rule {index.side_label(rule.a)} + "
                        f"{index.side_label(rule.b)}: {reason}"
                    )
    return out


def _interaction(index: Index, x: int, y: int, matched: list[tuple[Rule, int, int]]) -> Finding:
    if len(matched) == 1:  # the common case: one source, one rule
        rule, sx, sy = matched[0]
        why = _why(index, x, y, sx, sy)
        return _finding(
            index,
            x,
            y,
            severity=rule.severity,
            lead=rule,
            lead_why=why,
            ratings=(_rating(index, rule, why),),
            disagree=False,
            count=1,
        )
    replaced = overridden(index, matched)
    active = [hit for hit in matched if hit[0].id not in replaced]
    severity = headline_severity([rule for rule, _, _ in active])
    lead = _lead(rule for rule, _, _ in active if rule.severity is severity)
    lead_hit = next(hit for hit in active if hit[0] is lead)
    # Every matching rule stays visible, the most severe first; replaced ones say so.
    ratings = tuple(
        _rating(index, rule, _why(index, x, y, sx, sy), replaced.get(rule.id, ""))
        for rule, sx, sy in sorted(
            matched,
            key=lambda h: (
                h[0].id in replaced,
                -h[0].severity.rank,
                h[0].source,
                -h[0].specificity,
                h[0].id,
            ),
        )
    )
    per_source: dict[str, Severity] = {}
    for rule, _, _ in active:
        held = per_source.get(rule.source)
        if held is None or rule.severity.rank > held.rank:
            per_source[rule.source] = rule.severity
    known = {s for s in per_source.values() if s is not Severity.UNKNOWN}
    return _finding(
        index,
        x,
        y,
        severity=severity,
        lead=lead_hit[0],
        lead_why=_why(index, x, y, lead_hit[1], lead_hit[2]),
        ratings=ratings,
        disagree=len(known) > 1,
        count=len(per_source),
    )


def _rating(index: Index, rule: Rule, why: str, overridden_by: str = "") -> SourceRating:
    source = index.sources[rule.source]
    return SourceRating(
        rule.source,
        source.name,
        source.version,
        source.licence,
        rule.severity,
        rule.review_status,
        rule.language,
        why,
        rule.mechanism,
        rule.management,
        overridden_by,
        rule.original_language,
        rule.original_mechanism,
        rule.original_management,
        rule.translation_note,
    )


def _finding(
    index: Index,
    x: int,
    y: int,
    *,
    severity: Severity,
    lead: Rule,
    lead_why: str,
    ratings: tuple[SourceRating, ...],
    disagree: bool,
    count: int,
) -> Finding:
    (slug_a, name_a, id_a), (slug_b, name_b, id_b) = sorted(
        ((*index.ingredients[x], x), (*index.ingredients[y], y))
    )
    sources = "1 source" if count == 1 else f"{count} sources"
    explanation = f"{name_a} + {name_b}: rated by {sources}" if lead_why == "direct" else lead_why
    pair = f"{at_start(name_a)} + {in_sentence(name_b)}"
    if severity is Severity.UNKNOWN:
        summary = (
            f"{pair}: an interaction is recorded, but how serious it is has not been established."
        )
    else:
        summary = f"{pair}: {severity.value} interaction ({severity.action})."
    if not lead.mechanism:
        summary += " No source explains how it happens yet."
    patient = " ".join(t for t in (lead.patient_mechanism, lead.patient_management) if t)
    return Finding(
        "interaction",
        (name_a, name_b),
        (slug_a, slug_b),
        (id_a, id_b),
        severity,
        summary,
        lead.mechanism,
        lead.management,
        patient,
        explanation,
        ratings,
        disagree,
        lead.language,
        lead.consequence,
        lead.evidence,
        lead.references,
        lead.patient_mechanism,
        lead.patient_management,
        lead.reviewed_by if lead.review_status == "reviewed" else "",
        lead.reviewed_at if lead.review_status == "reviewed" else "",
    )


def _duplications(index: Index, inputs_of: dict[int, set[int]]) -> list[Finding]:
    out: list[Finding] = []
    duplication_source = SourceRating(
        key=DUPLICATION_SOURCE,
        name="medref therapeutic duplication rules",
        version="1",
        licence="Apache-2.0",
        severity=Severity.MODERATE,
        review_status="unreviewed",
        language="en",
        via="duplication",
    )
    for ingredient_id, positions in sorted(inputs_of.items()):
        if len(positions) > 1:
            slug, name = index.ingredients[ingredient_id]
            out.append(
                Finding(
                    kind="duplication",
                    drugs=(name, name),
                    slugs=(slug, slug),
                    ingredient_ids=(ingredient_id, ingredient_id),
                    severity=Severity.MAJOR,
                    summary=f"{at_start(name)} appears in {len(positions)} of the medicines listed: risk of taking a double dose.",
                    mechanism=f"Two or more of the listed medicines contain {name}.",
                    management="Check that both are meant to be taken; if so, make sure the total daily dose stays within the maximum.",
                    patient_text=f"More than one of your medicines contains {name}. Taking them together could mean taking too much. Ask your pharmacist.",
                    # How the inputs named it is added where results are worded (present.py).
                    explanation=f"same ingredient from {len(positions)} inputs",
                    sources=(_dup_rating(duplication_source, Severity.MAJOR),),
                    sources_disagree=False,
                )
            )
    by_class: dict[int, list[int]] = {}
    for ingredient_id in inputs_of:
        for class_id in index.dup_classes.get(ingredient_id, ()):
            by_class.setdefault(class_id, []).append(ingredient_id)
    shared: dict[tuple[int, int], list[str]] = {}
    for class_id, members in sorted(by_class.items()):
        for x, y in combinations(sorted(members), 2):
            if len(inputs_of[x] | inputs_of[y]) >= 2:
                shared.setdefault((x, y), []).append(index.classes[class_id].name)
    # One finding per pair, naming every duplication class the two share.
    for (x, y), class_names in sorted(shared.items()):
        (slug_a, name_a, id_a), (slug_b, name_b, id_b) = sorted(
            ((*index.ingredients[x], x), (*index.ingredients[y], y))
        )
        classes = " and ".join(sorted(class_names))
        out.append(
            Finding(
                kind="duplication",
                drugs=(name_a, name_b),
                slugs=(slug_a, slug_b),
                ingredient_ids=(id_a, id_b),
                severity=Severity.MODERATE,
                summary=f"{at_start(name_a)} and {in_sentence(name_b)} are both {classes}: possible therapeutic duplication.",
                mechanism=f"Both medicines belong to {classes} and act in the same way, so their effects and side effects add up.",
                management="Check whether both are intended; usually one medicine of this class is enough.",
                patient_text=f"{at_start(name_a)} and {in_sentence(name_b)} work in the same way. Ask your prescriber or pharmacist whether you need both.",
                explanation=f"{name_a} and {name_b} both belong to {classes} (duplication class)",
                sources=(_dup_rating(duplication_source, Severity.MODERATE),),
                sources_disagree=False,
            )
        )
    return out


def _dup_rating(template: SourceRating, severity: Severity) -> SourceRating:
    return SourceRating(
        template.key,
        template.name,
        template.version,
        template.licence,
        severity,
        template.review_status,
        template.language,
        template.via,
    )


__all__ = [
    "Checker",
    "CheckResult",
    "ClassInfo",
    "DrugResult",
    "Finding",
    "Index",
    "Repository",
    "Rule",
    "Snapshot",
    "SourceInfo",
    "check",
    "check_drugs",
    "resolved_drug",
    "pair_finding",
    "headline_severity",
]
