"""`medref backup PATH` and `medref restore PATH`.

SQLite: the online backup API copies a consistent snapshot while the site keeps serving, and
restore copies it back the same way (page by page, under SQLite's own locking, so a WAL file is
never left half-applied). PostgreSQL: pg_dump in its custom format, and pg_restore --clean.
A running server notices the restored knowledge base within a second (its version stamp moves).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
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


def restore(path: str | Path) -> None:
    path = Path(path)
    if not path.is_file():
        raise BackupFailed(f"{path}: no such backup file")
    db = _db()
    connections.close_all()
    if db["ENGINE"].endswith("sqlite3"):
        try:
            with sqlite3.connect(path) as source:
                if source.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                    raise BackupFailed(f"{path}: not a sound SQLite database; nothing was changed")
                tables = {
                    r[0]
                    for r in source.execute("SELECT name FROM sqlite_master WHERE type='table'")
                }
                if "knowledge_interaction" not in tables:
                    raise BackupFailed(f"{path}: not a medref backup; nothing was changed")
                with sqlite3.connect(db["NAME"], timeout=30) as target:
                    source.backup(target)
        except sqlite3.DatabaseError as exc:
            raise BackupFailed(
                f"{path}: not a SQLite database ({exc}); nothing was changed"
            ) from None
        return
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
