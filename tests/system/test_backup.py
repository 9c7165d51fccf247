"""medref backup and restore: the restored site serves the same annotations and content."""

from __future__ import annotations

import http.client
import json
import sqlite3

from tests.system.conftest import make_user, medref, sign_in


def _get(server, path, cookie):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("GET", path, headers={"Cookie": cookie})
    response = conn.getresponse()
    body = response.read().decode()
    conn.close()
    return response.status, body


def _post(server, path, payload, cookie, csrf):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request(
        "POST",
        path,
        body=json.dumps(payload),
        headers={
            "Content-Type": "application/json",
            "Cookie": cookie,
            "X-CSRFToken": csrf,
            "Referer": server.url + "/",
        },
    )
    response = conn.getresponse()
    body = response.read().decode()
    conn.close()
    return response.status, body


def test_backup_restore_round_trip_while_serving(fixture_server, tmp_path):
    make_user(fixture_server.var, "b@example.org", "backup-pass-phrase-1")
    cookie, csrf = sign_in(fixture_server.url, "b@example.org", "backup-pass-phrase-1")
    status, _ = _post(
        fixture_server,
        "/api/v1/annotations",
        {"topic": "natalizumab-highly-active-rrms", "text": "before backup"},
        cookie,
        csrf,
    )
    assert status == 201
    backup_file = tmp_path / "medref.backup"
    medref(fixture_server.var, "backup", str(backup_file))  # online: the server keeps running

    _post(
        fixture_server,
        "/api/v1/annotations",
        {"topic": "natalizumab-highly-active-rrms", "text": "after backup"},
        cookie,
        csrf,
    )
    with sqlite3.connect(fixture_server.var / "medref.sqlite3") as db:
        db.execute("DELETE FROM knowledge_interaction WHERE severity = 'minor'")
    fixture_server.stop()
    medref(fixture_server.var, "restore", str(backup_file), "--force")
    fixture_server.start()

    cookie, _ = sign_in(fixture_server.url, "b@example.org", "backup-pass-phrase-1")
    _, notes = _get(fixture_server, "/api/v1/annotations", cookie)
    assert [n["text"] for n in json.loads(notes)] == ["before backup"]
    _, page = _get(fixture_server, "/interactions/metformin-and-omeprazole/", "")
    assert 'class="severity severity-minor"' in page
    with sqlite3.connect(fixture_server.var / "medref.sqlite3") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_restore_refuses_a_file_that_is_not_a_backup(fixture_server, tmp_path):
    bogus = tmp_path / "not-a-backup"
    bogus.write_bytes(b"hello")
    import subprocess
    import sys

    from tests.system.conftest import ROOT, env_for

    result = subprocess.run(
        [sys.executable, "-m", "medref.cli", "restore", str(bogus)],
        env=env_for(fixture_server.var),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1 and "restore failed" in result.stderr
