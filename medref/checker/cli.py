"""`medref check DRUG [DRUG ...]`: a readable table, or exactly the API's JSON with --json.

Exit codes: 0 checked (unknown names are listed, not fatal); 1 a finding at or above
--fail-on; 2 usage error.
"""

from __future__ import annotations

import argparse
import json

from rich.console import Console
from rich.table import Table

from medref.knowledge.severity import Severity

_STYLE = {
    "contraindicated": "bold white on red",
    "major": "bold red",
    "moderate": "yellow",
    "minor": "green",
    "unknown": "dim",
}


def add_check_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "drugs", nargs="+", metavar="DRUG", help="medicine names (quote names with spaces)"
    )
    parser.add_argument(
        "--json", action="store_true", help="print exactly the JSON that POST /api/v1/check returns"
    )
    parser.add_argument(
        "--fail-on",
        choices=[s.value for s in Severity],
        metavar="SEVERITY",
        help="exit 1 if a finding is at or above this severity (contraindicated, major, moderate, minor, unknown)",
    )
    parser.add_argument("--patient", action="store_true", help="show the plain-language wording")


def run_check(args: argparse.Namespace) -> int:
    from medref.api.v1 import MAX_DRUGS, MAX_NAME_LENGTH, CheckOut
    from medref.checker.repository import get_checker

    err = Console(stderr=True)
    if len(args.drugs) > MAX_DRUGS:
        err.print(f"medref check: at most {MAX_DRUGS} drugs at once")
        return 2
    for name in args.drugs:
        if not name.strip() or len(name) > MAX_NAME_LENGTH:
            err.print(f"medref check: each drug name must be 1 to {MAX_NAME_LENGTH} characters")
            return 2
    result = get_checker().check(args.drugs)
    payload = CheckOut.model_validate(result.as_dict()).model_dump(mode="json")
    if args.json:
        print(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        _print_table(payload, Console(), patient=args.patient)
    if args.fail_on:
        threshold = Severity(args.fail_on).rank
        if any(Severity(f["severity"]).rank >= threshold for f in payload["findings"]):
            return 1
    return 0


def _print_table(payload: dict, console: Console, *, patient: bool) -> None:
    names = Table(title="Medicines", show_lines=False)
    for col in ("you typed", "means", "matched by"):
        names.add_column(col)
    for d in payload["drugs"]:
        if d["resolved"]:
            names.add_row(d["input"], ", ".join(d["ingredients"]), d["matched_by"] or "")
        else:
            hint = (
                ("did you mean: " + "; ".join(d["suggestions"]))
                if d["suggestions"]
                else (d["note"] or "")
            )
            names.add_row(d["input"], "[bold red]not recognised[/]", hint)
    console.print(names)
    if payload["findings"]:
        table = Table(title="Interactions, most severe first", show_lines=True)
        for col in ("severity", "drugs", "what to know", "sources"):
            table.add_column(col)
        for f in payload["findings"]:
            style = _STYLE[f["severity"]]
            text = (
                f["patient_text"]
                if patient and f["patient_text"]
                else (f["management"] or f["mechanism"] or f["summary"])
            )
            sources = "\n".join(f"{s['name']}: {s['severity']}" for s in f["sources"])
            if f["sources_disagree"]:
                sources += "\n[bold]sources disagree[/]"
            table.add_row(
                f"[{style}]{f['severity']}[/]\n{f['action']}",
                " + ".join(f["drugs"]) + ("\n(duplication)" if f["kind"] == "duplication" else ""),
                text + f"\n[dim]why: {f['explanation']}[/]",
                sources,
            )
        console.print(table)
    if payload["message"]:
        console.print(payload["message"])
