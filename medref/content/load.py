"""Import the team's curated files under content/ (schema: content/README.md).

Everything is parsed and validated before anything is written. The curated source is the
source of truth for what it holds: a re-import adds, updates and removes its own rows only,
and never touches another source's ratings.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console

from medref.domain.fields import (
    MONOGRAPH_FIELDS,
    MONOGRAPH_TEXT,
    FieldError,
    validate_references,
    validate_review_status,
    validate_status,
)
from medref.domain.kinds import IngredientKind
from medref.domain.sources import CURATED
from medref.editorial.models import workflow_edited_ids
from medref.knowledge.importers.base import (
    ImportFailed,
    Summary,
    commit,
    fail,
    refuse_mass_removal,
    sha256_of,
    upsert_source,
)
from medref.knowledge.importers.yamlfile import LineLoader, load_yaml
from medref.knowledge.models import Interaction
from medref.knowledge.severity import Evidence, ReviewStatus, Severity
from medref.vocab.codes import CODE_TYPES
from medref.vocab.models import (
    ClassKind,
    ClassMembership,
    Code,
    DrugClass,
    Ingredient,
    Name,
    NameKind,
    Product,
)
from medref.vocab.normalize import normalize

SOURCE_KEY = CURATED  # the team's own content files
SLUG_RE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
COUNTRY_RE = re.compile(r"[A-Z]{2}")
CITATION_RE = re.compile(r"\[(\d+(?:\s*[,\u2013-]\s*\d+)*)\]")
ONSETS = {"rapid", "delayed", "unspecified"}
NAME_LISTS = {
    "us": NameKind.US,
    "uk": NameKind.UK,
    "synonyms": NameKind.SYNONYM,
    "salts": NameKind.SALT,
    "misspellings": NameKind.MISSPELLING,
}


def _split_front_matter(path: Path) -> tuple[dict, str, int]:
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        raise fail(path, 1, "front matter", "must start with a '---' line")
    end = text.find("\n---\n", 4)
    if end < 0:
        raise fail(path, 1, "front matter", "no closing '---' line")
    meta = yaml.load(text[4:end], Loader=LineLoader)  # noqa: S506
    if not isinstance(meta, dict):
        raise fail(path, 2, "front matter", "must be a mapping")
    body_start_line = text[: end + 5].count("\n") + 1
    return meta, text[end + 5 :], body_start_line


@dataclass
class Bundle:
    drugs: list[dict] = field(default_factory=list)
    products: list[dict] = field(default_factory=list)
    classes: list[dict] = field(default_factory=list)
    interactions: list[dict] = field(default_factory=list)
    topics: list[dict] = field(default_factory=list)
    pages: list[dict] = field(default_factory=list)
    # (source key, text key) -> (English text, file, line)
    translations: dict[tuple[str, str], tuple[str, Path, int]] = field(default_factory=dict)


def _req(entry: dict, key: str, path: Path, kind: type = str) -> Any:
    line = entry.get("__line__")
    if key not in entry or entry[key] in (None, ""):
        raise fail(path, line, key, "required but missing")
    value = entry[key]
    if kind is str and not isinstance(value, str):
        raise fail(path, line, key, f"must be text, got {type(value).__name__}")
    if kind is list and not isinstance(value, list):
        raise fail(path, line, key, "must be a list")
    return value.strip() if isinstance(value, str) else value


def _opt_str(entry: dict, key: str, path: Path) -> str:
    value = entry.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise fail(path, entry.get("__line__"), key, "must be text")
    return value.strip()


def _slug(entry: dict, key: str, path: Path) -> str:
    slug = _req(entry, key, path)
    if not SLUG_RE.fullmatch(slug):
        raise fail(
            path,
            entry.get("__line__"),
            key,
            f"{slug!r} is not a slug (lower-case words joined by '-')",
        )
    return slug


def _list_of_entries(path: Path, data: Any) -> list[dict]:
    if data is None:
        return []
    if not isinstance(data, list) or not all(isinstance(e, dict) for e in data):
        raise fail(path, 1, "-", "the file must be a YAML list of mappings")
    for entry in data:
        entry["__file__"] = path
    return data


def _references(entry: dict, path: Path, *, required: bool) -> list[dict]:
    refs = entry.get("references") or []
    if isinstance(refs, list):
        refs = [{"text": r} if isinstance(r, str) else r for r in refs]
    try:
        return validate_references(refs, required=required)
    except FieldError as exc:
        raise fail(path, entry.get("__line__"), exc.field, exc.message) from None


def _topic_assertions(t: dict, path: Path) -> None:
    """`interactions: [{drugs: [a, b], severity: major}]`: what the topic's text asserts, so a
    test can hold the checker to it (tests/spec/test_topics_agree.py)."""
    raw = t.get("interactions") or []
    if not isinstance(raw, list):
        raise fail(path, 2, "interactions", "must be a list of {drugs: [a, b], severity}")
    for n, item in enumerate(raw, start=1):
        where = f"interactions[{n}]"
        if not isinstance(item, dict):
            raise fail(path, 2, where, "must be {drugs: [a, b], severity}")
        drugs = item.get("drugs")
        if (
            not isinstance(drugs, list)
            or len(drugs) < 2
            or not all(isinstance(d, str) and d.strip() for d in drugs)
        ):
            raise fail(path, item.get("__line__", 2), f"{where}.drugs", "name two or more drugs")
        try:
            Severity.parse(str(item.get("severity") or ""))
        except ValueError as exc:
            raise fail(path, item.get("__line__", 2), f"{where}.severity", str(exc)) from None


def _document_state(e: dict, path: Path, line: int | None, *, topic: bool) -> None:
    """`status` and `review_status`, when given, must be values the site understands: a
    monograph marked `status: draftish` would silently leave the checker."""
    for key, check in (
        ("status", lambda v: validate_status(v, topic=topic)),
        ("review_status", validate_review_status),
    ):
        if e.get(key) not in (None, ""):
            try:
                e[key] = check(e[key])
            except FieldError as exc:
                raise fail(path, line, exc.field, exc.message) from None


def _overrides(e: dict, path: Path, line: int, sides: list[str], class_slugs, drug_slugs) -> None:
    """`overrides: [{rule: "class:x + class:y", reason: ...}]`: this more specific rule replaces a
    named broader one. Checked here; stored as [{a, b, reason}] in e["__overrides__"]."""
    raw = e.get("overrides") or []
    if not isinstance(raw, list):
        raise fail(path, line, "overrides", "must be a list of {rule, reason}")
    out = []
    for o in raw:
        if not isinstance(o, dict) or not isinstance(o.get("rule"), str):
            raise fail(path, line, "overrides", 'each entry needs rule: "A + B" and a reason')
        where = o.get("__line__", line)
        if not str(o.get("reason") or "").strip():
            raise fail(path, where, "overrides.reason", "say why the broader rule does not apply")
        parts = [p.strip() for p in o["rule"].split(" + ")]
        if len(parts) != 2:
            raise fail(path, where, "overrides.rule", 'write the broader rule as "A + B"')
        for p in parts:
            known = class_slugs if p.startswith("class:") else drug_slugs
            if (p[6:] if p.startswith("class:") else p) not in known:
                raise fail(path, where, "overrides.rule", f"unknown side {p!r}")
        specific = sum(not s.startswith("class:") for s in sides)
        broader = sum(not p.startswith("class:") for p in parts)
        if broader >= specific:
            raise fail(
                path,
                where,
                "overrides.rule",
                "only a more specific rule may override (it must name fewer classes)",
            )
        out.append({"a": parts[0], "b": parts[1], "reason": " ".join(o["reason"].split())})
    e["__overrides__"] = out


def _date(value: Any, path: Path, line: int | None, key: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise fail(path, line, key, f"{value!r} is not a date (YYYY-MM-DD)") from None


def parse_content(root: Path) -> Bundle:
    """Read and validate every file under root. Raises ImportFailed naming file, line and field."""
    root = Path(root)
    if not root.is_dir():
        raise ImportFailed(f"{root}: not a folder")
    b = Bundle()
    for path in sorted((root / "drugs").glob("*.yaml")):
        b.drugs += _list_of_entries(path, load_yaml(path))
    products_path = root / "products.yaml"
    if products_path.exists():
        b.products = _list_of_entries(products_path, load_yaml(products_path))
    for path in sorted((root / "classes").glob("*.yaml")):
        b.classes += _list_of_entries(path, load_yaml(path))
    for path in sorted((root / "interactions").glob("*.yaml")):
        b.interactions += _list_of_entries(path, load_yaml(path))
    for folder, target in (("topics", b.topics), ("pages", b.pages)):
        for path in sorted((root / folder).glob("*.md")):
            meta, body, body_line = _split_front_matter(path)
            meta.update({"__file__": path, "__body__": body.strip(), "__body_line__": body_line})
            target.append(meta)
    b.translations = _parse_translations(root / "translations")
    _validate(b)
    return b


TRANSLATION_KEY_RE = re.compile(r"[0-9a-f]{12}")


def _parse_translations(folder: Path) -> dict[tuple[str, str], tuple[str, Path, int]]:
    """content/translations/<source key>/*.yaml: our English version of each text a source gives
    in another language, keyed by `medref.domain.language.text_key` of the original."""
    from medref.domain.language import french_words, looks_french

    out: dict[tuple[str, str], tuple[str, Path, int]] = {}
    if not folder.is_dir():
        return out
    for path in sorted(folder.glob("*/*.yaml")):
        source_key = path.parent.name
        data = load_yaml(path) or {}
        if not isinstance(data, dict):
            raise fail(path, 1, "-", "expected a mapping of text key to English text")
        lines = path.read_text(encoding="utf-8").splitlines()
        line_of = {ln.split(":", 1)[0].strip(): n for n, ln in enumerate(lines, 1) if ":" in ln}
        for key, text in data.items():
            if key == "__line__":
                continue
            line = line_of.get(str(key))
            if not TRANSLATION_KEY_RE.fullmatch(str(key)):
                raise fail(path, line, str(key), "a key is 12 lower-case hex digits (text_key)")
            if not isinstance(text, str) or not text.strip():
                raise fail(path, line, str(key), "the English text is missing")
            if looks_french(text):
                raise fail(
                    path, line, str(key), f"still reads as French ({', '.join(french_words(text))})"
                )
            if (source_key, key) in out:
                first = out[(source_key, key)]
                raise fail(
                    path, line, str(key), f"translated twice; first at {first[1]}:{first[2]}"
                )
            out[(source_key, key)] = (" ".join(text.split()), path, line or 0)
    return out


