"""The compiled knowledge-base snapshot (medref/checker/snapshot.py, oneshot.py): it answers
exactly like the index built from the database, it is replaced atomically under readers, and a
missing, truncated, corrupt or foreign file is never served but rebuilt."""

from __future__ import annotations

import random
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from rich.console import Console

from medref.checker import oneshot, snapshot
from medref.checker.engine import Index, check
from medref.checker.present import result_json
from medref.checker.repository import DjangoRepository, database
from medref.content.load import import_content
from tests.conftest import FIXTURE_CONTENT, ROOT


def regimens(index: Index, count: int, seed: int) -> list[list[str]]:
    """Random lists of 2 to 8 names as people type them: INNs, brands, a misspelling, an
    unknown word, in any order and case."""
    rng = random.Random(seed)
    names = sorted(index.names.exact)
    extras = ["not-a-drug", "Paracetamol 500mg tablets", "simvastatine", "WARFARIN"]
    out = []
    for _ in range(count):
        picked = rng.sample(names, rng.randint(2, 8))
        if rng.random() < 0.2:
            picked.append(rng.choice(extras))
        out.append(picked)
    return out


@pytest.mark.django_db
def test_snapshot_answers_exactly_like_the_database_index(tmp_path: Path):
    """Bundled content: every must-catch row and 1,000 random regimens get the same JSON from
    the index built through the ORM, the whole snapshot, and a one-shot partial read."""
    from medref.checker import mustcatch

    import_content(path=ROOT / "content", console=Console(quiet=True))
    built = DjangoRepository().load_from_database()
    snapshot.write(built, tmp_path, database="test-db")
    from_db = Index(built)
    whole = Index(snapshot.load(tmp_path, database="test-db", stamp=built.stamp))
    pointer = snapshot.read_pointer(tmp_path)
    file = snapshot.SnapshotFile(pointer, database="test-db")
    core = file.core(*oneshot.CHECK_PARTS)
    cases = [list(row.drugs) for row in mustcatch.parse()] + regimens(from_db, 1000, seed=16)
    try:
        for inputs in cases:
            expected = result_json(check(from_db, inputs))
            assert result_json(check(whole, inputs)) == expected, inputs
            assert result_json(oneshot.check_file(file, inputs, core)) == expected, inputs
    finally:
        file.close()
    assert expected["knowledge_base_version"] == built.version
    assert len(cases) > 1500


def small_snapshot(version: int) -> snapshot.Snapshot:
    """A snapshot of the fixture content with its version and stamp changed (for writers)."""
    built = DjangoRepository().load_from_database()
    return replace(built, version=version, stamp=f"{version}@test")


@pytest.mark.django_db
def test_replacement_is_atomic_under_concurrent_readers(fixture_content, tmp_path: Path):
    """While one thread writes 12 versions, readers only ever open complete snapshots whose
    content is the version the pointer named."""
    versions = [small_snapshot(v) for v in range(1, 13)]
    snapshot.write(versions[0], tmp_path, database="db")
    done = threading.Event()
    seen: list[int] = []
    errors: list[str] = []
    reads_after_done = [0, 0]

    def reader(slot: int) -> None:
        while reads_after_done[slot] < 3:  # keep reading until the last version is surely seen
            finished = done.is_set()
            try:
                loaded = snapshot.load(tmp_path, database="db")
                assert loaded.stamp == f"{loaded.version}@test"
                assert len(loaded.rules) == len(versions[0].rules)
                seen.append(loaded.version)
            except Exception as exc:  # any failure to read is what this test is about
                errors.append(repr(exc))
                return
            if finished:
                reads_after_done[slot] += 1

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for version in versions[1:]:
        snapshot.write(version, tmp_path, database="db")
    done.set()
    for t in threads:
        t.join()
    assert errors == []
    assert seen and max(seen) == 12
    assert snapshot.read_pointer(tmp_path).version == 12


def _damage_truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _damage_garbage(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 4096] = b"\xff" * 4096
    path.write_bytes(bytes(data))


def _damage_missing(path: Path) -> None:
    path.unlink()


@pytest.mark.parametrize("damage", [_damage_truncate, _damage_garbage, _damage_missing])
@pytest.mark.django_db(transaction=True)
def test_a_damaged_snapshot_is_rebuilt_from_the_database_never_served(
    damage, settings, tmp_path: Path
):
    settings.MEDREF_SNAPSHOT_DIR = str(tmp_path)
    import_content(path=FIXTURE_CONTENT, console=Console(quiet=True))  # commits: writes one
    repository = DjangoRepository()
    first = repository.load()
    pointer = snapshot.read_pointer(tmp_path)
    assert pointer is not None and pointer.stamp == first.stamp
    good = result_json(check(Index(first), ["Zocor", "clarithromycin"]))

    damage(pointer.file)
    with pytest.raises(snapshot.SnapshotError):
        snapshot.load(tmp_path, database=database(), stamp=first.stamp)
    again = repository.load()  # detects the damage, rebuilds and rewrites it
    assert result_json(check(Index(again), ["Zocor", "clarithromycin"])) == good
    rewritten = snapshot.load(tmp_path, database=database(), stamp=first.stamp)
    assert len(rewritten.rules) == len(first.rules)


@pytest.mark.django_db
def test_a_snapshot_of_another_database_or_version_is_refused(fixture_content, tmp_path: Path):
    built = DjangoRepository().load_from_database()
    snapshot.write(built, tmp_path, database="sqlite:/elsewhere.sqlite3")
    with pytest.raises(snapshot.SnapshotError, match="another database"):
        snapshot.load(tmp_path, database="sqlite:/here.sqlite3")
    with pytest.raises(snapshot.SnapshotError, match="the database"):
        snapshot.load(tmp_path, database="sqlite:/elsewhere.sqlite3", stamp="99@other")
    (tmp_path / snapshot.POINTER).write_text("{not json")
    with pytest.raises(snapshot.SnapshotError, match="no snapshot"):
        snapshot.load(tmp_path, database="sqlite:/elsewhere.sqlite3")


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_writes_the_snapshot_other_processes_read(settings, tmp_path: Path):
    """bump() -> commit -> the checker rebuilds and writes the snapshot of the new version."""
    from django.db import transaction

    from medref.knowledge.models import KnowledgeBaseState

    settings.MEDREF_SNAPSHOT_DIR = str(tmp_path)
    import_content(path=FIXTURE_CONTENT, console=Console(quiet=True))
    assert snapshot.read_pointer(tmp_path).stamp == KnowledgeBaseState.stamp()
    with transaction.atomic():
        KnowledgeBaseState.bump()
        # Not before the commit: a rolled-back change must never reach another process.
        assert snapshot.read_pointer(tmp_path).stamp != KnowledgeBaseState.stamp()
    assert snapshot.read_pointer(tmp_path).stamp == KnowledgeBaseState.stamp()
    with pytest.raises(RuntimeError), transaction.atomic():
        KnowledgeBaseState.bump()
        raise RuntimeError("rolled back")
    assert snapshot.read_pointer(tmp_path).stamp == KnowledgeBaseState.stamp()
