"""Durability: kill the server with SIGKILL in the middle of 1,000 annotation writes from two
client processes; after a restart every write that was acknowledged (2xx) is present and the
SQLite database passes PRAGMA integrity_check."""

from __future__ import annotations

import http.client
import json
import multiprocessing
import sqlite3
import time

from tests.system.conftest import make_user, sign_in

WRITES = 500  # per client process: 1,000 in all


def _writer(port: int, cookie: str, csrf: str, tag: str, out) -> None:
    acknowledged, failed = [], 0
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    headers = {
        "Content-Type": "application/json",
        "Cookie": cookie,
        "X-CSRFToken": csrf,
        "Referer": f"http://127.0.0.1:{port}/",
    }
    for n in range(WRITES):
        body = json.dumps({"topic": "natalizumab-highly-active-rrms", "text": f"{tag} note {n}"})
        try:
            conn.request("POST", "/api/v1/annotations", body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            if 200 <= response.status < 300:
                acknowledged.append(json.loads(data)["id"])
            else:
                failed += 1
        except (OSError, http.client.HTTPException):
            failed += 1
            conn.close()
            time.sleep(0.02)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.close()
    out.put((tag, acknowledged, failed))


def test_acknowledged_writes_survive_sigkill(fixture_server):
    make_user(fixture_server.var, "crash@example.org", "crash-test-pass-1")
    cookie, csrf = sign_in(fixture_server.url, "crash@example.org", "crash-test-pass-1")
    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    clients = [
        ctx.Process(target=_writer, args=(fixture_server.port, cookie, csrf, tag, results))
        for tag in ("a", "b")
    ]
    for c in clients:
        c.start()
    db = fixture_server.var / "medref.sqlite3"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # kill part-way: once a few hundred writes have landed
        with sqlite3.connect(db, timeout=5) as check:
            done = check.execute("SELECT count(*) FROM annotations_annotation").fetchone()[0]
        if done >= 300:
            break
        time.sleep(0.05)
    fixture_server.kill()
    killed_at = done
    for c in clients:
        c.join(timeout=180)
    outcomes = [results.get(timeout=10) for _ in clients]
    acknowledged = [i for _tag, ids, _failed in outcomes for i in ids]
    failures = sum(f for *_x, f in outcomes)

    fixture_server.start()  # restart on the same database
    with sqlite3.connect(db) as check:
        assert (
            check.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        )  # the server's own setting
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {row[0] for row in check.execute("SELECT id FROM annotations_annotation")}
    missing = sorted(set(acknowledged) - stored)
    assert killed_at >= 300 and failures > 0, "the kill did not land part-way through the writes"
    assert missing == [], f"{len(missing)} acknowledged writes lost"
    assert len(acknowledged) >= 300
    print(
        f"acknowledged {len(acknowledged)}, failed after the kill {failures}, stored {len(stored)}, lost 0"
    )
