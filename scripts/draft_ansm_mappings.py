"""Draft entries for content/mappings/ansm-substances.yaml from the DrugBank open vocabulary.

For each ANSM substance the spelling rules cannot place, look its French name and the English
spellings the rules suggest up in the DrugBank vocabulary's names and synonyms; where exactly
one DrugBank drug answers, propose its common name as the English name. A person reviews the
draft before it is committed (the file says "reviewed mapping"). Development tool, not shipped.

Usage: python scripts/draft_ansm_mappings.py ANSM_DIR DRUGBANK_CSV_GZ [--only-unmatched DB_URL]
"""

from __future__ import annotations

import csv
import gzip
import json
import sys
from pathlib import Path

from medref.vocab.inn import english_candidates
from medref.vocab.normalize import normalize


def main(ansm_dir: str, drugbank: str) -> None:
    index = json.loads(Path(ansm_dir, "substances_index_2020_01.json").read_text(encoding="utf-8"))
    by_name: dict[str, set[str]] = {}
    common: dict[str, str] = {}
    with gzip.open(drugbank, "rt", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            db = row["DrugBank ID"]
            common[db] = row["Common name"]
            for n in [row["Common name"], *row["Synonyms"].split(" | ")]:
                if n.strip():
                    by_name.setdefault(normalize(n), set()).add(db)
    seen = set()
    for item in sorted(index, key=lambda i: normalize(i["substance"])):
        french = item["substance"]
        key = normalize(french)
        if key in seen:
            continue
        seen.add(key)
        hit: set[str] = set()
        for candidate in english_candidates(french):
            hit = by_name.get(candidate, set())
            if hit:
                break
        if len(hit) == 1:
            db = hit.pop()
            name = common[db]
            english = name if any(c.isupper() for c in name[1:]) else name.lower()
            print(f"- french: {json.dumps(french, ensure_ascii=False)}")
            print(f"  english: {json.dumps(english, ensure_ascii=False)}")
            print(f"  reason: \"English name confirmed in the DrugBank open vocabulary ({db})\"")
        else:
            print(f"# TODO {json.dumps(french, ensure_ascii=False)}: {len(hit)} DrugBank matches")


if __name__ == "__main__":
    main(*sys.argv[1:3])