def _validate(b: Bundle) -> None:  # noqa: C901 - one pass per kind, kept together on purpose
    drug_slugs: dict[str, dict] = {}
    for e in b.drugs:
        path, line = e["__file__"], e["__line__"]
        slug = _slug(e, "slug", path)
        if slug in drug_slugs:
            first = drug_slugs[slug]
            raise fail(
                path,
                line,
                "slug",
                f"{slug!r} is already defined at {first['__file__']}:{first['__line__']}",
            )
        drug_slugs[slug] = e
        _req(e, "name", path)
        try:
            e["kind"] = IngredientKind.parse(e.get("kind") or IngredientKind.MEDICINE).value
        except ValueError as exc:
            raise fail(path, line, "kind", str(exc)) from None
        names = e.get("names") or {}
        if not isinstance(names, dict):
            raise fail(path, line, "names", "must be a mapping of name lists")
        for key, values in names.items():
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
        for brand in e.get("brands") or []:
            if not isinstance(brand, dict) or not isinstance(brand.get("name"), str):
                raise fail(path, line, "brands", "each brand needs a name")
            country = brand.get("country", "")
            if country and not COUNTRY_RE.fullmatch(str(country)):
                raise fail(
                    path,
                    brand.get("__line__", line),
                    "brands.country",
                    f"{country!r} is not an ISO 3166 alpha-2 code",
                )
        codes = e.get("codes") or {}
        if not isinstance(codes, dict):
            raise fail(
                path, line, "codes", "must be a mapping of code system to code, e.g. atc: [N02BE01]"
            )
        for system, value in codes.items():
            if system == "__line__":
                continue
            if system not in CODE_TYPES:
                raise fail(
                    path,
                    line,
                    f"codes.{system}",
                    f"unknown code system; use {', '.join(CODE_TYPES)}",
                )
            values = value if isinstance(value, list) else [value]
            for v in values:
                try:
                    CODE_TYPES[system](str(v).strip())
                except ValueError as exc:
                    raise fail(
                        path, codes.get("__line__", line), f"codes.{system}", str(exc)
                    ) from None
    seen_products: dict[str, dict] = {}
    for e in b.products:
        path, line = e["__file__"], e["__line__"]
        name = _req(e, "name", path)
        key = normalize(name)
        if key in seen_products:
            raise fail(path, line, "name", f"product {name!r} is defined twice")
        seen_products[key] = e
        ingredients = _req(e, "ingredients", path, list)
        if len(ingredients) < 2:
            raise fail(
                path, line, "ingredients", "a combination product needs at least two ingredients"
            )
        for slug in ingredients:
            if slug not in drug_slugs:
                raise fail(path, line, "ingredients", f"unknown drug {slug!r}")
    class_slugs: dict[str, dict] = {}
    for e in b.classes:
        path, line = e["__file__"], e["__line__"]
        slug = _slug(e, "slug", path)
        if slug in class_slugs:
            raise fail(path, line, "slug", f"class {slug!r} is defined twice")
        class_slugs[slug] = e
        _req(e, "name", path)
        kind = e.get("kind", "pharmacological")
        if kind not in ClassKind.values:
            raise fail(path, line, "kind", f"{kind!r}; use {', '.join(ClassKind.values)}")
        if not isinstance(e.get("duplication", False), bool):
            raise fail(path, line, "duplication", "must be true or false")
        for slug_m in _req(e, "members", path, list):
            if slug_m not in drug_slugs:
                raise fail(path, line, "members", f"unknown drug {slug_m!r}")
    seen_pairs: dict[str, dict] = {}
    for e in b.interactions:
        path, line = e["__file__"], e["__line__"]
        sides = []
        for key in ("a", "b"):
            side = _req(e, key, path)
            if side.startswith("class:"):
                if side[6:] not in class_slugs:
                    raise fail(path, line, key, f"unknown class {side[6:]!r}")
            elif side not in drug_slugs:
                raise fail(path, line, key, f"unknown drug {side!r}")
            sides.append(side)
        if sides[0] == sides[1] and not sides[0].startswith("class:"):
            raise fail(path, line, "b", "a drug cannot interact with itself")
        key = "|".join(sorted(sides))
        if key in seen_pairs:
            first = seen_pairs[key]
            raise fail(
                path,
                line,
                "a/b",
                f"duplicate pair {sides[0]} + {sides[1]}; first at {first['__file__']}:{first['__line__']}",
            )
        seen_pairs[key] = e
        try:
            Severity.parse(_req(e, "severity", path))
        except ValueError as exc:
            raise fail(path, line, "severity", str(exc)) from None
        evidence = _opt_str(e, "evidence", path)
        if evidence and evidence not in {v.value for v in Evidence}:
            raise fail(
                path, line, "evidence", f"{evidence!r}; use {', '.join(v.value for v in Evidence)}"
            )
        onset = _opt_str(e, "onset", path)
        if onset and onset not in ONSETS:
            raise fail(path, line, "onset", f"{onset!r}; use {', '.join(sorted(ONSETS))}")
        for key in MONOGRAPH_TEXT:
            _req(e, key, path)
        _references(e, path, required=True)
        _document_state(e, path, line, topic=False)
        _overrides(e, path, line, sides, class_slugs, drug_slugs)
    for e in b.interactions:  # a named broader rule must exist
        for o in e.get("__overrides__", []):
            if "|".join(sorted((o["a"], o["b"]))) not in seen_pairs:
                raise fail(
                    e["__file__"],
                    e["__line__"],
                    "overrides.rule",
                    f"no curated rule {o['a']} + {o['b']} to override",
                )
    topic_slugs = {t.get("slug") for t in b.topics}
    seen_topics: set[str] = set()
    for t in b.topics:
        path = t["__file__"]
        t["__line__"] = 2
        slug = _slug(t, "slug", path)
        if slug in seen_topics:
            raise fail(path, 2, "slug", f"topic {slug!r} is defined twice")
        seen_topics.add(slug)
        for key in ("title", "authors"):
            _req(t, key, path)
        if _date(t.get("last_edited"), path, 2, "last_edited") is None:
            raise fail(path, 2, "last_edited", "required but missing")
        _date(t.get("last_reviewed"), path, 2, "last_reviewed")
        _document_state(t, path, 2, topic=True)
        _topic_assertions(t, path)
        if t.get("status", "published") not in ("published", "retired"):
            raise fail(path, 2, "status", f"{t.get('status')!r}; use published or retired")
        for d in t.get("drugs") or []:
            if d not in drug_slugs:
                raise fail(path, 2, "drugs", f"unknown drug {d!r}")
        for r in t.get("related_topics") or []:
            if r not in topic_slugs:
                raise fail(path, 2, "related_topics", f"unknown topic {r!r}")
        refs = _references(t, path, required=True)
        if not t["__body__"]:
            raise fail(path, t["__body_line__"], "body", "empty")
        for offset, body_line in enumerate(t["__body__"].splitlines()):
            for match in CITATION_RE.finditer(body_line):
                for n in _citation_numbers(match.group(1)):
                    if not 1 <= n <= len(refs):
                        raise fail(
                            path,
                            t["__body_line__"] + offset,
                            "body",
                            f"citation [{n}] has no reference (there are {len(refs)})",
                        )
    for p in b.pages:
        path = p["__file__"]
        p["__line__"] = 2
        _slug(p, "slug", path)
        _req(p, "title", path)
        if _date(p.get("last_edited"), path, 2, "last_edited") is None:
            raise fail(path, 2, "last_edited", "required but missing")


