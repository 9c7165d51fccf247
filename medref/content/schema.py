"""The content files' entries as typed records (schema: content/README.md).

Each file is parsed once into these frozen records, checked on the way in: a bad value raises
ImportFailed naming the file, the line and the field. The writers (`medref.content.load`) and the
export (`medref.content.files`) work on the records, never on the raw YAML mappings. Checks that
need the whole folder (an unknown drug, a pair defined twice) stay in `load.parse_content`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medref.domain.fields import (
    MONOGRAPH_TEXT,
    FieldError,
    validate_references,
    validate_review_status,
    validate_status,
)
from medref.domain.kinds import IngredientKind
from medref.domain.severity import Evidence, ReviewStatus, Severity
from medref.domain.sides import SideKind, ref_pair_key, split_ref
from medref.knowledge.importers.errors import fail

SLUG_RE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
COUNTRY_RE = re.compile(r"[A-Z]{2}")
ONSETS = {"rapid", "delayed", "unspecified"}
# The name lists a drug entry may hold under `names:`, in the order they are written back.
NAME_LISTS = ("us", "uk", "synonyms", "salts", "misspellings")


def _line(entry: Mapping[str, Any]) -> int | None:
    return entry.get("__line__")


def req(entry: Mapping[str, Any], key: str, path: Path, kind: type = str) -> Any:
    """A required value: text (stripped) or a list."""
    line = _line(entry)
    if key not in entry or entry[key] in (None, ""):
        raise fail(path, line, key, "required but missing")
    value = entry[key]
    if kind is str and not isinstance(value, str):
        raise fail(path, line, key, f"must be text, got {type(value).__name__}")
    if kind is list and not isinstance(value, list):
        raise fail(path, line, key, "must be a list")
    return value.strip() if isinstance(value, str) else value


def opt_str(entry: Mapping[str, Any], key: str, path: Path) -> str:
    value = entry.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise fail(path, _line(entry), key, "must be text")
    return value.strip()


def slug(entry: Mapping[str, Any], key: str, path: Path) -> str:
    value = req(entry, key, path)
    if not SLUG_RE.fullmatch(value):
        raise fail(
            path, _line(entry), key, f"{value!r} is not a slug (lower-case words joined by '-')"
        )
    return value


def references(entry: Mapping[str, Any], path: Path, *, required: bool) -> list[dict]:
    """`references:` checked by the one validator every write path uses; a bare string is
    shorthand for {text: ...}."""
    refs = entry.get("references") or []
    if isinstance(refs, list):
        refs = [{"text": r} if isinstance(r, str) else r for r in refs]
    try:
        return validate_references(refs, required=required)
    except FieldError as exc:
        raise fail(path, _line(entry), exc.field, exc.message) from None


def date(value: Any, path: Path, line: int | None, key: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise fail(path, line, key, f"{value!r} is not a date (YYYY-MM-DD)") from None


@dataclass(frozen=True)
class Brand:
    name: str
    country: str = ""  # ISO 3166 alpha-2, or "" for a brand sold in several countries


@dataclass(frozen=True)
class DrugEntry:
    """One ingredient in content/drugs/*.yaml."""

    file: Path
    line: int
    slug: str
    name: str
    kind: str  # an IngredientKind value
    # (list name, names) for each list under `names:`, in file order
    names: tuple[tuple[str, tuple[str, ...]], ...] = ()
    brands: tuple[Brand, ...] = ()
    # (code system, codes) in file order; a bare value in the file is a one-code tuple
    codes: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @classmethod
    def parse(cls, e: Mapping[str, Any], path: Path) -> DrugEntry:
        from medref.vocab.codes import CODE_TYPES  # the typed codes, checked on construction

        line = _line(e) or 0
        entry_slug = slug(e, "slug", path)
        name = req(e, "name", path)
        try:
            kind = IngredientKind.parse(e.get("kind") or IngredientKind.MEDICINE).value
        except ValueError as exc:
            raise fail(path, line, "kind", str(exc)) from None
        raw_names = e.get("names") or {}
        if not isinstance(raw_names, Mapping):
            raise fail(path, line, "names", "must be a mapping of name lists")
        names = []
        for key, values in raw_names.items():
            if key == "__line__":
                continue
            if key not in NAME_LISTS:
                raise fail(
                    path, line, f"names.{key}", f"unknown name list; use {', '.join(NAME_LISTS)}"
                )
            if not isinstance(values, list) or not all(
                isinstance(v, str) and v.strip() for v in values
            ):
                raise fail(path, line, f"names.{key}", "must be a list of non-empty names")
            names.append((key, tuple(v.strip() for v in values)))
        brands = []
        for brand in e.get("brands") or []:
            if not isinstance(brand, Mapping) or not isinstance(brand.get("name"), str):
                raise fail(path, line, "brands", "each brand needs a name")
            country = brand.get("country", "")
            if country and not COUNTRY_RE.fullmatch(str(country)):
                raise fail(
                    path,
                    brand.get("__line__", line),
                    "brands.country",
                    f"{country!r} is not an ISO 3166 alpha-2 code",
                )
            brands.append(Brand(brand["name"].strip(), str(country or "")))
        raw_codes = e.get("codes") or {}
        if not isinstance(raw_codes, Mapping):
            raise fail(
                path, line, "codes", "must be a mapping of code system to code, e.g. atc: [N02BE01]"
            )
        codes = []
        for system, value in raw_codes.items():
            if system == "__line__":
                continue
            if system not in CODE_TYPES:
                raise fail(
                    path,
                    line,
                    f"codes.{system}",
                    f"unknown code system; use {', '.join(CODE_TYPES)}",
                )
            values = tuple(str(v).strip() for v in (value if isinstance(value, list) else [value]))
            for v in values:
                try:
                    CODE_TYPES[system](v)
                except ValueError as exc:
                    raise fail(
                        path, raw_codes.get("__line__", line), f"codes.{system}", str(exc)
                    ) from None
            codes.append((system, values))
        return cls(
            file=path,
            line=line,
            slug=entry_slug,
            name=name,
            kind=kind,
            names=tuple(names),
            brands=tuple(brands),
            codes=tuple(codes),
        )


@dataclass(frozen=True)
class Override:
    """This rule replaces a broader one, e.g. a drug + class rule over a class + class rule."""

    a: str
    b: str
    reason: str


@dataclass(frozen=True)
class InteractionEntry:
    """One curated rating in content/interactions/*.yaml. `a`/`b` are drug slugs or
    `class:<slug>`, as written."""

    file: Path
    line: int
    a: str
    b: str
    severity: str  # a Severity value
    evidence: str
    onset: str
    mechanism: str
    consequence: str
    management: str
    patient_mechanism: str
    patient_management: str
    references: tuple[Mapping[str, str], ...]
    review_status: str
    reviewed_by: str
    reviewed_at: dt.date | None
    last_edited: dt.date | None
    status: str
    overrides: tuple[Override, ...] = ()

    @property
    def pair(self) -> str:
        """The unordered pair, as `interaction:` keys and duplicate checks spell it."""
        return ref_pair_key(self.a, self.b)

    @classmethod
    def parse(
        cls, e: Mapping[str, Any], path: Path, *, drugs: Collection[str], classes: Collection[str]
    ) -> InteractionEntry:
        line = _line(e) or 0
        sides = []
        for key in ("a", "b"):
            side = req(e, key, path)
            kind, slug = split_ref(side)
            if kind is SideKind.CLASS:
                if slug not in classes:
                    raise fail(path, line, key, f"unknown class {slug!r}")
            elif side not in drugs:
                raise fail(path, line, key, f"unknown drug {side!r}")
            sides.append(side)
        if sides[0] == sides[1] and split_ref(sides[0])[0] is SideKind.INGREDIENT:
            raise fail(path, line, "b", "a drug cannot interact with itself")
        try:
            severity = Severity.parse(req(e, "severity", path)).value
        except ValueError as exc:
            raise fail(path, line, "severity", str(exc)) from None
        evidence = opt_str(e, "evidence", path)
        if evidence and evidence not in {v.value for v in Evidence}:
            raise fail(
                path, line, "evidence", f"{evidence!r}; use {', '.join(v.value for v in Evidence)}"
            )
        onset = opt_str(e, "onset", path)
        if onset and onset not in ONSETS:
            raise fail(path, line, "onset", f"{onset!r}; use {', '.join(sorted(ONSETS))}")
        text = {key: req(e, key, path) for key in MONOGRAPH_TEXT}
        refs = references(e, path, required=True)
        state = {"status": "published", "review_status": ReviewStatus.UNREVIEWED.value}
        for key, check in (("status", validate_status), ("review_status", validate_review_status)):
            if e.get(key) not in (None, ""):
                try:
                    state[key] = check(e[key])
                except FieldError as exc:
                    raise fail(path, line, exc.field, exc.message) from None
        return cls(
            file=path,
            line=line,
            a=sides[0],
            b=sides[1],
            severity=severity,
            evidence=evidence,
            onset=onset,
            **text,
            references=tuple(refs),
            review_status=state["review_status"],
            reviewed_by=opt_str(e, "reviewed_by", path),
            reviewed_at=date(e.get("reviewed_at"), path, line, "reviewed_at"),
            last_edited=date(e.get("last_edited"), path, line, "last_edited"),
            status=state["status"],
            overrides=_overrides(e, path, line, sides, classes, drugs),
        )


def _overrides(
    e: Mapping[str, Any],
    path: Path,
    line: int,
    sides: list[str],
    class_slugs: Collection[str],
    drug_slugs: Collection[str],
) -> tuple[Override, ...]:
    """`overrides: [{rule: "class:x + class:y", reason: ...}]`: this more specific rule replaces a
    named broader one."""
    raw = e.get("overrides") or []
    if not isinstance(raw, list):
        raise fail(path, line, "overrides", "must be a list of {rule, reason}")
    out = []
    for o in raw:
        if not isinstance(o, Mapping) or not isinstance(o.get("rule"), str):
            raise fail(path, line, "overrides", 'each entry needs rule: "A + B" and a reason')
        where = o.get("__line__", line)
        if not str(o.get("reason") or "").strip():
            raise fail(path, where, "overrides.reason", "say why the broader rule does not apply")
        parts = [p.strip() for p in o["rule"].split(" + ")]
        if len(parts) != 2:
            raise fail(path, where, "overrides.rule", 'write the broader rule as "A + B"')
        for p in parts:
            kind, slug = split_ref(p)
            if slug not in (class_slugs if kind is SideKind.CLASS else drug_slugs):
                raise fail(path, where, "overrides.rule", f"unknown side {p!r}")
        specific = sum(split_ref(s)[0] is SideKind.INGREDIENT for s in sides)
        broader = sum(split_ref(p)[0] is SideKind.INGREDIENT for p in parts)
        if broader >= specific:
            raise fail(
                path,
                where,
                "overrides.rule",
                "only a more specific rule may override (it must name fewer classes)",
            )
        out.append(Override(parts[0], parts[1], " ".join(o["reason"].split())))
    return tuple(out)


@dataclass(frozen=True)
class ProductEntry:
    """A combination product in content/products.yaml: a brand made of two or more drugs."""

    file: Path
    line: int
    name: str
    country: str
    ingredients: tuple[str, ...]  # drug slugs

    @classmethod
    def parse(cls, e: Mapping[str, Any], path: Path, *, drugs: Collection[str]) -> ProductEntry:
        line = _line(e) or 0
        name = req(e, "name", path)
        ingredients = req(e, "ingredients", path, list)
        if len(ingredients) < 2:
            raise fail(
                path, line, "ingredients", "a combination product needs at least two ingredients"
            )
        for drug in ingredients:
            if drug not in drugs:
                raise fail(path, line, "ingredients", f"unknown drug {drug!r}")
        return cls(path, line, name, str(e.get("country") or ""), tuple(ingredients))


@dataclass(frozen=True)
class ClassEntry:
    """A drug class in content/classes/*.yaml and the drugs in it."""

    file: Path
    line: int
    slug: str
    name: str
    kind: str  # a ClassKind value
    duplication: bool  # two members together are a therapeutic duplication
    description: str
    members: tuple[str, ...]  # drug slugs

    @classmethod
    def parse(cls, e: Mapping[str, Any], path: Path, *, drugs: Collection[str]) -> ClassEntry:
        from medref.vocab.models import ClassKind  # the kinds the class table allows

        line = _line(e) or 0
        entry_slug = slug(e, "slug", path)
        name = req(e, "name", path)
        kind = e.get("kind", "pharmacological")
        if kind not in ClassKind.values:
            raise fail(path, line, "kind", f"{kind!r}; use {', '.join(ClassKind.values)}")
        duplication = e.get("duplication", False)
        if not isinstance(duplication, bool):
            raise fail(path, line, "duplication", "must be true or false")
        members = req(e, "members", path, list)
        for member in members:
            if member not in drugs:
                raise fail(path, line, "members", f"unknown drug {member!r}")
        return cls(
            file=path,
            line=line,
            slug=entry_slug,
            name=name,
            kind=kind,
            duplication=duplication,
            description=(e.get("description") or "").strip(),
            members=tuple(members),
        )


# A Markdown document's front matter starts on line 2, after the opening '---'.
FRONT_MATTER_LINE = 2


@dataclass(frozen=True)
class PageEntry:
    """A site page in content/pages/*.md (front matter, then a Markdown body)."""

    file: Path
    line: int
    slug: str
    title: str
    body: str
    last_edited: dt.date

    @classmethod
    def parse(cls, meta: Mapping[str, Any], body: str, path: Path) -> PageEntry:
        line = FRONT_MATTER_LINE
        meta = {**meta, "__line__": line}
        entry_slug = slug(meta, "slug", path)
        title = req(meta, "title", path)
        last_edited = date(meta.get("last_edited"), path, line, "last_edited")
        if last_edited is None:
            raise fail(path, line, "last_edited", "required but missing")
        return cls(path, line, entry_slug, title, body, last_edited)


@dataclass(frozen=True)
class TranslationEntry:
    """Our English version of one text a source gives in another language
    (content/translations/<source key>/*.yaml), keyed by `medref.domain.language.text_key`."""

    file: Path
    line: int
    source_key: str
    key: str
    text: str  # whitespace collapsed


@dataclass(frozen=True)
class AssertedInteraction:
    """What a topic's text says about drugs taken together, so a test can hold the checker to
    it (tests/spec/test_topics_agree.py)."""

    drugs: tuple[str, ...]  # names as a person would type them
    severity: str  # a Severity value


CITATION_RE = re.compile(r"\[(\d+(?:\s*[,\u2013-]\s*\d+)*)\]")


def _citation_numbers(group: str) -> list[int]:
    numbers: list[int] = []
    for part in re.split(r"\s*,\s*", group):
        if re.search(r"[\u2013-]", part):
            lo, hi = (int(x) for x in re.split(r"\s*[\u2013-]\s*", part))
            numbers += list(range(lo, hi + 1))
        else:
            numbers.append(int(part))
    return numbers


@dataclass(frozen=True)
class TopicEntry:
    """A professional topic in content/topics/*.md: front matter, then a Markdown body whose
    citations [n] point into `references`."""

    file: Path
    line: int
    slug: str
    title: str
    specialty: str
    authors: str
    body: str
    body_line: int  # the file line the body starts on, for naming a bad citation
    references: tuple[Mapping[str, str], ...]
    last_edited: dt.date
    last_reviewed: dt.date | None
    review_status: str
    reviewed_by: str
    status: str  # published or retired: a draft lives in medref's editorial workflow, not here
    drugs: tuple[str, ...] = ()  # drug slugs
    related_topics: tuple[str, ...] = ()  # topic slugs
    interactions: tuple[AssertedInteraction, ...] = ()

    @classmethod
    def parse(  # noqa: C901 - the front matter's checks, in the order files were always checked
        cls,
        meta: Mapping[str, Any],
        body: str,
        body_line: int,
        path: Path,
        *,
        drugs: Collection[str],
        topics: Collection[str],
    ) -> TopicEntry:
        line = FRONT_MATTER_LINE
        meta = {**meta, "__line__": line}
        entry_slug = slug(meta, "slug", path)
        title, authors = (req(meta, key, path) for key in ("title", "authors"))
        last_edited = date(meta.get("last_edited"), path, line, "last_edited")
        if last_edited is None:
            raise fail(path, line, "last_edited", "required but missing")
        last_reviewed = date(meta.get("last_reviewed"), path, line, "last_reviewed")
        status = meta.get("status", "published")
        review_status = ReviewStatus.UNREVIEWED.value
        try:
            if status not in (None, ""):
                status = validate_status(status, topic=True)
            if meta.get("review_status") not in (None, ""):
                review_status = validate_review_status(meta["review_status"])
        except FieldError as exc:
            raise fail(path, line, exc.field, exc.message) from None
        asserted = _topic_assertions(meta, path)
        if status not in ("published", "retired"):
            raise fail(path, line, "status", f"{status!r}; use published or retired")
        for d in meta.get("drugs") or []:
            if d not in drugs:
                raise fail(path, line, "drugs", f"unknown drug {d!r}")
        for r in meta.get("related_topics") or []:
            if r not in topics:
                raise fail(path, line, "related_topics", f"unknown topic {r!r}")
        refs = references(meta, path, required=True)
        if not body:
            raise fail(path, body_line, "body", "empty")
        for offset, text in enumerate(body.splitlines()):
            for match in CITATION_RE.finditer(text):
                for n in _citation_numbers(match.group(1)):
                    if not 1 <= n <= len(refs):
                        raise fail(
                            path,
                            body_line + offset,
                            "body",
                            f"citation [{n}] has no reference (there are {len(refs)})",
                        )
        return cls(
            file=path,
            line=line,
            slug=entry_slug,
            title=title,
            specialty=str(meta.get("specialty") or "").strip(),
            authors=authors,
            body=body,
            body_line=body_line,
            references=tuple(refs),
            last_edited=last_edited,
            last_reviewed=last_reviewed,
            review_status=review_status,
            reviewed_by=str(meta.get("reviewed_by") or "").strip(),
            status=status,
            drugs=tuple(meta.get("drugs") or ()),
            related_topics=tuple(meta.get("related_topics") or ()),
            interactions=asserted,
        )


def _topic_assertions(t: Mapping[str, Any], path: Path) -> tuple[AssertedInteraction, ...]:
    """`interactions: [{drugs: [a, b], severity: major}]`, checked."""
    raw = t.get("interactions") or []
    if not isinstance(raw, list):
        raise fail(path, 2, "interactions", "must be a list of {drugs: [a, b], severity}")
    out = []
    for n, item in enumerate(raw, start=1):
        where = f"interactions[{n}]"
        if not isinstance(item, Mapping):
            raise fail(path, 2, where, "must be {drugs: [a, b], severity}")
        names = item.get("drugs")
        if (
            not isinstance(names, list)
            or len(names) < 2
            or not all(isinstance(d, str) and d.strip() for d in names)
        ):
            raise fail(path, item.get("__line__", 2), f"{where}.drugs", "name two or more drugs")
        try:
            Severity.parse(str(item.get("severity") or ""))
        except ValueError as exc:
            raise fail(path, item.get("__line__", 2), f"{where}.severity", str(exc)) from None
        out.append(
            AssertedInteraction(
                tuple(d.strip() for d in names), str(item["severity"]).strip().lower()
            )
        )
    return tuple(out)
