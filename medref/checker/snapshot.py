"""The compiled knowledge base: one read-only file per knowledge-base version.

Django-free. Every import, `medref setup` and every publication writes one (after its transaction
commits); every process reads it instead of loading the knowledge base through the ORM:

- the server's master process loads it whole before it forks its workers, so every worker starts
  with the index in memory, shared copy-on-write;
- `medref check` opens it without Django and reads only the rules between the sides of the
  medicines asked about, so a one-shot check costs milliseconds, not seconds.

Format (see docs/adr/0008-knowledge-base-snapshot.md for the alternatives measured): a SQLite
file holding `meta` (format, stamp, database identity, counts, the rule field list), `core`
(ingredients, classes, names, codes, sources ... as marshal blobs, each with a CRC) and `rules`
(one marshal blob per rule, indexed by its pair of sides). marshal reads plain tuples back fast
and, unlike pickle, never runs code from the file. A pointer file, CURRENT.json, names the
snapshot of the newest version with its size and SHA-256.

Writing is atomic: write a temporary file, fsync, rename; then the same for the pointer. A
reader never sees a half-written file, and a missing, truncated or foreign file is refused (and
rebuilt from the database by the caller), never served.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import fcntl
import json
import marshal
import os
import sqlite3
import struct
import sys
import time
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from medref.checker.engine import ClassInfo, Rule, Snapshot, SourceInfo
from medref.domain.severity import Severity
from medref.vocab.resolve import NameIndex, PlainEntries, _Entry

FORMAT = "medref-snapshot/3"  # bump whenever the layout changes: old files are then rebuilt
POINTER = "CURRENT.json"
_RULE_FIELDS = tuple(f.name for f in dataclasses.fields(Rule))
_SEVERITY = {s.value: s for s in Severity}
_KEEP_OLD_SECONDS = 300  # a reader that has just read the pointer still finds its file


class SnapshotError(Exception):
    """A snapshot file that must not be served: missing, truncated, corrupt or foreign."""


def database_identity(engine: str, name: str, host: str = "", port: str | int = "") -> str:
    """Which database a snapshot was built from, so a snapshot of another one is never served.
    Django's settings and the CLI's own reading of DATABASE_URL give the same string."""
    if "sqlite" in engine:
        memory = name.startswith("file:") or name == ":memory:"
        return f"sqlite:{name if memory else os.path.abspath(name)}"
    return f"postgresql://{host or 'localhost'}:{port or 5432}/{name}"


# --- writing ----------------------------------------------------------------------------------


def _blob(value: Any) -> tuple[bytes, int]:
    data = marshal.dumps(value)
    return data, zlib.crc32(data)


def _rule_row(rule: Rule) -> tuple[int, int, bytes]:
    values = [getattr(rule, name) for name in _RULE_FIELDS]
    values[_RULE_FIELDS.index("severity")] = rule.severity.value
    a, b = (rule.a, rule.b) if rule.a <= rule.b else (rule.b, rule.a)
    return a, b, marshal.dumps(tuple(values))


def _names_plain(names: NameIndex) -> tuple[Any, ...]:
    return (
        {
            k: [(e.rank, e.kind, e.display, e.ingredient_ids) for e in v]
            for k, v in names.exact.items()
        },
        names.fuzzy_keys,
        names.fuzzy_owner,
        names.fuzzy_display,
        names.ingredient_names,
    )


def _core(snapshot: Snapshot) -> dict[str, Any]:
    checked = sorted({rule.source for rule in snapshot.rules})
    return {
        "ingredients": snapshot.ingredients,
        "classes": {c.id: (c.slug, c.name, c.duplication) for c in snapshot.classes.values()},
        "memberships": snapshot.memberships,
        "sources": {
            k: (s.key, s.name, s.version, s.licence, s.url, s.language)
            for k, s in snapshot.sources.items()
        },
        "checked": checked,
        "brands": snapshot.brands or {},
        "topics": snapshot.topics or {},
        "codes": snapshot.codes or {},
        "kinds": snapshot.kinds or {},
        "profiles": snapshot.profiles or {},
        "problems": tuple(snapshot.problems),
        "names": _names_plain(snapshot.names),
    }


def write(snapshot: Snapshot, directory: Path, *, database: str) -> Path:
    """Write `snapshot` as the current one in `directory`; returns its path. Safe against
    concurrent writers (a lock file) and readers (rename is atomic)."""
    directory.mkdir(parents=True, exist_ok=True)
    import hashlib

    digest = hashlib.sha256(f"{database}|{snapshot.stamp}".encode()).hexdigest()[:12]
    final = directory / f"kb-{snapshot.version}-{digest}.sqlite3"
    tmp = directory / f".{final.name}.{os.getpid()}.tmp"
    tmp.unlink(missing_ok=True)
    changed_at = snapshot.changed_at
    meta = {
        "format": FORMAT,
        "stamp": snapshot.stamp,
        "version": str(snapshot.version),
        "changed_at": changed_at.isoformat() if isinstance(changed_at, dt.datetime) else "",
        "database": database,
        "rule_fields": ",".join(_RULE_FIELDS),
        "rules": str(len(snapshot.rules)),
        "written_at": dt.datetime.now(dt.UTC).isoformat(),
    }
    db = sqlite3.connect(tmp, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        db.execute("BEGIN")
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute("CREATE TABLE core (part TEXT PRIMARY KEY, crc INTEGER NOT NULL, data BLOB)")
        db.execute("CREATE TABLE rules (a INTEGER NOT NULL, b INTEGER NOT NULL, data BLOB)")
        db.executemany(
            "INSERT INTO core VALUES (?, ?, ?)",
            [(part, *reversed(_blob(value))) for part, value in _core(snapshot).items()],
        )
        db.executemany("INSERT INTO rules VALUES (?, ?, ?)", map(_rule_row, snapshot.rules))
        # The exact-name table again, one row per name: a one-shot check looks up a few names
        # instead of loading them all (the "names" core part serves whole loads).
        db.execute("CREATE TABLE names (key TEXT PRIMARY KEY, data BLOB) WITHOUT ROWID")
        db.executemany(
            "INSERT INTO names VALUES (?, ?)",
            ((k, marshal.dumps(v)) for k, v in _names_plain(snapshot.names)[0].items()),
        )
        db.execute("CREATE INDEX rules_pair ON rules (a, b)")
        # Written last: a file without it was never finished.
        db.executemany("INSERT INTO meta VALUES (?, ?)", [*meta.items(), ("complete", "1")])
        db.execute("COMMIT")
    finally:
        db.close()
    _fsync(tmp)
    size = tmp.stat().st_size
    sha = _sha256(tmp)
    with _lock(directory):
        os.replace(tmp, final)
        pointer = {
            "format": FORMAT,
            "file": final.name,
            "stamp": snapshot.stamp,
            "version": snapshot.version,
            "database": database,
            "size": size,
            "sha256": sha,
        }
        ptmp = directory / f".{POINTER}.{os.getpid()}.tmp"
        ptmp.write_text(json.dumps(pointer, indent=1))
        _fsync(ptmp)
        os.replace(ptmp, directory / POINTER)
        _fsync_dir(directory)
        _prune(directory, keep=final.name)
    return final


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):  # not every filesystem lets a directory be fsynced
        _fsync(directory)


@contextlib.contextmanager
def _lock(directory: Path) -> Iterator[None]:
    with open(directory / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _prune(directory: Path, *, keep: str) -> None:
    """Remove older snapshots after a grace period (an open file stays readable on POSIX)."""
    now = time.time()
    for path in directory.glob("kb-*.sqlite3"):
        if path.name != keep:
            with contextlib.suppress(OSError):
                if now - path.stat().st_mtime > _KEEP_OLD_SECONDS:
                    path.unlink()
    for path in directory.glob(".*.tmp"):  # left by a writer that crashed
        with contextlib.suppress(OSError):
            if now - path.stat().st_mtime > _KEEP_OLD_SECONDS:
                path.unlink()


def _sha256(path: Path) -> str:
    import hashlib  # here: a one-shot check never hashes, and the import costs it time

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- reading ----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Pointer:
    file: Path
    stamp: str
    version: int
    database: str
    size: int
    sha256: str


def read_pointer(directory: Path) -> Pointer | None:
    """The pointer to the newest snapshot, or None when there is none (or it is unreadable)."""
    try:
        raw = json.loads((directory / POINTER).read_text())
        if raw.get("format") != FORMAT:
            return None
        return Pointer(
            file=directory / str(raw["file"]),
            stamp=str(raw["stamp"]),
            version=int(raw["version"]),
            database=str(raw["database"]),
            size=int(raw["size"]),
            sha256=str(raw["sha256"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def pointer_signature(directory: Path) -> tuple[int, int, int] | None:
    """A cheap fingerprint of the pointer file (one stat call): changes whenever it is replaced."""
    try:
        st = os.stat(directory / POINTER)
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


class SnapshotFile:
    """One snapshot opened read-only. `verify=True` also checks the whole file's SHA-256 (the
    server does, as it reads everything anyway); the CLI checks size, structure and CRCs."""

    def __init__(self, pointer: Pointer, *, database: str, verify: bool = False) -> None:
        path = pointer.file
        if pointer.database != database:
            raise SnapshotError(f"{path.name} was built from another database ({pointer.database})")
        try:
            size = path.stat().st_size
        except OSError:
            raise SnapshotError(f"{path.name} is missing") from None
        if size != pointer.size:
            raise SnapshotError(
                f"{path.name} is {size} bytes, expected {pointer.size} (truncated?)"
            )
        _check_sqlite_header(path, size)
        if verify and _sha256(path) != pointer.sha256:
            raise SnapshotError(f"{path.name} does not match its checksum")
        try:
            # immutable=1: no locks and no journal; the file never changes once renamed in place.
            self.db = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
            meta = dict(self.db.execute("SELECT key, value FROM meta"))
        except sqlite3.DatabaseError as exc:
            raise SnapshotError(f"{path.name} is not a readable snapshot ({exc})") from None
        if meta.get("complete") != "1" or meta.get("format") != FORMAT:
            raise SnapshotError(f"{path.name} is incomplete or of another format")
        if meta.get("rule_fields") != ",".join(_RULE_FIELDS):
            raise SnapshotError(f"{path.name} was written by another version of medref")
        if meta.get("stamp") != pointer.stamp or meta.get("database") != database:
            raise SnapshotError(f"{path.name} does not hold the version its pointer names")
        self.meta = meta
        self.path = path

    def close(self) -> None:
        self.db.close()

    def core(self, *parts: str) -> dict[str, Any]:
        wanted = parts or _CORE_PARTS
        marks = ",".join("?" * len(wanted))
        out: dict[str, Any] = {}
        try:
            rows = self.db.execute(
                f"SELECT part, crc, data FROM core WHERE part IN ({marks})", wanted
            ).fetchall()
            for part, crc, data in rows:
                if zlib.crc32(data) != crc:
                    raise SnapshotError(f"{self.path.name}: part {part!r} is corrupt")
                out[part] = marshal.loads(data)
        except (sqlite3.DatabaseError, ValueError, EOFError, TypeError) as exc:
            raise SnapshotError(f"{self.path.name} is corrupt ({exc})") from None
        if len(out) != len(wanted):
            raise SnapshotError(f"{self.path.name} lacks part(s) {set(wanted) - set(out)}")
        return out

    def rules(self, sides: Iterable[int] | None = None) -> list[Rule]:
        """Every rule, or only those between two of `sides` (both ends in the set)."""
        try:
            if sides is None:
                cursor = self.db.execute("SELECT data FROM rules")
            else:
                wanted = sorted(set(sides))
                marks = ",".join("?" * len(wanted))
                cursor = self.db.execute(
                    f"SELECT data FROM rules WHERE a IN ({marks}) AND b IN ({marks})",
                    wanted + wanted,
                )
            out = [_rule(marshal.loads(data)) for (data,) in cursor]
        except (sqlite3.DatabaseError, ValueError, EOFError, TypeError, KeyError) as exc:
            raise SnapshotError(f"{self.path.name}: rules are corrupt ({exc})") from None
        if sides is None and len(out) != int(self.meta["rules"]):
            raise SnapshotError(
                f"{self.path.name} holds {len(out)} rules, expected {self.meta['rules']}"
            )
        return out

    def snapshot(
        self,
        rules: list[Rule],
        core: dict[str, Any] | None = None,
        *,
        names: NameIndex | None = None,
    ) -> Snapshot:
        core = core if core is not None else self.core()
        changed_at = self.meta.get("changed_at") or None
        return Snapshot(
            version=int(self.meta["version"]),
            stamp=self.meta["stamp"],
            ingredients=core["ingredients"],
            classes={i: ClassInfo(i, *v) for i, v in core["classes"].items()},
            memberships=core["memberships"],
            rules=rules,
            sources={k: SourceInfo(*v) for k, v in core["sources"].items()},
            names=names if names is not None else names_from(core["names"]),
            changed_at=dt.datetime.fromisoformat(changed_at) if changed_at else None,
            brands=core.get("brands", {}),
            topics=core.get("topics", {}),
            codes=core.get("codes", {}),
            kinds=core.get("kinds", {}),
            profiles=core.get("profiles", {}),
            problems=tuple(core["problems"]),
            checked_sources=tuple(core["checked"]),
        )


_CORE_PARTS = (
    "ingredients",
    "classes",
    "memberships",
    "sources",
    "checked",
    "brands",
    "topics",
    "codes",
    "kinds",
    "profiles",
    "problems",
    "names",
)


_SEVERITY_AT = _RULE_FIELDS.index("severity")


_SHARED_AT = tuple(_RULE_FIELDS.index(f) for f in ("source", "language", "review_status"))


def _rule(values: tuple[Any, ...]) -> Rule:
    # marshal gives the severity back as its name; the engine compares Severity members.
    fields = list(values)
    fields[_SEVERITY_AT] = _SEVERITY[fields[_SEVERITY_AT]]
    # A handful of values repeated across 160k rules: one shared string each (as the ORM gives),
    # so the hot path compares them by identity and the index holds one copy.
    for at in _SHARED_AT:
        fields[at] = sys.intern(fields[at])
    return Rule(*fields)


def names_from(plain: tuple[Any, ...]) -> NameIndex:
    exact, fuzzy_keys, fuzzy_owner, fuzzy_display, ingredient_names = plain
    return NameIndex(
        # Built whole: a long-lived index looks names up millions of times, and a plain dict of
        # entries answers faster than a lazy mapping (6,500 names take milliseconds to build).
        exact={k: [_Entry(*e) for e in v] for k, v in exact.items()},
        fuzzy_keys=fuzzy_keys,
        fuzzy_owner=fuzzy_owner,
        fuzzy_display=fuzzy_display,
        ingredient_names=ingredient_names,
    )


class StoredEntries(PlainEntries):
    """The exact-name table read row by row from an open snapshot, as names are looked up."""

    def __init__(self, db: sqlite3.Connection) -> None:
        super().__init__()
        self._db = db
        self._absent: set[str] = set()

    def _fetch(self, key: str) -> bool:
        if dict.__contains__(self, key):
            return True
        if key in self._absent:
            return False
        try:
            row = self._db.execute("SELECT data FROM names WHERE key = ?", (key,)).fetchone()
            value = marshal.loads(row[0]) if row else None
        except (sqlite3.DatabaseError, ValueError, EOFError, TypeError) as exc:
            raise SnapshotError(f"the names table is corrupt ({exc})") from None
        if value is None:
            self._absent.add(key)
            return False
        dict.__setitem__(self, key, value)
        return True

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._fetch(key)

    def __getitem__(self, key: str) -> list[_Entry]:
        if not self._fetch(key):
            raise KeyError(key)
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if self._fetch(key) else default


def lazy_names(file: SnapshotFile, ingredients: dict[int, tuple[str, str]]) -> NameIndex:
    """A name index that reads each name from the snapshot when it is first looked up, and the
    whole table only if fuzzy matching or a prefix search needs it."""
    index = NameIndex(
        exact=StoredEntries(file.db),
        ingredient_names={i: name for i, (_slug, name) in ingredients.items()},
    )

    def complete() -> None:
        full = names_from(file.core("names")["names"])
        index.exact, index.fuzzy_keys = full.exact, full.fuzzy_keys
        index.fuzzy_owner, index.fuzzy_display = full.fuzzy_owner, full.fuzzy_display

    index.complete = complete
    return index


def _check_sqlite_header(path: Path, size: int) -> None:
    """SQLite records the database size in pages in its header: a file cut short (a failed copy,
    a full disk) is caught before any query reads a missing page."""
    try:
        with open(path, "rb") as handle:
            header = handle.read(100)
    except OSError as exc:
        raise SnapshotError(f"{path.name} cannot be read ({exc})") from None
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        raise SnapshotError(f"{path.name} is not a SQLite file")
    page_size = struct.unpack(">H", header[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    pages = struct.unpack(">I", header[28:32])[0]
    if pages * page_size != size:
        raise SnapshotError(f"{path.name} is {size} bytes but its header says {pages * page_size}")


def load(directory: Path, *, database: str, stamp: str | None = None) -> Snapshot:
    """The whole current snapshot (for a server or any long-lived process). With `stamp`, only
    a snapshot of exactly that knowledge-base version is accepted."""
    pointer = read_pointer(directory)
    if pointer is None:
        raise SnapshotError(f"no snapshot in {directory}")
    if stamp is not None and pointer.stamp != stamp:
        raise SnapshotError(f"the snapshot holds {pointer.stamp}, the database {stamp}")
    file = SnapshotFile(pointer, database=database, verify=True)
    try:
        return file.snapshot(file.rules())
    finally:
        file.close()
