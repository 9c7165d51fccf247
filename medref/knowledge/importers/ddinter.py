"""Import DDInter's bulk CSV files (`Drug_A, Drug_B, Level`), gzip or plain.

DDInter lists a pair once in the file of each drug's ATC letter, in arbitrary order; we keep one
row per unordered pair with every file:line it appeared on. Licence: CC BY-NC-SA 4.0.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console

from medref.domain.fields import MONOGRAPH_TEXT
from medref.domain.sides import Side, pair_key
from medref.domain.sources import CURATED as CURATED_SOURCE
from medref.knowledge.importers.base import (
    Summary,
    commit,
    fast_insert,
    print_licence,
    progress,
    refuse_mass_removal,
    sha256_of,
    upsert_source,
)
from medref.knowledge.importers.errors import ImportFailed, fail
from medref.knowledge.importers.matching import IngredientMatcher
from medref.knowledge.models import Interaction
from medref.knowledge.severity import ReviewStatus, Severity
from medref.vocab.models import Name
from medref.vocab.normalize import normalize

SOURCE_KEY = "ddinter"
HEADER = ["DDInterID_A", "Drug_A", "DDInterID_B", "Drug_B", "Level"]
LEVELS = {
    "Major": Severity.MAJOR,
    "Moderate": Severity.MODERATE,
    "Minor": Severity.MINOR,
    "Unknown": Severity.UNKNOWN,
}
ID_RE = re.compile(r"DDInter[0-9]+")
# DDInter's bulk download is one file per ATC letter; these are the eight published ones we
# know of. A folder without one of them is an incomplete download, never "the source withdrew
# every pair only that file lists".
EXPECTED_FILES = [f"ddinter_downloads_code_{letter}.csv" for letter in "ABDHLPRV"]

NEW_ROW_COLUMNS = [
    "source_id",
    "a_ingredient_id",
    "b_ingredient_id",
    "pair_key",
    "severity",
    "records",
]
# DDInter gives a severity only: every text field is empty and the review is the publisher's.
_CONSTANT = {
    "a_class_id": None,
    "b_class_id": None,
    "levels": "[]",
    "evidence": "",
    "onset": "",
    **dict.fromkeys(MONOGRAPH_TEXT, ""),
    "language": "en",
    "references": "[]",
    "review_status": ReviewStatus.EXTERNAL.value,
    "reviewed_by": "",
    "reviewed_at": None,
    "status": "published",
    "last_edited": None,
}
_CONSTANT_COLUMNS = list(_CONSTANT)
_CONSTANT_VALUES = tuple(_CONSTANT.values())

SOURCE_DEFAULTS = {
    "name": "DDInter",
    "licence": "CC BY-NC-SA 4.0",
    "licence_url": "https://creativecommons.org/licenses/by-nc-sa/4.0/",
    "url": "https://ddinter.scbdd.com/",
    "non_commercial": True,
    "language": "en",
    "citation": (
        "Xiong G, et al. DDInter: an online drug-drug interaction database towards improving "
        "clinical decision-making and patient safety. Nucleic Acids Res. 2022;50(D1):D1200-D1207."
    ),
}


@dataclass
class Parsed:
    files: list[Path]
    drugs: dict[str, str] = field(default_factory=dict)  # DDInter ID -> name
    pairs: dict[tuple[str, str], tuple[Severity, list[str]]] = field(default_factory=dict)
    rows: int = 0


def _files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.name.endswith((".csv", ".csv.gz")))
        if not files:
            raise ImportFailed(f"{path}: no .csv or .csv.gz files in this folder")
        names = {p.name.removesuffix(".gz") for p in files}
        missing = [f"{name}.gz" for name in EXPECTED_FILES if name not in names]
        if missing:
            raise ImportFailed(
                f"{path}: missing {', '.join(missing)}. DDInter's bulk download is one file per "
                "ATC letter (A, B, D, H, L, P, R, V); the folder needs all eight, .csv or .csv.gz"
            )
        return files
    raise ImportFailed(f"{path}: no such file or folder")


def _open_text(path: Path) -> io.TextIOBase:
    if path.name.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8", newline="")
    return path.open(encoding="utf-8", newline="")


def parse(path: Path) -> Parsed:
    parsed = Parsed(files=_files(path))
    for file in parsed.files:
        try:
            with _open_text(file) as handle:
                reader = csv.reader(handle)
                header = next(reader, None)
                if header != HEADER:
                    raise fail(file, 1, "header", f"expected {','.join(HEADER)}, got {header}")
                for row in reader:
                    line = reader.line_num
                    parsed.rows += 1
                    if len(row) != 5:
                        raise fail(file, line, "-", f"expected 5 columns, got {len(row)}")
                    id_a, name_a, id_b, name_b, level = row
                    for col, value in (("DDInterID_A", id_a), ("DDInterID_B", id_b)):
                        if not ID_RE.fullmatch(value):
                            raise fail(file, line, col, f"{value!r} is not a DDInter ID")
                    for col, value in (("Drug_A", name_a), ("Drug_B", name_b)):
                        if not value.strip():
                            raise fail(file, line, col, "empty drug name")
                    severity = LEVELS.get(level)
                    if severity is None:
                        raise fail(
                            file, line, "Level", f"{level!r} is not one of {', '.join(LEVELS)}"
                        )
                    if id_a == id_b:
                        raise fail(file, line, "DDInterID_B", "a drug paired with itself")
                    for drug_id, name in ((id_a, name_a), (id_b, name_b)):
                        known = parsed.drugs.setdefault(drug_id, name)
                        if known != name:
                            raise fail(
                                file,
                                line,
                                "Drug_A" if drug_id == id_a else "Drug_B",
                                f"{drug_id} is named {name!r} here but {known!r} earlier",
                            )
                    key = (id_a, id_b) if id_a < id_b else (id_b, id_a)
                    where = f"{file.name}:{line}"
                    seen = parsed.pairs.get(key)
                    if seen is None:
                        parsed.pairs[key] = (severity, [where])
                    elif seen[0] != severity:
                        raise fail(
                            file,
                            line,
                            "Level",
                            f"{level} conflicts with {seen[0].value} at {seen[1][0]}",
                        )
                    else:
                        seen[1].append(where)
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise fail(file, None, "-", f"cannot read: {exc}") from None
        except UnicodeDecodeError:
            raise fail(file, None, "-", "not UTF-8 text") from None
        except csv.Error as exc:
            raise fail(file, None, "-", f"malformed CSV: {exc}") from None
    return parsed


def import_ddinter(*, path: str | Path, console: Console, dry_run: bool = False) -> Summary:
    path = Path(path)
    print_licence(console, SOURCE_DEFAULTS)
    parsed = parse(path)
    summary = Summary(title=f"DDInter import from {path}")
    summary.read["CSV rows"] = parsed.rows
    summary.read["drugs"] = len(parsed.drugs)
    checksum = sha256_of(parsed.files)

    def write(summary: Summary) -> None:
        source = upsert_source(
            key=SOURCE_KEY,
            defaults={
                **SOURCE_DEFAULTS,
                "version": f"bulk CSV, {len(parsed.files)} files, sha256 {checksum[:12]}",
                "checksum": checksum,
            },
        )
        matcher = IngredientMatcher(
            source=source, summary=summary, ignore_source_names_in=frozenset({"fr"})
        )
        # Each DDInter drug is its own substance: strongest matches claim an ingredient first. A
        # drug whose match is already claimed gets an ingredient of its own, unless the name is
        # one the team curated for that ingredient (a salt, a prodrug or a formulation DDInter
        # lists apart, e.g. "Benzylpenicillin (potassium)"): one drug is one thing, so it joins
        # it and the two drugs' ratings are combined below, the most severe kept.
        curated = set(
            Name.objects.filter(
                source__key=CURATED_SOURCE, kind__in=["inn", "us", "uk", "synonym", "salt"]
            ).values_list("ingredient_id", "normalized")
        )
        ranked = sorted(
            (matcher.find_ranked(name=name, codes=[("ddinter", drug_id)]), drug_id, name)
            for drug_id, name in parsed.drugs.items()
        )
        ingredient_of: dict[str, int] = {}
        claimed: set[int] = set()
        for (rank, candidate), drug_id, name in ranked:
            if candidate in claimed and (rank == -1 or (candidate, normalize(name)) in curated):
                ingredient = matcher.match_or_create(
                    name=name, code=("ddinter", drug_id), force=candidate
                )
                summary.read["drugs joined to an ingredient another DDInter drug names"] += 1
            else:
                ingredient = matcher.match_or_create(
                    name=name, code=("ddinter", drug_id), exclude=claimed
                )
            claimed.add(ingredient)
            ingredient_of[drug_id] = ingredient
        matcher.flush()
        existing = {
            row[0]: row
            for row in Interaction.objects.filter(source=source).values_list(
                "pair_key", "id", "severity", "records"
            )
        }
        to_create: list[tuple] = []
        to_update: list[Interaction] = []
        # Pairs of ingredients: two DDInter drugs joined into one ingredient may rate the same
        # pair; both records are kept and the most severe rating wins, never the first seen.
        combined: dict[str, tuple[int, int, Severity, list[str]]] = {}
        for (id_a, id_b), (severity, records) in parsed.pairs.items():
            a, b = ingredient_of[id_a], ingredient_of[id_b]
            if a == b:
                summary.skipped[("pairs", "both names resolve to one ingredient")] += 1
                continue
            key = pair_key(Side.ingredient(a), Side.ingredient(b))
            held = combined.get(key)
            if held is None:
                combined[key] = (a, b, severity, list(records))
            else:
                summary.read["pairs combined (two DDInter drugs, one ingredient)"] += 1
                worst = held[2] if held[2].rank >= severity.rank else severity
                combined[key] = (held[0], held[1], worst, sorted(held[3] + list(records)))
        seen: set[str] = set()
        with progress(console) as bar:
            task = bar.add_task("pairs", total=len(combined))
            for key, (a, b, severity, records) in combined.items():
                bar.advance(task)
                seen.add(key)
                current = existing.get(key)
                if current is None:
                    to_create.append((source.id, a, b, key, severity.value, json.dumps(records)))
                elif current[2] != severity.value or current[3] != records:
                    to_update.append(
                        Interaction(id=current[1], severity=severity.value, records=records)
                    )
                else:
                    summary.unchanged["interactions"] += 1
        fast_insert(
            Interaction,
            [*NEW_ROW_COLUMNS, *_CONSTANT_COLUMNS],
            [row + _CONSTANT_VALUES for row in to_create],
            json_columns=frozenset({"records", "levels", "references"}),
        )
        Interaction.objects.bulk_update(to_update, ["severity", "records"], batch_size=2000)
        stale = [row[1] for key, row in existing.items() if key not in seen]
        refuse_mass_removal(source=source, existing=len(existing), removing=len(stale))
        if stale:
            Interaction.objects.filter(id__in=stale).delete()
        summary.read["interactions"] = len(parsed.pairs)
        summary.added["interactions"] += len(to_create)
        summary.updated["interactions"] += len(to_update)
        summary.removed["interactions"] += len(stale)

    return commit(write, console=console, summary=summary, dry_run=dry_run)
