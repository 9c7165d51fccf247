"""The alternatives weighed in docs/adr/0009 for the compiled knowledge base, measured side by
side on one knowledge base: `MEDREF_VAR_DIR=var/bench/full python -m bench.snapshot_formats`
(after `make bench` has prepared var/bench/full). Prints a table; not part of `make bench`."""

from __future__ import annotations

import marshal
import pickle
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.common import setup_django


def median_s(run: Callable[[], object], times: int) -> float:
    out = []
    for _ in range(times):
        start = time.perf_counter()
        run()
        out.append(time.perf_counter() - start)
    return statistics.median(out)


def main() -> None:
    setup_django()
    from medref.checker import oneshot, snapshot
    from medref.checker.repository import DjangoRepository

    orm_s = median_s(DjangoRepository().load_from_database, 3)
    built = DjangoRepository().load_from_database()
    folder = Path(tempfile.mkdtemp())
    try:
        snapshot.write(built, folder, database="bench")
        pointer = snapshot.read_pointer(folder)
        assert pointer is not None
        sqlite_s = median_s(lambda: snapshot.load(folder, database="bench"), 3)

        def one_shot() -> None:
            file = snapshot.SnapshotFile(pointer, database="bench")
            try:
                oneshot.check_file(file, ["Tysabri", "Ocrevus"])
            finally:
                file.close()

        one_shot_s = median_s(one_shot, 7)
        pickled = pickle.dumps(built, protocol=5)
        pickle_s = median_s(lambda: pickle.loads(pickled), 3)
        rows = [snapshot._rule_row(r)[2] for r in built.rules]
        blob = marshal.dumps((snapshot._core(built), rows))

        def marshal_load() -> None:
            _core, rules = marshal.loads(blob)
            [snapshot._rule(marshal.loads(r)) for r in rules]

        marshal_s = median_s(marshal_load, 3)
        table = Table(title=f"Loading the knowledge base ({len(built.rules):,} rules), medians")
        for column in ("form", "size", "load everything", "one-shot check of 2 names"):
            table.add_column(column)
        table.add_row("ORM (no snapshot)", "-", f"{orm_s:.2f} s", f"{orm_s:.2f} s")
        table.add_row(
            "pickle of the Snapshot", f"{len(pickled) / 1e6:.0f} MB", f"{pickle_s:.2f} s", "same"
        )
        table.add_row("one marshal blob", f"{len(blob) / 1e6:.0f} MB", f"{marshal_s:.2f} s", "same")
        table.add_row(
            "SQLite + marshal per rule (chosen)",
            f"{pointer.size / 1e6:.0f} MB",
            f"{sqlite_s:.2f} s",
            f"{one_shot_s * 1000:.0f} ms",
        )
        Console().print(table)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