def _citation_numbers(group: str) -> list[int]:
    numbers: list[int] = []
    for part in re.split(r"\s*,\s*", group):
        if re.search(r"[\u2013-]", part):
            lo, hi = (int(x) for x in re.split(r"\s*[\u2013-]\s*", part))
            numbers += list(range(lo, hi + 1))
        else:
            numbers.append(int(part))
    return numbers


SOURCE_DEFAULTS = {
    "name": "medref curated content",
    "licence": "CC BY 4.0",
    "licence_url": "https://creativecommons.org/licenses/by/4.0/",
    "url": "",
    "non_commercial": False,
    "language": "en",
    "citation": "medref editorial team. Unreviewed starter content.",
}


def import_content(
    *, path: str | Path, console: Console, dry_run: bool = False, overwrite_workflow: bool = False
) -> Summary:
    """Load a content folder. Documents changed through the editorial workflow are left alone
    unless overwrite_workflow (set by `medref content import` after its conflict check)."""
    root = Path(path)
    bundle = parse_content(root)
    summary = Summary(title=f"content import from {root}")
    files = [p for p in root.rglob("*") if p.is_file() and p.suffix in {".yaml", ".md"}]
    checksum = sha256_of(files)

    def write(summary: Summary) -> None:
        source = upsert_source(
            key=SOURCE_KEY,
            defaults={**SOURCE_DEFAULTS, "version": checksum[:12], "checksum": checksum},
        )
        ingredients = _write_drugs(bundle, source, summary)
        _write_products(bundle, source, ingredients, summary)
        classes = _write_classes(bundle, source, ingredients, summary)
        _write_interactions(bundle, source, ingredients, classes, summary, overwrite_workflow)
        _write_topics(bundle, source, ingredients, summary, overwrite_workflow)
        _write_pages(bundle, source, summary)
        _write_translations(bundle, summary)
        from medref.reference.search import rebuild_index

        rebuild_index()

    return commit(write, console=console, summary=summary, dry_run=dry_run)


