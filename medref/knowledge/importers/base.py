"""What every importer shares: validate-then-write in one transaction, a summary table, the
source record with its licence, and a knowledge-base version bump."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from medref.knowledge.importers.errors import ImportFailed, fail  # noqa: F401 - re-exported
from medref.knowledge.models import KnowledgeBaseState
from medref.sources.models import Source


@dataclass
class Summary:
    title: str
    read: Counter = field(default_factory=Counter)
    added: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    removed: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)  # key: (kind, reason)

    @property
    def changed(self) -> bool:
        return bool(
            sum(self.added.values()) + sum(self.updated.values()) + sum(self.removed.values())
        )

    def print(self, console: Console) -> None:
        table = Table(title=self.title)
        for col in ("what", "read", "added", "updated", "removed", "unchanged"):
            table.add_column(col, justify="left" if col == "what" else "right")
        kinds = list(dict.fromkeys([*self.read, *self.added, *self.updated, *self.unchanged]))
        for kind in kinds:
            table.add_row(
                kind,
                *(
                    f"{c[kind]:,}"
                    for c in (self.read, self.added, self.updated, self.removed, self.unchanged)
                ),
            )
        console.print(table)
        if self.skipped:
            skipped = Table(title="Skipped")
            skipped.add_column("what")
            skipped.add_column("reason")
            skipped.add_column("count", justify="right")
            for (kind, reason), count in sorted(self.skipped.items()):
                skipped.add_row(kind, reason, f"{count:,}")
            console.print(skipped)


def progress(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )


def sha256_of(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def upsert_source(*, key: str, defaults: dict) -> Source:
    """Create or update the source row. An unchanged input (same checksum and metadata) leaves it
    exactly as it was, import time included, so a re-import gives the same database."""
    source = Source.objects.filter(key=key).first()
    if source is not None and all(getattr(source, k) == v for k, v in defaults.items()):
        return source
    source, _ = Source.objects.update_or_create(
        key=key, defaults={**defaults, "imported_at": timezone.now()}
    )
    return source


def print_licence(console: Console, source_defaults: dict) -> None:
    if source_defaults.get("non_commercial"):
        console.print(
            f"[bold yellow]Licence:[/] {source_defaults['name']} is published under "
            f"{source_defaults['licence']} ({source_defaults.get('licence_url', '')}). "
            "You may use it for non-commercial purposes only, must credit the authors, and must "
            "share anything you build from it under the same licence. medref records it as the "
            "source of every rating it supplies."
        )


# A source that really withdraws ratings withdraws a few; losing more than this share in one
# import is what a truncated or partial download looks like, so a person must confirm it.
MAX_REMOVED_PERCENT = 5

# `--allow-removals` is a choice about one run, not about one importer: it is set once where the
# run starts (`medref.imports.IMPORTERS`) and read by every guard that run reaches, so no importer
# needs a parameter threaded through its write helpers. Off by default, so a caller that never
# heard of it (`medref setup`, `medref content import`) is protected too.
_removals_allowed: ContextVar[bool] = ContextVar("medref_removals_allowed", default=False)


@contextmanager
def allowing_removals(allowed: bool = True) -> Iterator[None]:
    """Within this block, imports may remove any share of a source's ratings."""
    token = _removals_allowed.set(allowed)
    try:
        yield
    finally:
        _removals_allowed.reset(token)


def refuse_mass_removal(*, source: Source, existing: int, removing: int) -> None:
    """Raise ImportFailed if removing `removing` of the `existing` ratings `source` holds would
    remove more than MAX_REMOVED_PERCENT of them, unless removals are allowed.

    Importers call it just before deleting stale ratings, inside `commit`'s transaction, so the
    refusal rolls back everything the import wrote."""
    if _removals_allowed.get() or removing * 100 <= existing * MAX_REMOVED_PERCENT:
        return
    raise ImportFailed(
        f"{source.name}: this import would remove {removing:,} of the {existing:,} ratings "
        f"medref holds from it ({removing / existing:.1%}; more than {MAX_REMOVED_PERCENT}% needs "
        "confirming). A truncated or missing input file looks like this: check the input, or, "
        "if the source really withdrew them, run the import again with --allow-removals."
    )


def commit(write, *, console: Console, summary: Summary, dry_run: bool) -> Summary:
    """Run `write(summary)` in one transaction; bump the knowledge-base version if it changed."""
    if dry_run:
        console.print("dry run: validated, nothing written")
        return summary
    with transaction.atomic():
        write(summary)
        if summary.changed:
            KnowledgeBaseState.bump()
    summary.print(console)
    return summary


def fast_insert(
    model,
    columns: list[str],
    rows: list[tuple],
    *,
    json_columns: frozenset[str] = frozenset(),
    batch_size: int = 10_000,
) -> int:
    """Insert plain tuples with executemany, skipping model instances.

    Used for the 100k-row imports, where bulk_create spends most of its time building instances
    and preparing each value. Every column the model needs must be given: Django field defaults
    are not database defaults. JSON values are passed as JSON text.
    """
    from django.db import connection

    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    marks = ", ".join(f"%s{cast}" if c in json_columns else "%s" for c in columns)
    sql = f"INSERT INTO {table} ({cols}) VALUES ({marks})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            cursor.executemany(sql, rows[start : start + batch_size])
    return len(rows)
