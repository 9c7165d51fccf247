"""The `medref` command: setup, serve, stats, import, check and a pass-through to Django's manage.

Configuration errors are printed as one line naming the setting (exit 2), never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable

EXIT_USAGE = 2


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medref.config.settings")
    import django

    django.setup()


def _console(stderr: bool = True):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def cmd_setup(args: argparse.Namespace) -> int:
    _django()
    from medref.setup import run_setup

    run_setup(console=_console(), content_dir=args.content)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    _django()
    from django.core.management import call_command

    console = _console()
    if args.dev:
        call_command("runserver", f"{args.host}:{args.port}")
        return 0
    call_command("collectstatic", interactive=False, verbosity=0)
    console.print(
        f"medref serving on http://{args.host}:{args.port}/ with gunicorn, "
        f"{args.workers} worker(s). Ctrl-C stops it."
    )
    argv = [
        "gunicorn",
        "medref.config.wsgi:application",
        "--bind",
        f"{args.host}:{args.port}",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--access-logfile",
        "-" if args.access_log else "/dev/null",
        "--graceful-timeout",
        "10",
        "--timeout",
        "60",
        # Load the app, and the checker's index from its snapshot, once in the master before
        # forking: no request waits for an index, and the workers share one copy of it.
        "--preload",
    ]
    os.environ["MEDREF_WARM_BEFORE_FORK"] = "1"
    os.execvp(sys.executable, [sys.executable, "-m", *argv])
    return 0  # pragma: no cover - exec does not return


def cmd_stats(args: argparse.Namespace) -> int:
    _django()
    from medref.stats import collect_stats

    stats = collect_stats()
    if args.json:
        print(json.dumps(stats, indent=2, sort_keys=True))
    else:
        from medref.stats import print_stats

        print_stats(stats, _console(stderr=False))
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    _django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["medref manage", *args.rest])
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    _django()
    from medref.imports import IMPORTERS, ImportFailed

    importer = IMPORTERS[args.source]
    console = _console()
    try:
        importer(
            path=args.path,
            console=console,
            dry_run=args.dry_run,
            allow_removals=args.allow_removals,
        )
    except ImportFailed as exc:
        console.print("[bold red]import failed, nothing was changed:[/]", end=" ")
        console.print(str(exc), markup=False, highlight=False)
        return 1
    if not args.dry_run:
        from medref.kb_cli import print_audit_summary
        from medref.knowledge.audit import run_audit

        result = run_audit()
        print_audit_summary(result, console)
        if not result.ok:
            console.print(
                f"[bold yellow]{len(result.duplicates)} likely duplicate ingredients[/]: "
                "see `medref kb audit`"
            )
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    _django()
    from medref.backup import BackupFailed, backup, restore

    console = _console()
    try:
        if args.command == "backup":
            written = backup(args.path)
            console.print(f"backup written to {written} ({written.stat().st_size:,} bytes)")
        else:
            restored = restore(args.path, force=args.force)
            if restored.safety_copy:
                console.print(f"the replaced database was backed up to {restored.safety_copy}")
            if restored.migrated:
                console.print(f"schema brought up to date ({len(restored.migrated)} migrations)")
            console.print(f"restored from {args.path}")
    except BackupFailed as exc:
        console.print(f"[bold red]{args.command} failed:[/] {exc}")
        return 1
    return 0


def cmd_meter(args: argparse.Namespace) -> int:
    _django()
    from django.conf import settings

    from medref.accounts.metering import prune_ledger

    removed = prune_ledger(dry_run=args.dry_run)
    verb = "would delete" if args.dry_run else "deleted"
    _console(stderr=False).print(
        f"metering ledger: {verb} {removed:,} entries older than the "
        f"{settings.MEDREF_FREE_PAGES_DAYS}-day window"
    )
    return 0


def cmd_content(args: argparse.Namespace) -> int:
    _django()
    from medref.content.files import export_content, import_files

    console = _console()
    if args.action == "export":
        export_content(args.path, console)
    else:
        import_files(args.path, console, force=args.force)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    # No Django here: the check answers from the compiled snapshot when it can.
    from medref.checker.cli import run_check

    return run_check(args)


def cmd_kb(args: argparse.Namespace) -> int:
    _django()
    from medref.kb_cli import run

    return run(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="medref",
        description="medref: drug-interaction checker and clinical reference.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("setup", help="create or migrate the database and load the bundled content")
    p.add_argument("--content", default=None, help="content folder (default: MEDREF_CONTENT_DIR)")
    p.set_defaults(func=cmd_setup)

    p = sub.add_parser("serve", help="run the web server (gunicorn + whitenoise)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    p.add_argument("--threads", type=int, default=4, help="threads per worker (default 4)")
    p.add_argument("--access-log", action="store_true", help="log every request to stdout")
    p.add_argument("--dev", action="store_true", help="use Django's development server instead")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("stats", help="counts of drugs, names, classes, interactions, topics, users")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_stats)

    from medref.imports import IMPORTER_HELP

    p = sub.add_parser("import", help="import a data source (validates first, one transaction)")
    p.add_argument(
        "source",
        choices=sorted(IMPORTER_HELP),
        help="; ".join(f"{k}: {v}" for k, v in sorted(IMPORTER_HELP.items())),
    )
    p.add_argument("path", help="file or folder to read")
    p.add_argument("--dry-run", action="store_true", help="validate and report; write nothing")
    p.add_argument(
        "--allow-removals",
        action="store_true",
        help="let the import remove more than 5%% of the source's existing ratings "
        "(refused otherwise, as a sign of a truncated or incomplete input)",
    )
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("backup", help="write a consistent backup of the database to PATH (online)")
    p.add_argument("path", help="backup file to write")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="replace the database with a backup made by medref backup")
    p.add_argument("path", help="backup file to read")
    p.add_argument(
        "--force",
        action="store_true",
        help="replace a database that holds data (it is backed up to var/backups/ first)",
    )
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("meter", help="maintain the metering ledger of anonymous topic reads")
    meter_actions = p.add_subparsers(dest="meter_action", metavar="ACTION", required=True)
    prune = meter_actions.add_parser(
        "prune", help="delete ledger entries older than the metering window (run it daily)"
    )
    prune.add_argument("--dry-run", action="store_true", help="count them; delete nothing")
    p.set_defaults(func=cmd_meter)

    p = sub.add_parser(
        "content", help="export or import curated content as files (YAML + Markdown)"
    )
    p.add_argument(
        "action", choices=["export", "import"], help="export: write files; import: load them"
    )
    p.add_argument("path", help="the folder to write or read")
    p.add_argument(
        "--force", action="store_true", help="import even over documents changed since the export"
    )
    p.set_defaults(func=cmd_content)

    from medref.checker.cli import add_check_arguments

    p = sub.add_parser("check", help="check a list of drugs for interactions")
    add_check_arguments(p)
    p.set_defaults(func=cmd_check)

    from medref.kb_cli import add_arguments as add_kb_arguments

    p = sub.add_parser("kb", help="audit the knowledge base, or run the must-catch table")
    add_kb_arguments(p)
    p.set_defaults(func=cmd_kb)

    p = sub.add_parser("manage", help="run a Django management command", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)

    p = sub.add_parser("cds", help="CDS Hooks: `medref cds feedback` summarises card feedback")
    p.add_argument("action", choices=["feedback"], help="what to show")
    p.add_argument("--days", type=int, default=None, help="only feedback from the last N days")
    p.set_defaults(func=cmd_cds)
    return parser


def main(argv: list[str] | None = None) -> int:
    import gc

    # A one-shot `medref check` allocates a lot and exits at once: the cyclic collector would
    # only cost it time (about a tenth). Every other command runs with it on.
    gc.disable()
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command != "check":
        gc.enable()
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        # Imported here, not at the top: `medref check` must start in milliseconds.
        from medref.config.env import ConfigError
        from medref.knowledge.importers.errors import ImportFailed

        if isinstance(exc, ImportFailed):
            print(f"medref: import failed, nothing was changed: {exc}", file=sys.stderr)
            return 1
        cause: BaseException | None = exc  # Django wraps configuration errors: unwrap them
        while cause is not None:
            if isinstance(cause, ConfigError):
                print(f"medref: configuration error: {cause}", file=sys.stderr)
                return EXIT_USAGE
            cause = cause.__cause__ or cause.__context__
        raise


def cmd_cds(args: argparse.Namespace) -> int:
    """Per finding: cards accepted and overridden, and the override reasons clinicians gave."""
    _django()
    from medref.api.cdshooks.feedback import print_summary

    print_summary(console=_console(stderr=False), days=args.days)
    return 0


if __name__ == "__main__":
    sys.exit(main())
