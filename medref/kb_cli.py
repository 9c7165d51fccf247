"""`medref kb audit` and `medref kb coverage`: the knowledge base's own health, as tables or JSON.

audit: likely duplicate ingredients, unmatched substances per source, English names and texts;
exits 1 when it finds a duplicate. coverage: the must-catch table against the checker; exits 1
on any shortfall.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where used: `medref check` builds this parser and must start fast
    from rich.console import Console


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="kb_command", metavar="ACTION", required=True)
    p = sub.add_parser("audit", help="duplicates, unmatched substances, untranslated text")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--limit", type=int, default=20, help="rows to list per section (default 20)")
    p = sub.add_parser("coverage", help="run the must-catch table against the checker")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--table", default=None, help="a must-catch TSV (default: the bundled one)")
    p.add_argument("--failures", action="store_true", help="list every row that is not ok")


def run(args: argparse.Namespace) -> int:
    return audit(args) if args.kb_command == "audit" else coverage(args)


def audit(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from medref.knowledge.audit import run_audit

    result = run_audit()
    if args.json:
        print(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
        return 0 if result.ok else 1
    console = Console(highlight=False)
    print_audit_summary(result, console)
    limit = args.limit
    if result.duplicates:
        table = Table(title="Likely duplicate ingredients")
        table.add_column("ingredients")
        table.add_column("why")
        for d in result.duplicates[:limit]:
            table.add_row(", ".join(d["ingredients"]), d["why"])
        console.print(table)
    for source, rows in sorted(result.unmatched.items()):
        console.print(
            f"[bold]{source}[/]: {len(rows)} substances matched no ingredient we knew and were "
            f"added; first {min(limit, len(rows))}: " + "; ".join(rows[:limit])
        )
    if result.guessed_names:
        console.print(
            f"{len(result.guessed_names)} English names were guessed by rule and are not confirmed: "
            + "; ".join(result.guessed_names[:limit])
        )
    if result.classes_without_english:
        console.print(
            f"{len(result.classes_without_english)} classes have no English name: "
            + "; ".join(result.classes_without_english[:limit])
        )
    return 0 if result.ok else 1


def print_audit_summary(result, console: Console) -> None:
    """The few lines every importer prints at its end."""
    from rich.table import Table

    table = Table(title="Knowledge-base audit")
    table.add_column("check")
    table.add_column("result", justify="right")
    table.add_row("likely duplicate ingredients", str(len(result.duplicates)))
    for source, methods in sorted(result.identified_per_source.items()):
        parts = ", ".join(f"{m} {n}" for m, n in sorted(methods.items()))
        table.add_row(f"{source} substances identified", parts)
    table.add_row("English names guessed, unconfirmed", str(len(result.guessed_names)))
    table.add_row("classes without an English name", str(len(result.classes_without_english)))
    for source, missing in sorted(result.untranslated_texts.items()):
        table.add_row(f"{source} texts without English", str(missing))
    console.print(table)


def coverage(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from medref.checker import mustcatch
    from medref.checker.repository import get_checker

    rows = mustcatch.parse(Path(args.table) if args.table else mustcatch.DEFAULT_TABLE)
    outcomes = mustcatch.run(get_checker().index(), rows)
    counts = mustcatch.summary(outcomes)
    bad = [o for o in outcomes if o.verdict != "ok"]
    if args.json:
        print(
            json.dumps(
                {
                    "counts": {k: dict(v) for k, v in counts.items()},
                    "failures": [
                        {
                            "line": o.row.line,
                            "kind": o.row.kind,
                            "drugs": list(o.row.drugs),
                            "expected": o.row.severity.value,
                            "found": o.found.value if o.found else None,
                            "verdict": o.verdict,
                            "unrecognised": list(o.unrecognised),
                        }
                        for o in bad
                    ],
                },
                indent=2,
            )
        )
        return 1 if bad else 0
    console = Console(highlight=False)
    table = Table(title=f"Must-catch coverage ({len(rows)} rows)")
    for column in ("kind", "ok", "missed", "under-rated", "not recognised", "over-flagged"):
        table.add_column(column, justify="right" if column != "kind" else "left")
    for kind in ("catch", "never"):
        c = counts[kind]
        table.add_row(
            kind,
            *(
                str(c.get(v, 0))
                for v in ("ok", "missed", "under-rated", "not recognised", "over-flagged")
            ),
        )
    console.print(table)
    if args.failures:
        for o in bad:
            console.print(
                f"line {o.row.line}: {' + '.join(o.row.drugs)}: {o.verdict} "
                f"(expected {'at least' if o.row.kind == 'catch' else 'at most'} {o.row.severity.value}, "
                f"found {o.found.value if o.found else 'nothing'})"
                + (f"; not recognised: {', '.join(o.unrecognised)}" if o.unrecognised else "")
            )
    return 1 if bad else 0
