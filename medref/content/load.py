"""Import the team's curated files under content/ (schema: content/README.md).

Everything is parsed and validated before anything is written. The curated source is the
source of truth for what it holds: a re-import adds, updates and removes its own rows only,
and never touches another source's ratings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console

from medref.content.schema import (
    ClassEntry,
    DrugEntry,
    InteractionEntry,
    PageEntry,
    ProductEntry,
    TopicEntry,
    TranslationEntry,
)
from medref.domain.fields import (
    MONOGRAPH_FIELDS,
    MONOGRAPH_TEXT,
)
from medref.domain.sides import SideKind, ref_pair_key, split_ref
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
from medref.knowledge.importers.sync import sync_rows
from medref.knowledge.importers.yamlfile import LineLoader, load_yaml
from medref.knowledge.models import Interaction
from medref.knowledge.severity import ReviewStatus
from medref.vocab.models import (
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
    drugs: list[DrugEntry] = field(default_factory=list)
    products: list[ProductEntry] = field(default_factory=list)
    classes: list[ClassEntry] = field(default_factory=list)
    interactions: list[InteractionEntry] = field(default_factory=list)
    topics: list[TopicEntry] = field(default_factory=list)
    pages: list[PageEntry] = field(default_factory=list)
    translations: dict[tuple[str, str], TranslationEntry] = field(default_factory=dict)


def _list_of_entries(path: Path, data: Any) -> list[dict]:
    if data is None:
        return []
    if not isinstance(data, list) or not all(isinstance(e, dict) for e in data):
        raise fail(path, 1, "-", "the file must be a YAML list of mappings")
    for entry in data:
        entry["__file__"] = path
    return data


def parse_content(root: Path) -> Bundle:
    """Read and validate every file under root. Raises ImportFailed naming file, line and field."""
    root = Path(root)
    if not root.is_dir():
        raise ImportFailed(f"{root}: not a folder")
    # The raw YAML entries of each kind, each carrying its "__file__" until _validate turns them
    # into records.
    raw: dict[str, list[dict]] = {"drugs": [], "products": [], "classes": [], "interactions": []}
    for path in sorted((root / "drugs").glob("*.yaml")):
        raw["drugs"] += _list_of_entries(path, load_yaml(path))
    products_path = root / "products.yaml"
    if products_path.exists():
        raw["products"] = _list_of_entries(products_path, load_yaml(products_path))
    for path in sorted((root / "classes").glob("*.yaml")):
        raw["classes"] += _list_of_entries(path, load_yaml(path))
    for path in sorted((root / "interactions").glob("*.yaml")):
        raw["interactions"] += _list_of_entries(path, load_yaml(path))
    raw["topics"] = []
    for path in sorted((root / "topics").glob("*.md")):
        meta, body, body_line = _split_front_matter(path)
        meta.update({"__file__": path, "__body__": body.strip(), "__body_line__": body_line})
        raw["topics"].append(meta)
    pages = []
    for path in sorted((root / "pages").glob("*.md")):
        meta, body, _body_line = _split_front_matter(path)
        pages.append((meta, body.strip(), path))
    b = Bundle(translations=_parse_translations(root / "translations"))
    _validate(b, raw)
    # Pages last, as they always were checked: with several mistakes, the first one named stays
    # the same.
    b.pages = [PageEntry.parse(meta, body, path) for meta, body, path in pages]
    return b


TRANSLATION_KEY_RE = re.compile(r"[0-9a-f]{12}")


def _parse_translations(folder: Path) -> dict[tuple[str, str], TranslationEntry]:
    """content/translations/<source key>/*.yaml: our English version of each text a source gives
    in another language, keyed by `medref.domain.language.text_key` of the original."""
    from medref.domain.language import french_words, looks_french

    out: dict[tuple[str, str], TranslationEntry] = {}
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
                    path, line, str(key), f"translated twice; first at {first.file}:{first.line}"
                )
            out[(source_key, key)] = TranslationEntry(
                file=path,
                line=line or 0,
                source_key=source_key,
                key=key,
                text=" ".join(text.split()),
            )
    return out


def _validate(b: Bundle, raw: dict[str, list[dict]]) -> None:  # noqa: C901 - one pass per kind
    """Parse the YAML entries into records (appended to `b`) and check every kind, including
    what one entry says about another (an unknown drug, a pair given twice)."""
    drug_slugs: dict[str, DrugEntry] = {}
    for entry in raw["drugs"]:
        drug = DrugEntry.parse(entry, entry["__file__"])
        if drug.slug in drug_slugs:
            first = drug_slugs[drug.slug]
            raise fail(
                drug.file,
                drug.line,
                "slug",
                f"{drug.slug!r} is already defined at {first.file}:{first.line}",
            )
        drug_slugs[drug.slug] = drug
        b.drugs.append(drug)
    seen_products: set[str] = set()
    for entry in raw["products"]:
        product = ProductEntry.parse(entry, entry["__file__"], drugs=drug_slugs)
        if normalize(product.name) in seen_products:
            raise fail(
                product.file, product.line, "name", f"product {product.name!r} is defined twice"
            )
        seen_products.add(normalize(product.name))
        b.products.append(product)
    class_slugs: set[str] = set()
    for entry in raw["classes"]:
        drug_class = ClassEntry.parse(entry, entry["__file__"], drugs=drug_slugs)
        if drug_class.slug in class_slugs:
            raise fail(
                drug_class.file,
                drug_class.line,
                "slug",
                f"class {drug_class.slug!r} is defined twice",
            )
        class_slugs.add(drug_class.slug)
        b.classes.append(drug_class)
    seen_pairs: dict[str, InteractionEntry] = {}
    for entry in raw["interactions"]:
        e = InteractionEntry.parse(entry, entry["__file__"], drugs=drug_slugs, classes=class_slugs)
        if e.pair in seen_pairs:
            first = seen_pairs[e.pair]
            raise fail(
                e.file,
                e.line,
                "a/b",
                f"duplicate pair {e.a} + {e.b}; first at {first.file}:{first.line}",
            )
        seen_pairs[e.pair] = e
        b.interactions.append(e)
    for e in b.interactions:  # a named broader rule must exist
        for o in e.overrides:
            if ref_pair_key(o.a, o.b) not in seen_pairs:
                raise fail(
                    e.file, e.line, "overrides.rule", f"no curated rule {o.a} + {o.b} to override"
                )
    topic_slugs = {t.get("slug") for t in raw["topics"]}
    seen_topics: set[str] = set()
    for meta in raw["topics"]:
        path = meta["__file__"]
        topic = TopicEntry.parse(
            meta,
            meta["__body__"],
            meta["__body_line__"],
            path,
            drugs=drug_slugs,
            topics=topic_slugs,
        )
        if topic.slug in seen_topics:
            raise fail(path, topic.line, "slug", f"topic {topic.slug!r} is defined twice")
        seen_topics.add(topic.slug)
        b.topics.append(topic)


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

    wanted = {}
    for (source_key, key), t in b.translations.items():
        path = t.file
        origin = str(path.relative_to(path.parents[2])) if len(path.parents) > 2 else path.name
        note = f"translated from the {source_key.upper()} source by the medref team, unreviewed"
        wanted[(source_key, key)] = {"text": t.text, "origin": origin, "note": note}
    # The note follows from the source key, so only the text and the origin can differ.
    sync_rows(
        Translation,
        wanted,
        key=("source_key", "key"),
        fields=("text", "origin", "note"),
        compare=("text", "origin"),
        summary=summary,
        label="translations",
    )


def _names_of(e: DrugEntry) -> list[tuple[str, str, str]]:
    """(display name, kind, country) for every name an entry declares: the INN, each name list
    in NAME_LISTS order, then the brands."""
    out = [(e.name, str(NameKind.INN), "")]
    lists = dict(e.names)
    for key, kind in NAME_LISTS.items():
        for value in lists.get(key, ()):
            out.append((value, str(kind), ""))
    for brand in e.brands:
        out.append((brand.name, str(NameKind.BRAND), brand.country))
    return out


def _write_drugs(b: Bundle, source, summary: Summary) -> dict[str, Ingredient]:
    # Every ingredient, whoever added it: a slug is unique, so the files take over an ingredient
    # an importer created first. One the files drop is left alone (other sources rate it).
    result = sync_rows(
        Ingredient,
        {e.slug: {"name": e.name, "kind": e.kind, "source_id": source.id} for e in b.drugs},
        key="slug",
        fields=("name", "kind", "source_id"),
        summary=summary,
        label="drugs",
        remove=None,
    )
    # Names: make this source's names for each ingredient exactly what the files say.
    wanted: dict[tuple, Name] = {}
    seen_keys: set[tuple] = set()
    for e in b.drugs:
        ing = result[e.slug]
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
    sync_rows(
        Name,
        wanted,
        key=("ingredient_id", "normalized", "kind", "country", "name"),
        existing=Name.objects.filter(source=source),
        summary=summary,
        label="names",
    )
    wanted_codes: dict[tuple, Code] = {}
    for e in b.drugs:
        ing = result[e.slug]
        for system, values in e.codes:
            for v in values:
                key = (ing.id, system, v)
                wanted_codes[key] = Code(ingredient=ing, system=system, value=key[2], source=source)
    sync_rows(
        Code,
        wanted_codes,
        key=("ingredient_id", "system", "value"),
        existing=Code.objects.filter(source=source),
        summary=summary,
        label="codes",
    )
    return result


def _write_products(
    b: Bundle, source, ingredients: dict[str, Ingredient], summary: Summary
) -> None:
    wanted = {normalize(e.name): {"name": e.name, "country": e.country} for e in b.products}
    members = {normalize(e.name): {ingredients[s].id for s in e.ingredients} for e in b.products}
    existing = {
        p.normalized: p
        for p in Product.objects.filter(source=source).prefetch_related("ingredients")
    }
    held_members = {k: {i.id for i in p.ingredients.all()} for k, p in existing.items()}
    rows = sync_rows(
        Product,
        wanted,
        key="normalized",
        fields=("name", "country"),
        existing=existing,
        defaults={"source": source},
        differs=lambda key, row: held_members[key] != members[key],
        summary=summary,
        label="products",
    )
    for key, product in rows.items():
        if held_members.get(key) != members[key]:
            product.ingredients.set(members[key])


def _write_classes(
    b: Bundle, source, ingredients: dict[str, Ingredient], summary: Summary
) -> dict[str, DrugClass]:
    result = sync_rows(
        DrugClass,
        {
            e.slug: {
                "name": e.name,
                "kind": e.kind,
                "duplication": e.duplication,
                "description": e.description,
            }
            for e in b.classes
        },
        key="slug",
        fields=("name", "kind", "duplication", "description"),
        existing=DrugClass.objects.filter(source=source),
        defaults={"source": source},
        summary=summary,
        label="classes",
    )
    wanted = {}
    for e in b.classes:
        for slug in e.members:
            key = (result[e.slug].id, ingredients[slug].id)
            wanted[key] = ClassMembership(drug_class_id=key[0], ingredient_id=key[1], source=source)
    sync_rows(
        ClassMembership,
        wanted,
        key=("drug_class_id", "ingredient_id"),
        existing=ClassMembership.objects.filter(source=source),
        summary=summary,
        label="class memberships",
    )
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


WORKFLOW_EDITED = "changed through the editorial workflow; not overwritten"


def _write_interactions(
    b: Bundle, source, ingredients, classes, summary: Summary, overwrite_workflow: bool = False
) -> None:
    existing = {i.pair_key: i for i in Interaction.objects.filter(source=source)}
    edited = set() if overwrite_workflow else workflow_edited_ids("interaction")
    wanted: dict[str, Interaction] = {}
    for e in b.interactions:
        sides = {}
        for key, side in (("a", e.a), ("b", e.b)):
            kind, slug = split_ref(side)
            if kind is SideKind.CLASS:
                sides[f"{key}_class"] = classes[slug]
                sides[f"{key}_ingredient"] = None
            else:
                sides[f"{key}_ingredient"] = ingredients[side]
                sides[f"{key}_class"] = None
        obj = Interaction(
            source=source,
            **sides,
            severity=e.severity,
            evidence=e.evidence,
            onset=e.onset,
            **{key: getattr(e, key) for key in MONOGRAPH_TEXT},
            references=[dict(r) for r in e.references],
            records=[f"{e.file.name}:{e.line}"],
            review_status=e.review_status,
            reviewed_by=e.reviewed_by,
            reviewed_at=e.reviewed_at,
            last_edited=e.last_edited,
            status=e.status,
            overrides=[{"a": o.a, "b": o.b, "reason": o.reason} for o in e.overrides],
        )
        obj.pair_key = obj.compute_pair_key()
        wanted[obj.pair_key] = obj
    sync_rows(
        Interaction,
        wanted,
        key="pair_key",
        fields=_INTERACTION_FIELDS,
        existing=existing,
        keep={k for k, row in existing.items() if row.pk in edited},
        keep_reason=WORKFLOW_EDITED,
        guard=lambda held, removing: refuse_mass_removal(
            source=source, existing=held, removing=removing
        ),
        summary=summary,
        label="interactions",
    )


_TOPIC_FIELDS = (
    "title",
    "specialty",
    "authors",
    "body",
    "references",
    "last_edited",
    "last_reviewed",
    "review_status",
    "reviewed_by",
    "status",
    "asserted_interactions",
)


def _write_topics(
    b: Bundle, source, ingredients, summary: Summary, overwrite_workflow: bool = False
) -> None:
    from medref.reference.models import Topic

    existing = {t.slug: t for t in Topic.objects.all()}
    edited = set() if overwrite_workflow else workflow_edited_ids("topic")
    wanted = {}
    for t in b.topics:
        wanted[t.slug] = {
            "title": t.title,
            "specialty": t.specialty,
            "authors": t.authors,
            "body": t.body,
            "references": [dict(r) for r in t.references],
            "last_edited": t.last_edited,
            "last_reviewed": t.last_reviewed,
            "review_status": ReviewStatus.REVIEWED.value
            if t.last_reviewed
            else ReviewStatus.UNREVIEWED.value,
            "reviewed_by": t.reviewed_by,
            "status": t.status,
            "asserted_interactions": [
                {"drugs": list(a.drugs), "severity": a.severity} for a in t.interactions
            ],
        }

    def retire(rows: list) -> int:
        # A topic dropped from the files is retired, never deleted: annotations point at it.
        # Only this source's topics: one written in medref itself is not the files' to retire.
        gone = [t.id for t in rows if t.source_id == source.id and t.status != Topic.Status.RETIRED]
        Topic.objects.filter(id__in=gone).update(status=Topic.Status.RETIRED)
        return len(gone)

    by_slug = sync_rows(
        Topic,
        wanted,
        key="slug",
        fields=_TOPIC_FIELDS,
        existing=existing,
        defaults={"source": source},
        keep={slug for slug, topic in existing.items() if topic.pk in edited},
        keep_reason=WORKFLOW_EDITED,
        remove=retire,
        summary=summary,
        label="topics",
    )
    for t in b.topics:
        topic = by_slug[t.slug]
        wanted_drugs = {ingredients[d].id for d in t.drugs}
        if set(topic.drugs.values_list("id", flat=True)) != wanted_drugs:
            topic.drugs.set(wanted_drugs)
        wanted_related = {by_slug[r].id for r in t.related_topics}
        if set(topic.related.values_list("id", flat=True)) != wanted_related:
            topic.related.set(wanted_related)


def _write_pages(b: Bundle, source, summary: Summary) -> None:
    from medref.reference.models import Page

    # Every page, whoever wrote it; one the files drop is left alone.
    sync_rows(
        Page,
        {p.slug: {"title": p.title, "body": p.body, "last_edited": p.last_edited} for p in b.pages},
        key="slug",
        fields=("title", "body", "last_edited"),
        defaults={"source": source},
        remove=None,
        summary=summary,
        label="pages",
    )