def _write_translations(b: Bundle, summary: Summary) -> None:
    from medref.knowledge.models import Translation

    existing = {(t.source_key, t.key): t for t in Translation.objects.all()}
    fresh, changed = [], []
    for (source_key, key), (text, path, _line) in b.translations.items():
        origin = str(path.relative_to(path.parents[2])) if len(path.parents) > 2 else path.name
        note = f"translated from the {source_key.upper()} source by the medref team, unreviewed"
        row = existing.get((source_key, key))
        if row is None:
            fresh.append(
                Translation(source_key=source_key, key=key, text=text, origin=origin, note=note)
            )
        elif (row.text, row.origin) != (text, origin):
            row.text, row.origin, row.note = text, origin, note
            changed.append(row)
    stale = [t.id for k, t in existing.items() if k not in b.translations]
    Translation.objects.bulk_create(fresh, batch_size=2000)
    Translation.objects.bulk_update(changed, ["text", "origin", "note"], batch_size=1000)
    Translation.objects.filter(id__in=stale).delete()
    summary.read["translations"] += len(b.translations)
    summary.added["translations"] += len(fresh)
    summary.updated["translations"] += len(changed)
    summary.removed["translations"] += len(stale)
    summary.unchanged["translations"] += len(b.translations) - len(fresh) - len(changed)


