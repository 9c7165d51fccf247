"""Content as files: `medref content export DIR` and `medref content import DIR [--force]`.

Export writes the curated knowledge base in the content/ format (content/README.md), with each
document's review metadata, and a manifest (.medref-export.json) of every document's fingerprint
at export time. Import validates everything, then refuses when a document was changed in the
database since that export *and* the file says something else (a conflict), unless --force;
it writes in one transaction. Import followed by export gives identical files.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from rich.console import Console

from medref.content.load import SOURCE_KEY, import_content, parse_content
from medref.content.schema import InteractionEntry
from medref.domain.sides import CLASS_PREFIX, ref_pair_key
from medref.editorial.actions import INTERACTION_TEXT
from medref.knowledge.importers.errors import ImportFailed
from medref.knowledge.models import Interaction, Translation
from medref.reference.models import Page, Topic
from medref.vocab.models import ClassMembership, Code, DrugClass, Ingredient, Name, Product

MANIFEST = ".medref-export.json"
_NAME_LISTS = {
    "us": "us",
    "uk": "uk",
    "synonym": "synonyms",
    "salt": "salts",
    "misspelling": "misspellings",
}


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def _yaml(data) -> str:
    return yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )


def _side(ingredient, drug_class) -> str:
    return ingredient.slug if ingredient else f"{CLASS_PREFIX}{drug_class.slug}"


def interaction_key(entry: dict) -> str:
    return "interaction:" + ref_pair_key(entry["a"], entry["b"])


def fingerprint(entry: dict) -> str:
    clean = {k: v for k, v in entry.items() if not k.startswith("__")}
    return hashlib.sha256(
        json.dumps(clean, sort_keys=True, default=str, ensure_ascii=False).encode()
    ).hexdigest()


def _file_entry(a: str, b: str, doc: Any, overrides: list[dict]) -> dict:
    """An interaction as the export writes it, from a database row or a parsed InteractionEntry
    (both carry the monograph fields as attributes), so the two fingerprint alike."""
    a, b = sorted((a, b))
    entry = {"a": a, "b": b, "severity": doc.severity, "evidence": doc.evidence, "onset": doc.onset}
    entry.update({k: getattr(doc, k) for k in INTERACTION_TEXT})
    entry["references"] = [dict(r) for r in doc.references]
    if overrides:
        entry["overrides"] = [
            {"rule": f"{o['a']} + {o['b']}", "reason": o["reason"]} for o in overrides
        ]
    entry.update(
        {
            "review_status": doc.review_status,
            "reviewed_by": doc.reviewed_by,
            "reviewed_at": doc.reviewed_at.isoformat() if doc.reviewed_at else None,
            "last_edited": doc.last_edited.isoformat() if doc.last_edited else None,
            "status": doc.status,
        }
    )
    return {k: v for k, v in entry.items() if v not in ("", None)}


def interaction_entries() -> list[dict]:
    rows = Interaction.objects.filter(source__key=SOURCE_KEY).select_related(
        "a_ingredient", "b_ingredient", "a_class", "b_class"
    )
    out = [
        _file_entry(
            _side(r.a_ingredient, r.a_class), _side(r.b_ingredient, r.b_class), r, r.overrides
        )
        for r in rows
    ]
    return sorted(out, key=lambda e: (e["a"], e["b"]))


def topic_front_matter(t: Topic) -> dict:
    return _front_matter(
        t,
        drugs=t.drugs.values_list("slug", flat=True),
        related=t.related.values_list("slug", flat=True),
        interactions=t.asserted_interactions,
    )


def _front_matter(doc: Any, *, drugs, related, interactions: list[dict]) -> dict:
    """A topic's front matter as the export writes it, from a database row or a parsed
    TopicEntry, so the two fingerprint alike."""
    meta = {
        "slug": doc.slug,
        "title": doc.title,
        "specialty": doc.specialty,
        "authors": doc.authors,
        "last_edited": doc.last_edited.isoformat(),
        "last_reviewed": doc.last_reviewed.isoformat() if doc.last_reviewed else None,
        "reviewed_by": doc.reviewed_by or None,
        "status": doc.status,
        "drugs": sorted(drugs),
        "related_topics": sorted(related),
        "references": [dict(r) for r in doc.references],
        "interactions": interactions or None,
    }
    return {k: v for k, v in meta.items() if v not in ("", None) or k == "last_reviewed"}


def document_fingerprints() -> dict[str, str]:
    prints = {interaction_key(e): fingerprint(e) for e in interaction_entries()}
    for t in Topic.objects.filter(source__key=SOURCE_KEY):
        prints[f"topic:{t.slug}"] = fingerprint({**topic_front_matter(t), "body": t.body})
    return prints


def export_content(root: str | Path, console: Console) -> dict[str, int]:
    root = Path(root)
    for sub in ("drugs", "classes", "interactions", "topics", "pages"):
        (root / sub).mkdir(parents=True, exist_ok=True)
        for old in (root / sub).iterdir():
            if old.suffix in (".yaml", ".md"):
                old.unlink()
    drugs = []
    names = {}
    for n in Name.objects.filter(source__key=SOURCE_KEY).order_by("id"):
        names.setdefault(n.ingredient_id, []).append(n)
    codes = {}
    for c in Code.objects.filter(source__key=SOURCE_KEY).order_by("system", "value"):
        codes.setdefault(c.ingredient_id, {}).setdefault(c.system, []).append(c.value)
    for ing in Ingredient.objects.filter(source__key=SOURCE_KEY).order_by("slug"):
        entry: dict = {"slug": ing.slug, "name": ing.name}
        if ing.kind != "medicine":  # the default is left out, as the content files do
            entry["kind"] = ing.kind
        lists: dict = {}
        brands = []
        for n in names.get(ing.pk, []):
            if n.kind == "brand":
                brands.append(
                    {"name": n.name, "country": n.country} if n.country else {"name": n.name}
                )
            elif n.kind in _NAME_LISTS:
                lists.setdefault(_NAME_LISTS[n.kind], []).append(n.name)
        if lists:
            entry["names"] = lists
        if brands:
            entry["brands"] = brands
        if ing.pk in codes:
            # Every code is kept: a list where a system holds several (3 RxCUIs stay 3).
            entry["codes"] = {
                k: (v if k == "atc" or len(v) > 1 else v[0]) for k, v in codes[ing.pk].items()
            }
        drugs.append(entry)
    (root / "drugs" / "drugs.yaml").write_text(_yaml(drugs))
    products = [
        {
            "name": p.name,
            **({"country": p.country} if p.country else {}),
            "ingredients": sorted(p.ingredients.values_list("slug", flat=True)),
        }
        for p in Product.objects.filter(source__key=SOURCE_KEY).order_by("name")
    ]
    (root / "products.yaml").write_text(_yaml(products))
    members = {}
    for m in ClassMembership.objects.filter(source__key=SOURCE_KEY).select_related("ingredient"):
        members.setdefault(m.drug_class_id, []).append(m.ingredient.slug)
    classes = [
        {
            "slug": c.slug,
            "name": c.name,
            "kind": c.kind,
            "duplication": c.duplication,
            **({"description": c.description} if c.description else {}),
            "members": sorted(members.get(c.pk, [])),
        }
        for c in DrugClass.objects.filter(source__key=SOURCE_KEY).order_by("slug")
    ]
    (root / "classes" / "classes.yaml").write_text(_yaml(classes))
    interactions = interaction_entries()
    (root / "interactions" / "interactions.yaml").write_text(_yaml(interactions))
    topics = Topic.objects.filter(source__key=SOURCE_KEY).order_by("slug")
    for t in topics:
        (root / "topics" / f"{t.slug}.md").write_text(
            f"---\n{_yaml(topic_front_matter(t))}---\n{t.body.rstrip()}\n"
        )
    for p in Page.objects.filter(source__key=SOURCE_KEY).order_by("slug"):
        meta = {"slug": p.slug, "title": p.title, "last_edited": p.last_edited.isoformat()}
        (root / "pages" / f"{p.slug}.md").write_text(f"---\n{_yaml(meta)}---\n{p.body.rstrip()}\n")
    translations: dict[tuple[str, str], dict[str, str]] = {}
    for t in Translation.objects.order_by("source_key", "origin", "key"):
        file = Path(t.origin).name if t.origin else "translations.yaml"
        translations.setdefault((t.source_key, file), {})[t.key] = t.text
    for (source_key, file), texts in translations.items():
        folder = root / "translations" / source_key
        folder.mkdir(parents=True, exist_ok=True)
        (folder / file).write_text(
            f"# English versions of {source_key} texts, by text key (content/README.md).\n"
            + "".join(
                f'"{key}": {json.dumps(text, ensure_ascii=False)}\n' for key, text in texts.items()
            )
        )
    (root / MANIFEST).write_text(
        json.dumps({"documents": document_fingerprints()}, indent=1, sort_keys=True) + "\n"
    )
    counts = {
        "drugs": len(drugs),
        "classes": len(classes),
        "products": len(products),
        "interactions": len(interactions),
        "topics": topics.count(),
    }
    console.print(f"exported to {root}: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    return counts


def _file_fingerprints(root: Path) -> dict[str, str]:
    bundle = parse_content(root)  # validates; raises ImportFailed naming file, line and field
    prints = {
        f"interaction:{e.pair}": fingerprint(_normal_interaction(e)) for e in bundle.interactions
    }
    for t in bundle.topics:
        meta = _front_matter(
            t,
            drugs=t.drugs,
            related=t.related_topics,
            interactions=[{"drugs": list(a.drugs), "severity": a.severity} for a in t.interactions],
        )
        prints[f"topic:{t.slug}"] = fingerprint({**meta, "body": t.body})
    return prints


def _normal_interaction(e: InteractionEntry) -> dict:
    overrides = [{"a": o.a, "b": o.b, "reason": o.reason} for o in e.overrides]
    return _file_entry(e.a, e.b, e, overrides)


def import_files(root: str | Path, console: Console, *, force: bool = False) -> None:
    root = Path(root)
    manifest_path = root / MANIFEST
    baseline = json.loads(manifest_path.read_text())["documents"] if manifest_path.exists() else {}
    in_files = _file_fingerprints(root)
    in_db = document_fingerprints()
    if baseline:
        # Changed in medref since the export, and the file says something else.
        conflicts = [
            k
            for k, f in sorted(in_files.items())
            if k in in_db and in_db[k] != f and in_db[k] != baseline.get(k)
        ]
    else:
        # No manifest: protect what was changed through the editorial workflow.
        from medref.editorial.models import workflow_edited_ids

        edited_topics = set(
            Topic.objects.filter(pk__in=workflow_edited_ids("topic")).values_list("slug", flat=True)
        )
        edited_pairs = Interaction.objects.filter(
            pk__in=workflow_edited_ids("interaction")
        ).select_related("a_ingredient", "b_ingredient", "a_class", "b_class")
        edited = {f"topic:{slug}" for slug in edited_topics} | {
            interaction_key(
                {"a": _side(r.a_ingredient, r.a_class), "b": _side(r.b_ingredient, r.b_class)}
            )
            for r in edited_pairs
        }
        conflicts = [k for k, f in sorted(in_files.items()) if k in edited and in_db.get(k) != f]
    if conflicts and not force:
        listed = "\n".join(f"  - {key}" for key in conflicts[:20])
        more = f"\n  ... and {len(conflicts) - 20} more" if len(conflicts) > 20 else ""
        raise ImportFailed(
            f"{root}: {len(conflicts)} document(s) were changed in medref since these files were exported, "
            f"and the files say something else:\n{listed}{more}\n"
            "Export again and merge the changes, or run again with --force to overwrite medref's version."
        )
    with transaction.atomic():
        import_content(path=root, console=console, overwrite_workflow=True)
    manifest_path.write_text(
        json.dumps({"documents": document_fingerprints()}, indent=1, sort_keys=True) + "\n"
    )
