"""A one-shot check without Django: `medref check` answers from the compiled snapshot.

The process reads the database's current version with a plain sqlite3 or psycopg connection (one
query), opens the snapshot of that version, resolves the names, and reads only the rules between
the sides (ingredients and their classes) of the medicines asked about. When there is no usable
snapshot (none yet, another version, another database, a damaged file) it returns None and the
caller builds one through Django, saying so.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from medref.checker import snapshot
from medref.checker.engine import (
    CheckResult,
    Index,
    check_drugs,
    resolved_drug,
)
from medref.domain.sides import class_side, ingredient_side
from medref.domain.stamps import stamp_of

ROOT = Path(__file__).resolve().parents[2]
_STATE_QUERY = "SELECT version, changed_at FROM knowledge_knowledgebasestate WHERE id = 1"


CHECK_PARTS = ("ingredients", "classes", "memberships", "sources", "checked", "problems")


class NoSnapshot(Exception):
    """Why the snapshot cannot answer; the caller falls back to the database."""


def _var_dir() -> Path:
    return Path(os.environ.get("MEDREF_VAR_DIR") or ROOT / "var")


def snapshot_dir() -> Path | None:
    raw = os.environ.get("MEDREF_SNAPSHOT_DIR")
    if raw is None:
        return _var_dir() / "snapshots"
    return Path(raw) if raw.strip() else None


def _database() -> tuple[str, dict[str, str]]:
    """The database identity (as Django would describe it) and how to connect, from the same
    environment settings that medref.config.settings reads."""
    raw = os.environ.get("DATABASE_URL", "").strip()
    if not raw:
        path = str(_var_dir() / "medref.sqlite3")
        return snapshot.database_identity("sqlite3", path), {"sqlite": path}
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(raw)
    if parts.scheme == "sqlite":
        # As dj-database-url reads it: sqlite:////abs/path is /abs/path, sqlite:///rel is rel.
        path = unquote(parts.path)
        path = path[1:] if path.startswith("/") else path
        return snapshot.database_identity("sqlite3", path), {"sqlite": path}
    if parts.scheme in ("postgres", "postgresql"):
        name = unquote(parts.path.lstrip("/"))
        identity = snapshot.database_identity(
            "postgresql", name, parts.hostname or "", parts.port or ""
        )
        return identity, {"postgres": raw}
    raise NoSnapshot(f"DATABASE_URL scheme {parts.scheme!r}")


def _current_stamp(connect: dict[str, str]) -> str:
    if "sqlite" in connect:
        path = connect["sqlite"]
        if not os.path.exists(path):
            raise NoSnapshot(f"no database at {path}")
        try:
            db = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True, timeout=20)
            try:
                row = db.execute(_STATE_QUERY).fetchone()
            finally:
                db.close()
        except sqlite3.Error as exc:
            raise NoSnapshot(f"cannot read the database version ({exc})") from None
    else:
        import psycopg  # only for PostgreSQL, and only here: it costs an import otherwise

        try:
            with psycopg.connect(connect["postgres"], connect_timeout=10) as pg:
                row = pg.execute(_STATE_QUERY).fetchone()
        except psycopg.Error as exc:
            raise NoSnapshot(f"cannot read the database version ({exc})") from None
    return stamp_of(row[0], row[1]) if row else "0"


def check(inputs: list[str]) -> CheckResult:
    """Check `inputs` against the snapshot of the database's current version, or raise
    NoSnapshot saying why not."""
    directory = snapshot_dir()
    if directory is None:
        raise NoSnapshot("snapshots are turned off (MEDREF_SNAPSHOT_DIR is empty)")
    identity, connect = _database()
    pointer = snapshot.read_pointer(directory)
    if pointer is None:
        raise NoSnapshot(f"no snapshot in {directory} yet")
    stamp = _current_stamp(connect)
    if pointer.stamp != stamp:
        raise NoSnapshot("the knowledge base changed since the last snapshot")
    try:
        file = snapshot.SnapshotFile(pointer, database=identity)
        try:
            return check_file(file, inputs)
        finally:
            file.close()
    except snapshot.SnapshotError as exc:
        raise NoSnapshot(str(exc)) from None


def check_file(
    file: snapshot.SnapshotFile, inputs: list[str], core: dict[str, Any] | None = None
) -> CheckResult:
    """Check against an open snapshot, reading only the rules among the inputs' sides."""
    # Brands, topics and codes serve pages and EHR requests, not a check: not read here.
    core = core if core is not None else file.core(*CHECK_PARTS)
    names = snapshot.lazy_names(file, core["ingredients"])
    resolutions = [names.resolve(text) for text in inputs]
    memberships = core["memberships"]
    sides: set[int] = set()
    for resolution in resolutions:
        for ingredient_id in resolution.ingredient_ids:
            sides.add(ingredient_side(ingredient_id))
            sides.update(class_side(c) for c in memberships.get(ingredient_id, ()))
    # Only the ingredients asked about: the index of a one-shot check needs no other.
    involved = {i for r in resolutions for i in r.ingredient_ids}
    core = {
        **core,
        "ingredients": {i: core["ingredients"][i] for i in involved},
        "memberships": {i: memberships[i] for i in involved if i in memberships},
    }
    index = Index(file.snapshot(file.rules(sides), core, names=names))
    drugs = [resolved_drug(index, t, r) for t, r in zip(inputs, resolutions, strict=True)]
    return check_drugs(index, drugs)