def _names_of(e: dict) -> list[tuple[str, str, str]]:
    """(display name, kind, country) for every name an entry declares, in file order."""
    out = [(e["name"].strip(), str(NameKind.INN), "")]
    for key, kind in NAME_LISTS.items():
        for value in (e.get("names") or {}).get(key, []) or []:
            out.append((value.strip(), str(kind), ""))
    for brand in e.get("brands") or []:
        out.append((brand["name"].strip(), str(NameKind.BRAND), str(brand.get("country") or "")))
    return out


def _write_drugs(b: Bundle, source, summary: Summary) -> dict[str, Ingredient]:
    existing = {i.slug: i for i in Ingredient.objects.all()}
    result: dict[str, Ingredient] = {}
    for e in b.drugs:
        summary.read["drugs"] += 1
        slug, name, kind = e["slug"], e["name"].strip(), e["kind"]
        ing = existing.get(slug)
        if ing is None:
            ing = Ingredient.objects.create(slug=slug, name=name, kind=kind, source=source)
            summary.added["drugs"] += 1
        elif ing.name != name or ing.kind != kind or ing.source_id != source.id:
            ing.name, ing.kind, ing.source = name, kind, source
            ing.save(update_fields=["name", "kind", "source"])
            summary.updated["drugs"] += 1
        else:
            summary.unchanged["drugs"] += 1
        result[slug] = ing
    # Names: make this source's names for each ingredient exactly what the files say.
    current: dict[tuple, int] = {
        (n.ingredient_id, n.normalized, n.kind, n.country, n.name): n.id
        for n in Name.objects.filter(source=source)
    }
    wanted: dict[tuple, Name] = {}
    seen_keys: set[tuple] = set()
    for e in b.drugs:
        ing = result[e["slug"]]
        for display, kind, country in _names_of(e):
            key = (ing.id, normalize(display), kind, country, display)
            # One row per (ingredient, normalised, kind, country): the first spelling wins.
            if key[:4] in seen_keys:
                continue
            seen_keys.add(key[:4])
            wanted[key] = Name(
                ingredient=ing,
                name=display,
                normalized=key[1],
                kind=kind,
                country=country,
                source=source,
            )
    _sync(current, wanted, Name, "names", summary)
    current_codes = {
        (c.ingredient_id, c.system, c.value): c.id for c in Code.objects.filter(source=source)
    }
    wanted_codes: dict[tuple, Code] = {}
    for e in b.drugs:
        ing = result[e["slug"]]
        for system, value in (e.get("codes") or {}).items():
            if system == "__line__":
                continue
            for v in value if isinstance(value, list) else [value]:
                key = (ing.id, system, str(v).strip())
                wanted_codes[key] = Code(ingredient=ing, system=system, value=key[2], source=source)
    _sync(current_codes, wanted_codes, Code, "codes", summary)
    return result


