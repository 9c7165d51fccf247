"""`medref check DRUG [DRUG ...]`: a readable table, or exactly the API's JSON with --json.

Answers from the compiled knowledge-base snapshot without starting Django (milliseconds); only
when there is no snapshot of the database's current version does it start Django, build the
index from the database and write the snapshot, saying so on stderr.

Exit codes: 0 checked (unknown names are listed, not fatal); 1 a finding at or above
--fail-on; 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from medref.checker.engine import CheckResult
from medref.checker.present import result_json
from medref.domain.limits import MAX_DRUGS, MAX_NAME_LENGTH
from medref.domain.severity import Severity

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
    if len(args.drugs) > MAX_DRUGS:
        print(f"medref check: at most {MAX_DRUGS} drugs at once", file=sys.stderr)
        return 2
    for name in args.drugs:
        if not name.strip() or len(name) > MAX_NAME_LENGTH:
            print(
                f"medref check: each drug name must be 1 to {MAX_NAME_LENGTH} characters",
                file=sys.stderr,
            )
            return 2
    try:
        payload = result_json(check(args.drugs))
    except NotSetUp as exc:
        print(f"medref check: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(payload, indent=2, ensure_ascii=False))
    elif sys.stdout.isatty():
        from rich.console import Console

        # No emoji codes (they cost the import of a 60 ms table, and would turn ":pill:" typed
        # by a user into a picture).
        _print_table(payload, Console(emoji=False), patient=args.patient)
    else:
        # Into a pipe or a file (scripts, logs): plain lines a person or grep can read, without
        # box drawing, and without loading rich (a third of a one-shot check's time).
        _print_plain(payload, patient=args.patient)
    if args.fail_on:
        threshold = Severity(args.fail_on).rank
        if any(Severity(f["severity"]).rank >= threshold for f in payload["findings"]):
            return 1
    return 0


def check(drugs: list[str]) -> CheckResult:
    """From the snapshot when it matches the database; else through Django (and write one)."""
    from medref.checker import oneshot

    try:
        return oneshot.check(drugs)
    except oneshot.NoSnapshot as why:
        print(
            f"medref check: reading the knowledge base from the database ({why}); "
            "writing a snapshot so the next check starts at once",
            file=sys.stderr,
        )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medref.config.settings")
    import django

    django.setup()
    from django.db import DatabaseError

    from medref.checker.repository import get_checker

    try:
        return get_checker().check(drugs)
    except DatabaseError as exc:
        raise NotSetUp(
            f"cannot read the knowledge base ({exc}); run `medref setup` first"
        ) from None


class NotSetUp(Exception):
    """No knowledge base to check against yet."""


def _finding_text(f: dict, *, patient: bool) -> str:
    if patient and f["patient_text"]:
        return str(f["patient_text"])
    return str(f["management"] or f["mechanism"] or f["summary"])


def _print_plain(payload: dict, *, patient: bool) -> None:
    print("Medicines")
    for d in payload["drugs"]:
        if d["resolved"]:
            means = ", ".join(d["ingredients"])
            print(f"  {d['input']} -> {means} ({d['matched_by'] or 'name'})")
        else:
            hint = "did you mean: " + "; ".join(d["suggestions"]) if d["suggestions"] else ""
            print(f"  {d['input']} -> not recognised{'; ' + hint if hint else ''}")
    if payload["findings"]:
        print("\nInteractions, most severe first")
    for f in payload["findings"]:
        kind = " (duplication)" if f["kind"] == "duplication" else ""
        print(f"  {f['severity'].upper()}: {' + '.join(f['drugs'])}{kind} ({f['action']})")
        print(f"    {_finding_text(f, patient=patient)}")
        print(f"    why: {f['explanation']}")
        sources = "; ".join(f"{s['name']}: {s['severity']}" for s in f["sources"])
        disagree = " (sources disagree)" if f["sources_disagree"] else ""
        print(f"    sources: {sources}{disagree}")
    if payload["message"]:
        print(f"\n{payload['message']}")


def _print_table(payload: dict, console, *, patient: bool) -> None:
    from rich.markup import escape
    from rich.table import Table

    names = Table(title="Medicines", show_lines=False)
    for col in ("you typed", "means", "matched by"):
        names.add_column(col)
    for d in payload["drugs"]:
        if d["resolved"]:
            # What the user typed is text, never markup: "[red]" must print as typed.
            names.add_row(escape(d["input"]), ", ".join(d["ingredients"]), d["matched_by"] or "")
        else:
            hint = (
                ("did you mean: " + "; ".join(d["suggestions"]))
                if d["suggestions"]
                else (d["note"] or "")
            )
            names.add_row(escape(d["input"]), "[bold red]not recognised[/]", escape(hint))
    console.print(names)
    if payload["findings"]:
        table = Table(title="Interactions, most severe first", show_lines=True)
        for col in ("severity", "drugs", "what to know", "sources"):
            table.add_column(col)
        for f in payload["findings"]:
            style = _STYLE[f["severity"]]
            text = _finding_text(f, patient=patient)
            sources = "\n".join(f"{s['name']}: {s['severity']}" for s in f["sources"])
            if f["sources_disagree"]:
                sources += "\n[bold]sources disagree[/]"
            table.add_row(
                f"[{style}]{f['severity']}[/]\n{f['action']}",
                " + ".join(f["drugs"]) + ("\n(duplication)" if f["kind"] == "duplication" else ""),
                escape(text) + f"\n[dim]why: {escape(f['explanation'])}[/]",
                sources,
            )
        console.print(table)
    if payload["message"]:
        console.print(escape(payload["message"]))
