"""`medref setup`: migrate, create the editorial groups, load the bundled content, collect static
files. Safe to run again: every step is idempotent."""

from __future__ import annotations

import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from rich.console import Console

EDITORIAL_GROUPS = ("Authors", "Clinical reviewers", "Editors")


def run_setup(*, console: Console, content_dir: str | None = None) -> None:
    from django.contrib.auth.models import Group

    from medref.content.load import import_content
    from medref.stats import collect_stats

    started = time.monotonic()
    console.print("[bold]1/4[/] database migrations")
    call_command("migrate", interactive=False, verbosity=0)
    console.print("[bold]2/4[/] editorial groups")
    for name in EDITORIAL_GROUPS:
        Group.objects.get_or_create(name=name)
    root = Path(content_dir or settings.CONTENT_DIR)
    console.print(f"[bold]3/4[/] bundled content from {root}")
    import_content(path=root, console=console)
    from medref.reference.search import rebuild_index

    rebuild_index()
    console.print("[bold]4/4[/] static files")
    call_command("collectstatic", interactive=False, verbosity=0)
    stats = collect_stats()
    console.print(
        f"[green]medref is set up[/] in {time.monotonic() - started:.1f} s: "
        f"{stats['drugs']:,} drugs, {stats['names']:,} names, {stats['classes']:,} classes, "
        f"{stats['interactions']['total']:,} interactions, {stats['topics']:,} topics "
        f"(database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]})."
    )