def _sync(current: dict, wanted: dict, model, label: str, summary: Summary) -> None:
    stale = [pk for key, pk in current.items() if key not in wanted]
    fresh = [obj for key, obj in wanted.items() if key not in current]
    summary.read[label] += len(wanted)
    if stale:
        model.objects.filter(pk__in=stale).delete()
        summary.removed[label] += len(stale)
    if fresh:
        model.objects.bulk_create(fresh, batch_size=2000)
        summary.added[label] += len(fresh)
    summary.unchanged[label] += len(wanted) - len(fresh)


def _write_products(
    b: Bundle, source, ingredients: dict[str, Ingredient], summary: Summary
) -> None:
    existing = {
        p.normalized: p
        for p in Product.objects.filter(source=source).prefetch_related("ingredients")
    }
    seen = set()
    for e in b.products:
        summary.read["products"] += 1
        key = normalize(e["name"])
        seen.add(key)
        wanted_ids = {ingredients[s].id for s in e["ingredients"]}
        country = str(e.get("country") or "")
        product = existing.get(key)
        if product is None:
            product = Product.objects.create(
                name=e["name"].strip(), normalized=key, country=country, source=source
            )
            product.ingredients.set(wanted_ids)
            summary.added["products"] += 1
        elif (
            {i.id for i in product.ingredients.all()} != wanted_ids
            or product.country != country
            or product.name != e["name"].strip()
        ):
            product.name, product.country = e["name"].strip(), country
            product.save()
            product.ingredients.set(wanted_ids)
            summary.updated["products"] += 1
        else:
            summary.unchanged["products"] += 1
    stale = [p.id for k, p in existing.items() if k not in seen]
    if stale:
        Product.objects.filter(id__in=stale).delete()
        summary.removed["products"] += len(stale)


