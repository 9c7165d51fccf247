"""The compiled snapshot in real processes: `medref check` with and without one, and a
publication seen by every worker of `medref serve` on its very next request."""

from __future__ import annotations

import http.client
import json
import shutil
import subprocess
import sys

from tests.system.conftest import ROOT, env_for, medref

PAIR = ["Zocor", "clarithromycin"]
# Every rating becomes {severity}: whichever rules match the pair, its headline must follow.
CHANGE = """
from django.db import transaction
from medref.knowledge.models import Interaction, KnowledgeBaseState
with transaction.atomic():
    Interaction.objects.update(severity="{severity}")
    KnowledgeBaseState.bump()
"""


def cli_check(var, *drugs):
    return subprocess.run(
        [sys.executable, "-m", "medref.cli", "check", "--json", *drugs],
        env=env_for(var),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def headline(payload: dict) -> tuple[int, str]:
    findings = [f for f in payload["findings"] if f["kind"] == "interaction"]
    return payload["knowledge_base_version"], findings[0]["severity"] if findings else "none"


def test_cli_checks_from_the_snapshot_and_builds_one_when_missing(fixture_server):
    var = fixture_server.var
    shutil.rmtree(var / "snapshots", ignore_errors=True)
    first = cli_check(var, *PAIR)
    assert first.returncode == 0, first.stderr
    assert "reading the knowledge base from the database" in first.stderr
    assert (var / "snapshots" / "CURRENT.json").exists()
    second = cli_check(var, *PAIR)
    assert second.returncode == 0, second.stderr
    assert second.stderr == ""  # answered from the snapshot, without Django
    assert json.loads(second.stdout) == json.loads(first.stdout)
    # ... and without importing Django at all.
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from medref.cli import main; code = main(['check', 'Zocor', 'aspirin']);"
            " print(sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'ninja')))",
        ],
        env=env_for(var),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.strip().splitlines()[-1] == "[]"

    # A committed change writes the new snapshot; the next one-shot check answers from it.
    medref(var, "manage", "shell", "-c", CHANGE.format(severity="minor"))
    third = cli_check(var, *PAIR)
    assert third.stderr == ""
    version, severity = headline(json.loads(third.stdout))
    assert severity == "minor" and version == headline(json.loads(first.stdout))[0] + 1


def test_every_worker_answers_the_new_version_right_after_a_publication(tmp_path):
    import os

    import pytest

    from tests.conftest import FIXTURE_CONTENT
    from tests.system.conftest import Server, free_port

    if os.environ.get("DATABASE_URL"):
        pytest.skip("system tests run once, on their own SQLite servers")
    medref(tmp_path, "setup", "--content", str(FIXTURE_CONTENT))
    server = Server(tmp_path, free_port(), workers=3)
    server.start()
    try:
        body = json.dumps({"drugs": PAIR})

        def ask() -> tuple[int, str]:
            # A new connection each time, so gunicorn hands the requests to all its workers.
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
            try:
                conn.request("POST", "/api/v1/check", body, {"Content-Type": "application/json"})
                response = conn.getresponse()
                assert response.status == 200
                return headline(json.loads(response.read()))
            finally:
                conn.close()

        before = {ask() for _ in range(30)}
        assert len(before) == 1
        (old_version, old_severity) = before.pop()
        assert old_severity != "minor"
        medref(tmp_path, "manage", "shell", "-c", CHANGE.format(severity="minor"))
        # The publication has returned: each of the next 200 checks, whichever worker takes
        # it, answers from the new version.
        answers = [ask() for _ in range(200)]
        assert set(answers) == {(old_version + 1, "minor")}, set(answers)
    finally:
        server.stop()


def test_cli_prints_plain_lines_into_a_pipe_and_tables_in_a_terminal(fixture_server):
    import os
    import pty

    var = fixture_server.var
    piped = subprocess.run(
        [sys.executable, "-m", "medref.cli", "check", "Zocor", "clarithromycin", "[red]x"],
        env=env_for(var),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert piped.returncode == 0, piped.stderr
    assert "  Zocor -> simvastatin (brand)" in piped.stdout
    assert "CONTRAINDICATED: clarithromycin + simvastatin" in piped.stdout
    assert "  [red]x -> not recognised" in piped.stdout
    assert "┃" not in piped.stdout

    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "medref.cli", "check", "Zocor", "clarithromycin", "[red]x"],
        env={**env_for(var), "COLUMNS": "120"},
        cwd=ROOT,
        stdout=follower,
        stderr=subprocess.DEVNULL,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closes when the process exits
            break
        if not chunk:
            break
        chunks.append(chunk)
    assert proc.wait(timeout=300) == 0
    os.close(leader)
    shown = b"".join(chunks).decode("utf-8", "replace")
    assert "┃" in shown and "simvastatin" in shown
    assert "[red]x" in shown  # what the user typed is printed as typed, never read as markup
