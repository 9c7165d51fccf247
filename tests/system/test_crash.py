"""Durability: kill the server with SIGKILL while two client processes write annotations; after a
restart every write that was acknowledged (2xx) is present and the SQLite database passes
PRAGMA integrity_check.

Nothing here depends on timing. The kill is triggered by the clients' own count of acknowledged
writes (never by a database count, which runs ahead of the responses still on their way), and the
clients keep writing until the server is gone, so the kill always lands mid-run: every client has
writes acknowledged before it and a write that fails because of it.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import sqlite3
import time

from tests.system.conftest import make_user, sign_in

KILL_AFTER = 300  # acknowledged writes, both clients together, before the SIGKILL
# A client that loses its connection, or is answered with an error, this often while the server
# is up gives up (and the test fails saying so) rather than writing for ever.
MAX_DROPPED = 20
MAX_REJECTED = 200


def _writer(port: int, cookie: str, csrf: str, tag: str, acked, killed, out) -> None:
    """POST notes until the server is gone. Reports the ids acknowledged, the writes the server
    answered with an error, the connections lost while it was up, and whether the run ended
    because the server was killed."""
    outcome = {
        "tag": tag,
        "acknowledged": [],
        "rejected": 0,
        "dropped": 0,
        "cut_off": False,
        "error": "",
    }
    headers = {
        "Content-Type": "application/json",
        "Cookie": cookie,
        "X-CSRFToken": csrf,
        "Referer": f"http://127.0.0.1:{port}/",
    }
    try:
        _write_until_killed(port, headers, tag, acked, killed, outcome)
    except Exception as exc:  # reported, so the test names it instead of waiting for a result
        outcome["error"] = repr(exc)
    finally:
        out.put(outcome)


def _write_until_killed(port: int, headers: dict, tag: str, acked, killed, outcome: dict) -> None:
    # A slow answer under load is still an answer: the timeout only bounds a hung server.
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    n = 0
    while True:
        n += 1
        body = json.dumps({"topic": "natalizumab-highly-active-rrms", "text": f"{tag} note {n}"})
        try:
            conn.request("POST", "/api/v1/annotations", body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            conn.close()
            if killed.is_set():  # set before the kill, so this failure is the kill's doing
                outcome["cut_off"] = True
                return
            outcome["dropped"] += 1
            if outcome["dropped"] > MAX_DROPPED:
                return
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            continue
        if 200 <= response.status < 300:
            outcome["acknowledged"].append(json.loads(data)["id"])
            with acked.get_lock():  # after the append: the count never runs ahead of the ids
                acked.value += 1
        else:
            outcome["rejected"] += 1
            if outcome["rejected"] > MAX_REJECTED:
                return


def test_acknowledged_writes_survive_sigkill(fixture_server):
    make_user(fixture_server.var, "crash@example.org", "crash-test-pass-1")
    cookie, csrf = sign_in(fixture_server.url, "crash@example.org", "crash-test-pass-1")
    ctx = multiprocessing.get_context("spawn")
    acked, killed, results = ctx.Value("i", 0), ctx.Event(), ctx.Queue()
    clients = [
        ctx.Process(
            target=_writer,
            args=(fixture_server.port, cookie, csrf, tag, acked, killed, results),
        )
        for tag in ("a", "b")
    ]
    for c in clients:
        c.start()
    try:
        # Wait for the clients' acknowledgements, not for a clock. The deadline only stops a
        # server that takes no writes at all from hanging the suite.
        deadline = time.monotonic() + 600
        while acked.value < KILL_AFTER and all(c.is_alive() for c in clients):
            assert time.monotonic() < deadline, f"only {acked.value} writes acknowledged"
            time.sleep(0.05)
    finally:
        killed.set()
        fixture_server.kill()
    outcomes = [results.get(timeout=120) for _ in clients]  # before join: a full pipe blocks exit
    for c in clients:
        c.join(timeout=120)
    acknowledged = [i for o in outcomes for i in o["acknowledged"]]
    report = {
        o["tag"]: {k: len(v) if k == "acknowledged" else v for k, v in o.items() if k != "tag"}
        for o in outcomes
    }

    fixture_server.start()  # restart on the same database
    with sqlite3.connect(fixture_server.var / "medref.sqlite3") as check:
        journal_mode = check.execute("PRAGMA journal_mode").fetchone()[0]
        integrity = check.execute("PRAGMA integrity_check").fetchone()[0]
        stored = {row[0] for row in check.execute("SELECT id FROM annotations_annotation")}

    assert journal_mode == "wal"  # the server's own setting
    assert integrity == "ok"
    # The kill landed mid-run: writes were acknowledged before it, and every client was still
    # writing when it came (its last write failed because of it).
    assert all(not o["error"] for o in outcomes), report
    assert len(acknowledged) >= KILL_AFTER, f"killed early, a client having stopped: {report}"
    assert all(o["cut_off"] for o in outcomes), f"a client stopped before the kill: {report}"
    missing = sorted(set(acknowledged) - stored)
    assert missing == [], f"{len(missing)} acknowledged writes lost"
    print(
        f"acknowledged {len(acknowledged)}, stored {len(stored)}, lost 0; answered with an error "
        f"{sum(o['rejected'] for o in outcomes)}, connections dropped before the kill "
        f"{sum(o['dropped'] for o in outcomes)}"
    )