def _write_classes(
    b: Bundle, source, ingredients: dict[str, Ingredient], summary: Summary
) -> dict[str, DrugClass]:
    existing = {c.slug: c for c in DrugClass.objects.filter(source=source)}
    result = {}
    for e in b.classes:
        summary.read["classes"] += 1
        fields = {
            "name": e["name"].strip(),
            "kind": e.get("kind", "pharmacological"),
            "duplication": bool(e.get("duplication", False)),
            "description": (e.get("description") or "").strip(),
        }
        cls = existing.get(e["slug"])
        if cls is None:
            cls = DrugClass.objects.create(slug=e["slug"], source=source, **fields)
            summary.added["classes"] += 1
        elif any(getattr(cls, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(cls, k, v)
            cls.save()
            summary.updated["classes"] += 1
        else:
            summary.unchanged["classes"] += 1
        result[e["slug"]] = cls
    stale = [c.id for slug, c in existing.items() if slug not in result]
    if stale:
        DrugClass.objects.filter(id__in=stale).delete()
        summary.removed["classes"] += len(stale)
    current = {
        (m.drug_class_id, m.ingredient_id): m.id
        for m in ClassMembership.objects.filter(source=source)
    }
    wanted = {}
    for e in b.classes:
        for slug in e["members"]:
            key = (result[e["slug"]].id, ingredients[slug].id)
            wanted[key] = ClassMembership(drug_class_id=key[0], ingredient_id=key[1], source=source)
    _sync(current, wanted, ClassMembership, "class memberships", summary)
    return result


_INTERACTION_FIELDS = (
    *MONOGRAPH_FIELDS,
    "records",
    "review_status",
    "reviewed_by",
    "reviewed_at",
    "last_edited",
    "status",
    "overrides",
)


def _write_interactions(
    b: Bundle, source, ingredients, classes, summary: Summary, overwrite_workflow: bool = False
) -> None:
    existing = {i.pair_key: i for i in Interaction.objects.filter(source=source)}
    edited = set() if overwrite_workflow else workflow_edited_ids("interaction")
    seen = set()
    to_create, to_update = [], []
    for e in b.interactions:
        summary.read["interactions"] += 1
        sides = {}
        for key in ("a", "b"):
            side = e[key]
            if side.startswith("class:"):
                sides[f"{key}_class"] = classes[side[6:]]
                sides[f"{key}_ingredient"] = None
            else:
                sides[f"{key}_ingredient"] = ingredients[side]
                sides[f"{key}_class"] = None
        obj = Interaction(source=source, **sides)
        obj.pair_key = obj.compute_pair_key()
        values = {
            "severity": Severity.parse(e["severity"]).value,
            "evidence": _opt_str(e, "evidence", e["__file__"]),
            "onset": _opt_str(e, "onset", e["__file__"]),
            **{key: e[key].strip() for key in MONOGRAPH_TEXT},
            "references": _references(e, e["__file__"], required=True),
            "records": [f"{e['__file__'].name}:{e['__line__']}"],
            "review_status": e.get("review_status") or ReviewStatus.UNREVIEWED.value,
            "reviewed_by": _opt_str(e, "reviewed_by", e["__file__"]),
            "reviewed_at": _date(e.get("reviewed_at"), e["__file__"], e["__line__"], "reviewed_at"),
            "last_edited": _date(e.get("last_edited"), e["__file__"], e["__line__"], "last_edited"),
            "status": e.get("status") or "published",
            "overrides": e.get("__overrides__", []),
        }
        seen.add(obj.pair_key)
        current = existing.get(obj.pair_key)
        if current is not None and current.pk in edited:
            summary.skipped[
                ("interactions", "changed through the editorial workflow; not overwritten")
            ] += 1
            continue
        if current is None:
            for k, v in values.items():
                setattr(obj, k, v)
            to_create.append(obj)
        elif any(getattr(current, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(current, k, v)
            to_update.append(current)
        else:
            summary.unchanged["interactions"] += 1
    Interaction.objects.bulk_create(to_create, batch_size=1000)
    Interaction.objects.bulk_update(to_update, list(_INTERACTION_FIELDS), batch_size=500)
    stale = [i.id for k, i in existing.items() if k not in seen]
    refuse_mass_removal(source=source, existing=len(existing), removing=len(stale))
    if stale:
        Interaction.objects.filter(id__in=stale).delete()
    summary.added["interactions"] += len(to_create)
    summary.updated["interactions"] += len(to_update)
    summary.removed["interactions"] += len(stale)


def _write_topics(
    b: Bundle, source, ingredients, summary: Summary, overwrite_workflow: bool = False
) -> None:
    from medref.reference.models import Topic

    existing = {t.slug: t for t in Topic.objects.all()}
    edited = set() if overwrite_workflow else workflow_edited_ids("topic")
    by_slug = {}
    for t in b.topics:
        summary.read["topics"] += 1
        last_reviewed = _date(t.get("last_reviewed"), t["__file__"], 2, "last_reviewed")
        fields = {
            "title": t["title"].strip(),
            "specialty": str(t.get("specialty") or "").strip(),
            "authors": t["authors"].strip(),
            "body": t["__body__"],
            "references": _references(t, t["__file__"], required=True),
            "last_edited": _date(t["last_edited"], t["__file__"], 2, "last_edited"),
            "last_reviewed": last_reviewed,
            "review_status": ReviewStatus.REVIEWED.value
            if last_reviewed
            else ReviewStatus.UNREVIEWED.value,
            "reviewed_by": str(t.get("reviewed_by") or "").strip(),
            "status": t.get("status") or Topic.Status.PUBLISHED,
            "asserted_interactions": [
                {
                    "drugs": [str(d).strip() for d in a["drugs"]],
                    "severity": str(a["severity"]).strip().lower(),
                }
                for a in t.get("interactions") or []
            ],
        }
        topic = existing.get(t["slug"])
        if topic is not None and topic.pk in edited:
            summary.skipped[
                ("topics", "changed through the editorial workflow; not overwritten")
            ] += 1
            by_slug[t["slug"]] = topic
            continue
        if topic is None:
            topic = Topic.objects.create(slug=t["slug"], source=source, **fields)
            summary.added["topics"] += 1
        elif any(getattr(topic, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(topic, k, v)
            topic.save()
            summary.updated["topics"] += 1
        else:
            summary.unchanged["topics"] += 1
        by_slug[t["slug"]] = topic
    for t in b.topics:
        topic = by_slug[t["slug"]]
        wanted_drugs = {ingredients[d].id for d in t.get("drugs") or []}
        if set(topic.drugs.values_list("id", flat=True)) != wanted_drugs:
            topic.drugs.set(wanted_drugs)
        wanted_related = {by_slug[r].id for r in t.get("related_topics") or []}
        if set(topic.related.values_list("id", flat=True)) != wanted_related:
            topic.related.set(wanted_related)
    # A topic dropped from the files is retired, never deleted: annotations point at it.
    gone = [
        t.id
        for slug, t in existing.items()
        if slug not in by_slug and t.source_id == source.id and t.status != Topic.Status.RETIRED
    ]
    if gone:
        Topic.objects.filter(id__in=gone).update(status=Topic.Status.RETIRED)
        summary.removed["topics"] += len(gone)


def _write_pages(b: Bundle, source, summary: Summary) -> None:
    from medref.reference.models import Page

    existing = {p.slug: p for p in Page.objects.all()}
    for p in b.pages:
        summary.read["pages"] += 1
        fields = {
            "title": p["title"].strip(),
            "body": p["__body__"],
            "last_edited": _date(p["last_edited"], p["__file__"], 2, "last_edited"),
        }
        page = existing.get(p["slug"])
        if page is None:
            Page.objects.create(slug=p["slug"], source=source, **fields)
            summary.added["pages"] += 1
        elif any(getattr(page, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(page, k, v)
            page.save()
            summary.updated["pages"] += 1
        else:
            summary.unchanged["pages"] += 1
