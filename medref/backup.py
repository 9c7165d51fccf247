"""`medref backup PATH` and `medref restore PATH`.

SQLite: the online backup API copies a consistent snapshot while the site keeps serving, and
restore copies it back the same way (page by page, under SQLite's own locking, so a WAL file is
never left half-applied). PostgreSQL: pg_dump in its custom format, and pg_restore --clean.
A running server notices the restored knowledge base within a second (its version stamp moves).

Restore is the one command that can destroy data, so it checks first: the file must be a medref
database of a schema this version knows (an older one is migrated after the restore), and a
database that holds anything is replaced only with --force, after a backup of it is written.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connections


class BackupFailed(Exception):
    pass


def _db() -> dict:
    return settings.DATABASES["default"]


def _pg_env(db: dict) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "PGHOST": str(db.get("HOST") or "localhost"),
            "PGPORT": str(db.get("PORT") or 5432),
            "PGUSER": str(db.get("USER") or ""),
            "PGPASSWORD": str(db.get("PASSWORD") or ""),
            "PGDATABASE": str(db["NAME"]),
        }
    )
    return env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
        found = str(candidates[-1]) if candidates else None
    if not found:
        raise BackupFailed(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return found


def backup(path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    db = _db()
    if db["ENGINE"].endswith("sqlite3"):
        with sqlite3.connect(db["NAME"]) as source, sqlite3.connect(path) as target:
            source.backup(target)
        with sqlite3.connect(path) as check:
            if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupFailed(f"{path}: the copy failed its integrity check")
        return path
    result = subprocess.run(
        [_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={path}"],
        env=_pg_env(db),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupFailed(f"pg_dump failed: {result.stderr.strip()}")
    return path


# What makes a database worth keeping: any of these rows (curated knowledge, people, their notes).
_DATA_MODELS = (
    "auth.User",
    "knowledge.Interaction",
    "vocab.Ingredient",
    "reference.Topic",
    "annotations.Annotation",
)


def _known_migrations() -> set[tuple[str, str]]:
    from django.db.migrations.loader import MigrationLoader

    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def check_compatible(applied: set[tuple[str, str]], source: Path) -> list[tuple[str, str]]:
    """Refuse a file that is not a medref database this version can run; return the migrations
    it still needs (it may come from an older medref: they are applied after the restore)."""
    if ("knowledge", "0001_initial") not in applied:
        raise BackupFailed(
            f"{source}: not a medref database (no medref schema); nothing was changed"
        )
    known = _known_migrations()
    newer = sorted(applied - known)
    if newer:
        listed = ", ".join(f"{app}.{name}" for app, name in newer[:5])
        raise BackupFailed(
            f"{source}: made by a newer medref (schema {listed} is unknown to this one); "
            "upgrade medref first. Nothing was changed"
        )
    return sorted(known - applied)


def current_data() -> dict[str, int]:
    """Rows of each kind that matter in the database restore would replace (empty: none)."""
    from django.apps import apps
    from django.db.utils import DatabaseError

    counts = {}
    for label in _DATA_MODELS:
        model = apps.get_model(label)
        try:
            count = model.objects.count()
        except DatabaseError:  # a fresh database without the table holds nothing of it
            continue
        if count:
            counts[model._meta.verbose_name_plural] = count
    return counts


def _sqlite_applied(source: sqlite3.Connection, path: Path) -> set[tuple[str, str]]:
    try:
        return set(source.execute("SELECT app, name FROM django_migrations"))
    except sqlite3.DatabaseError:
        raise BackupFailed(
            f"{path}: not a medref database (no schema record); nothing was changed"
        ) from None


def _pg_applied(path: Path, db: dict) -> set[tuple[str, str]]:
    """The schema record inside a pg_dump custom-format file, read without restoring anything."""
    result = subprocess.run(
        [_tool("pg_restore"), "--data-only", "--table=django_migrations", "--file=-", str(path)],
        env=_pg_env(db),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupFailed(
            f"{path}: not a pg_dump file ({result.stderr.strip()}); nothing was changed"
        )
    applied, in_copy = set(), False
    for line in result.stdout.splitlines():
        if line.startswith("COPY ") and "django_migrations" in line:
            in_copy = True
        elif in_copy and line == "\\.":
            break
        elif in_copy:
            fields = line.split("\t")
            if len(fields) >= 3:
                applied.add((fields[1], fields[2]))
    return applied


def _safety_copy() -> Path:
    """Back up the database about to be replaced, under var/backups/, and say where."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    suffix = "sqlite3" if _db()["ENGINE"].endswith("sqlite3") else "dump"
    return backup(Path(settings.VAR_DIR) / "backups" / f"before-restore-{stamp}.{suffix}")


@dataclass
class Restored:
    safety_copy: Path | None  # the replaced database, when it held anything
    migrated: list[tuple[str, str]]  # schema steps applied because the backup was older


def restore(path: str | Path, *, force: bool = False) -> Restored:
    """Replace the database with a backup made by `backup`.

    The file must be a medref database whose schema this version knows. A database that holds
    data is replaced only with force=True, and is itself backed up first (under var/backups/).
    """
    path = Path(path)
    if not path.is_file():
        raise BackupFailed(f"{path}: no such backup file")
    db = _db()
    sqlite = db["ENGINE"].endswith("sqlite3")
    if sqlite:
        try:
            with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as source:
                if source.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                    raise BackupFailed(f"{path}: not a sound SQLite database; nothing was changed")
                applied = _sqlite_applied(source, path)
        except sqlite3.DatabaseError as exc:
            raise BackupFailed(
                f"{path}: not a SQLite database ({exc}); nothing was changed"
            ) from None
    else:
        applied = _pg_applied(path, db)
    missing = check_compatible(applied, path)
    held = current_data()
    if held and not force:
        listed = ", ".join(f"{n:,} {what}" for what, n in held.items())
        raise BackupFailed(
            f"the current database holds data ({listed}); to replace it, run again with --force "
            "(it is backed up first). Nothing was changed"
        )
    safety = _safety_copy() if held else None
    connections.close_all()
    if sqlite:
        with (
            closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as source,
            closing(sqlite3.connect(db["NAME"], timeout=30)) as target,
        ):
            source.backup(target)
    else:
        result = subprocess.run(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                f"--dbname={db['NAME']}",
                str(path),
            ],
            env=_pg_env(db),
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BackupFailed(f"pg_restore failed: {result.stderr.strip()}")
    if missing:
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
    return Restored(safety_copy=safety, migrated=missing)
