"""Import names, synonyms and codes from the DrugBank open vocabulary CSV (CC0).

The vocabulary has ~20,000 entries, most of them experimental compounds. We add its synonyms,
DrugBank IDs and UNIIs to ingredients we already know (matched by DrugBank ID, then by name) and
skip the rest, reported in the summary, so name resolution is not crowded with compounds no
prescriber uses. The file has no brand names, ATC codes or interactions.
"""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

from rich.console import Console

from medref.knowledge.importers.base import Summary, commit, progress, sha256_of, upsert_source
from medref.knowledge.importers.errors import ImportFailed, fail
from medref.knowledge.importers.matching import IngredientMatcher
from medref.vocab.codes import UNII, DrugBankID
from medref.vocab.models import NameKind

SOURCE_KEY = "drugbank-vocabulary"
HEADER = [
    "DrugBank ID",
    "Accession Numbers",
    "Common name",
    "CAS",
    "UNII",
    "Synonyms",
    "Standard InChI Key",
]
SOURCE_DEFAULTS = {
    "name": "DrugBank open vocabulary",
    "licence": "CC0 1.0",
    "licence_url": "https://creativecommons.org/publicdomain/zero/1.0/",
    "url": "https://go.drugbank.com/releases/latest#open-data",
    "non_commercial": False,
    "language": "en",
    "citation": "DrugBank Vocabulary, open data (CC0).",
}


def _file(path: Path) -> Path:
    if path.is_dir():
        files = sorted([*path.glob("*.csv"), *path.glob("*.csv.gz")])
        if not files:
            raise ImportFailed(f"{path}: no .csv or .csv.gz file in this folder")
        return files[0]
    if not path.exists():
        raise ImportFailed(f"{path}: no such file or folder")
    return path


def parse(path: Path) -> tuple[Path, list[dict]]:
    file = _file(path)
    rows = []
    try:
        opener = (
            gzip.open(file, "rt", encoding="utf-8", newline="")
            if file.name.endswith(".gz")
            else file.open(encoding="utf-8", newline="")
        )
        with opener as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header != HEADER:
                raise fail(file, 1, "header", f"expected {','.join(HEADER)}")
            for row in reader:
                line = reader.line_num
                if len(row) != len(HEADER):
                    raise fail(file, line, "-", f"expected {len(HEADER)} columns, got {len(row)}")
                record = dict(zip(HEADER, row, strict=True))
                try:
                    DrugBankID(record["DrugBank ID"])
                    if record["UNII"]:
                        UNII(record["UNII"])
                except ValueError as exc:
                    raise fail(
                        file, line, "DrugBank ID" if "DrugBank" in str(exc) else "UNII", str(exc)
                    ) from None
                if not record["Common name"].strip():
                    raise fail(file, line, "Common name", "empty")
                record["__line__"] = line
                rows.append(record)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise fail(file, None, "-", f"cannot read: {exc}") from None
    except UnicodeDecodeError:
        raise fail(file, None, "-", "not UTF-8 text") from None
    except csv.Error as exc:
        raise fail(file, None, "-", f"malformed CSV: {exc}") from None
    return file, rows


def import_drugbank_vocabulary(
    *, path: str | Path, console: Console, dry_run: bool = False
) -> Summary:
    file, rows = parse(Path(path))
    summary = Summary(title=f"DrugBank vocabulary import from {file}")
    summary.read["vocabulary rows"] = len(rows)
    checksum = sha256_of([file])

    def write(summary: Summary) -> None:
        source = upsert_source(
            key=SOURCE_KEY,
            defaults={
                **SOURCE_DEFAULTS,
                "version": f"sha256 {checksum[:12]}",
                "checksum": checksum,
            },
        )
        matcher = IngredientMatcher(source=source, summary=summary, create=False)
        with progress(console) as bar:
            task = bar.add_task("vocabulary", total=len(rows))
            for record in rows:
                bar.advance(task)
                ingredient = matcher.find(
                    name=record["Common name"], codes=[("drugbank", record["DrugBank ID"])]
                )
                if ingredient is None:
                    summary.skipped[
                        ("vocabulary rows", "no matching ingredient (not in our vocabulary)")
                    ] += 1
                    continue
                summary.unchanged["matched ingredients"] += 1
                matcher.add_code(ingredient, "drugbank", record["DrugBank ID"])
                if record["UNII"]:
                    matcher.add_code(ingredient, "unii", record["UNII"])
                matcher.add_name_if_free(ingredient, record["Common name"], NameKind.SYNONYM)
                for synonym in record["Synonyms"].split(" | "):
                    if synonym.strip():
                        matcher.add_name_if_free(ingredient, synonym, NameKind.SYNONYM)
        matcher.flush()

    return commit(write, console=console, summary=summary, dry_run=dry_run)
