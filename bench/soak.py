"""Soak test: `medref serve` under 50 concurrent users from a second process on 127.0.0.1.

Mix: 60% POST /api/v1/check, 30% guide pages, 10% topic pages. Prints requests per second and
p50/p95/p99 latency, checks 0 failed requests and server memory growth of at most 10% between
the first sample after warm-up and the end, and writes var/bench/soak.json. Bounded in count and
time; only loopback traffic.

    python -m bench.soak --seconds 600   (make soak)

The test suite runs a short soak bounded by a number of requests instead (`run(var,
requests=2000)`): what it asserts must not depend on how fast a loaded machine is.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from queue import Empty

ROOT = Path(__file__).resolve().parents[1]
USERS = 50
PROCESSES = 5  # 5 client processes x 10 threads = 50 concurrent users


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_mb(pid: int) -> float:
    """Resident memory of the server: the gunicorn master and all its workers."""
    total = 0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def _client(
    port: int,
    stop_at: float | None,
    per_user: int | None,
    drugs: list[str],
    pairs: list[str],
    topics: list[str],
    seed: int,
    out,
) -> None:
    lat: list[float] = []
    counts = {"ok": 0, "failed": 0}
    lock = threading.Lock()

    def user(n: int) -> None:
        rng = random.Random(seed * 100 + n)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        local, ok, failed = [], 0, 0
        # Bounded by a count of requests per user, or else by the clock.
        while len(local) < per_user if per_user is not None else time.monotonic() < stop_at:
            roll = rng.random()
            if roll < 0.6:
                body = json.dumps({"drugs": rng.sample(drugs, 8)})
                method, path, headers = (
                    "POST",
                    "/api/v1/check",
                    {"Content-Type": "application/json"},
                )
            elif roll < 0.9:
                method, path, body, headers = "GET", rng.choice(pairs), None, {}
            else:
                method, path, body, headers = (
                    "GET",
                    rng.choice(topics),
                    None,
                    {"Cookie": "medref_hcp=1"},
                )
            t0 = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status == 200:
                    ok += 1
                else:
                    failed += 1
            except (OSError, http.client.HTTPException):
                failed += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            local.append((time.perf_counter() - t0) * 1000)
            time.sleep(rng.uniform(0.0, 0.05))  # a little think time, as people have
        conn.close()
        with lock:
            lat.extend(local)
            counts["ok"] += ok
            counts["failed"] += failed

    threads = [threading.Thread(target=user, args=(n,)) for n in range(USERS // PROCESSES)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put((counts, lat))


def _targets(var: Path) -> tuple[list[str], list[str], list[str]]:
    code = (
        "import json\n"
        "from medref.vocab.models import Name\n"
        "from medref.reference.models import Topic\n"
        "from medref.checker.repository import get_checker\n"
        "from medref.domain.paths import guide_path\n"
        "from medref.guides.sitemaps import guide_pairs\n"
        "names = sorted(set(Name.objects.filter(source__key='medref-curated', kind__in=['inn','brand']).values_list('name', flat=True)))\n"
        "pairs = [guide_path(a, b) for a, b in guide_pairs(get_checker().index())]\n"
        "topics = [f'/topics/{s}/' for s in Topic.objects.published().values_list('slug', flat=True)]\n"
        "print(json.dumps([names, pairs, topics]))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update({"MEDREF_VAR_DIR": str(var), "DATABASE_URL": ""})
    out = subprocess.run(
        [sys.executable, "-m", "medref.cli", "manage", "shell", "-c", code],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    names, pairs, topics = json.loads(out.stdout.strip().splitlines()[-1])
    rng = random.Random(1)
    return names, rng.sample(pairs, min(2000, len(pairs))), topics


def run(
    var: Path, seconds: int | None = None, workers: int = 2, *, requests: int | None = None
) -> dict:
    """Soak for `seconds`, or until `requests` requests (spread evenly over the users) are done."""
    if (seconds is None) == (requests is None):
        raise ValueError("give seconds or requests")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update({"MEDREF_VAR_DIR": str(var), "DATABASE_URL": "", "MEDREF_FREE_PAGES": "1000000"})
    drugs, pairs, topics = _targets(var)
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "medref.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            try:
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("server did not start") from None
                time.sleep(0.2)
            finally:
                conn.close()
        start = time.monotonic()
        stop_at = start + seconds if seconds is not None else None
        per_user = -(-requests // USERS) if requests is not None else None
        ctx = multiprocessing.get_context("spawn")
        queue = ctx.Queue()
        clients = [
            ctx.Process(
                target=_client, args=(port, stop_at, per_user, drugs, pairs, topics, n, queue)
            )
            for n in range(PROCESSES)
        ]
        for c in clients:
            c.start()
        samples = []  # (seconds since start, MB)
        step = min(5.0, max(0.5, seconds / 60)) if seconds is not None else 0.5
        results: list = []
        # Sample memory until every client has reported (a client blocks at exit until its
        # report is read, so read reports as they come rather than waiting for exits first).
        while len(results) < len(clients):
            samples.append((round(time.monotonic() - start, 1), _rss_mb(server.pid)))
            try:
                results.append(queue.get(timeout=step))
            except Empty:
                if not any(c.is_alive() for c in clients) and queue.empty():
                    raise RuntimeError("a soak client died without reporting") from None
        for c in clients:
            c.join(timeout=60)
        samples.append((round(time.monotonic() - start, 1), _rss_mb(server.pid)))
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
    ok = sum(r[0]["ok"] for r in results)
    failed = sum(r[0]["failed"] for r in results)
    latencies = sorted(v for r in results for v in r[1])
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]  # noqa: E731
    elapsed = samples[-1][0] or 1.0
    warm = elapsed * 0.2  # minute 2 of 10, or the first fifth of a soak bounded by requests
    after_warm = [mb for t, mb in samples if t >= warm]
    growth = (after_warm[-1] - after_warm[0]) / after_warm[0] if len(after_warm) >= 2 else 0.0
    return {
        "seconds": round(elapsed, 1),
        "users": USERS,
        "mix": {"check_api": 0.6, "guide_pages": 0.3, "topic_pages": 0.1},
        "requests": ok + failed,
        "failed": failed,
        "rps": ok / elapsed,
        "p50_ms": pick(0.50),
        "p95_ms": pick(0.95),
        "p99_ms": pick(0.99),
        "memory_mb_after_warmup": after_warm[0] if after_warm else None,
        "memory_mb_end": samples[-1][1],
        "memory_growth": growth,
        "memory_samples": samples,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument(
        "--var", default=str(ROOT / "var" / "bench" / "soak"), help="knowledge base to serve"
    )
    args = parser.parse_args()
    var = Path(args.var)
    if not (var / "medref.sqlite3").exists():
        env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
        env.update({"MEDREF_VAR_DIR": str(var), "DATABASE_URL": ""})
        subprocess.run(
            [sys.executable, "-m", "medref.cli", "setup"],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
    result = run(var, args.seconds)
    out = ROOT / "var" / "bench" / "soak.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=f"Soak: {USERS} users for {args.seconds} s (60% check API, 30% guides, 10% topics)"
    )
    table.add_column("measure")
    table.add_column("result", justify="right")
    table.add_column("target")
    table.add_row("requests", f"{result['requests']:,}", "")
    table.add_row("failed requests", str(result["failed"]), "0")
    table.add_row("requests per second", f"{result['rps']:.0f}", "")
    table.add_row(
        "latency p50 / p95 / p99",
        f"{result['p50_ms']:.1f} / {result['p95_ms']:.1f} / {result['p99_ms']:.1f} ms",
        "",
    )
    table.add_row(
        "server memory after warm-up -> end",
        f"{result['memory_mb_after_warmup']:.0f} -> {result['memory_mb_end']:.0f} MB",
        "",
    )
    table.add_row("memory growth", f"{result['memory_growth']:+.1%}", "<= +10%")
    Console().print(table)
    Console().print(f"written to {out}")
    return 0 if result["failed"] == 0 and result["memory_growth"] <= 0.10 else 1


if __name__ == "__main__":
    sys.exit(main())
