"""A knowledge-base import while the server is serving breaks no request in flight, and the
checker switches to the new version atomically (old answers until it is ready, new after)."""

from __future__ import annotations

import gzip
import http.client
import itertools
import json
import subprocess
import sys
import threading
import time

from tests.system.conftest import ROOT, env_for

BODY = json.dumps(
    {"drugs": ["Zocor", "clarithromycin", "Tysabri", "Ocrevus", "warfarin", "aspirin"]}
)


def ddinter_sample(shared_data, folder, rows: int = 300):
    """The first rows of each of DDInter's eight files: a complete, valid DDInter folder that
    imports in seconds instead of a minute (what is tested is the switch, not the volume)."""
    folder.mkdir()
    for source in sorted((shared_data / "ddinter").glob("ddinter_downloads_code_*.csv.gz")):
        with gzip.open(source, "rt", encoding="utf-8", newline="") as f:
            head = list(itertools.islice(f, rows + 1))
        with gzip.open(folder / source.name, "wt", encoding="utf-8", newline="") as f:
            f.writelines(head)
    return folder


def test_import_while_serving_breaks_nothing(fixture_server, shared_data, tmp_path):
    sample = ddinter_sample(shared_data, tmp_path / "ddinter-sample")
    stop = threading.Event()
    outcomes: list[tuple[int, tuple]] = []
    lock = threading.Lock()

    def hammer() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", fixture_server.port, timeout=30)
        while not stop.is_set():
            try:
                conn.request(
                    "POST", "/api/v1/check", body=BODY, headers={"Content-Type": "application/json"}
                )
                response = conn.getresponse()
                data = json.loads(response.read())
                sources = tuple(sorted(s["key"] for s in data.get("sources_checked", [])))
                with lock:
                    outcomes.append((response.status, sources))
            except (OSError, http.client.HTTPException, ValueError) as exc:
                with lock:
                    outcomes.append((0, (repr(exc),)))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", fixture_server.port, timeout=30)
        conn.close()

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(1)
    result = subprocess.run(
        [sys.executable, "-m", "medref.cli", "import", "ddinter", str(sample)],
        env=env_for(fixture_server.var),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    # Each worker notices the new version within a second and builds its new index in the
    # background while still answering from the old one; wait (bounded) until all answer anew.
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        with lock:
            recent = [sources for _, sources in outcomes[-400:]]
        # 400 in a row from 4 client threads spread over both workers: every worker has switched.
        if len(recent) == 400 and all(r == ("ddinter", "medref-curated") for r in recent):
            break
        time.sleep(0.5)
    stop.set()
    for t in threads:
        t.join(timeout=60)

    statuses = [s for s, _ in outcomes]
    assert statuses and all(s == 200 for s in statuses), [o for o in outcomes if o[0] != 200][:5]
    seen = [sources for _, sources in outcomes]
    old, new = ("medref-curated",), ("ddinter", "medref-curated")
    assert set(seen) <= {old, new}  # never a half-built index
    assert seen[0] == old and seen[-1] == new
    first_new = seen.index(new)
    last_old = max(i for i, s in enumerate(seen) if s == old)
    # Two workers switch independently, so old and new may interleave briefly, then only new.
    print(
        f"{len(outcomes)} requests during the import, all 200; first new answer at {first_new}, last old at {last_old}"
    )
