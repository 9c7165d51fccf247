"""HTTP throughput under `medref serve`, loaded from this separate process on 127.0.0.1.

Measures /healthz and POST /api/v1/check (10 drugs) in the same run, each for a fixed time with
a fixed number of keep-alive connections. Bounded in count and time; only loopback traffic.
"""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import threading
import time

from bench.common import ROOT, env_for

CHECK_BODY = json.dumps(
    {
        "drugs": [
            "Zocor",
            "clarithromycin",
            "Coumadin",
            "Advil",
            "Tysabri",
            "Ocrevus",
            "Lipitor",
            "amlodipine 5mg tablets",
            "Losec",
            "Tylenol",
        ]
    }
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load(
    port: int,
    method: str,
    path: str | list[str],
    body: str | None,
    seconds: float,
    connections: int,
) -> dict:
    """Requests for `seconds` from `connections` keep-alive connections; a list of paths is
    cycled through, each connection starting at a different place."""
    paths = path if isinstance(path, list) else [path]
    stop = time.monotonic() + seconds
    counts = {"ok": 0, "errors": 0}
    latencies: list[float] = []
    lock = threading.Lock()

    def worker(offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        ok = errors = 0
        turn = offset
        local: list[float] = []
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            try:
                headers = {"Content-Type": "application/json"} if body else {}
                conn.request(method, paths[turn % len(paths)], body=body, headers=headers)
                turn += 1
                response = conn.getresponse()
                response.read()
                if response.status == 200:
                    ok += 1
                else:
                    errors += 1
            except (OSError, http.client.HTTPException):
                errors += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            local.append(time.perf_counter() - t0)
        with lock:
            counts["ok"] += ok
            counts["errors"] += errors
            latencies.extend(local)

    threads = [threading.Thread(target=worker, args=(i * 997,)) for i in range(connections)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    latencies.sort()
    return {
        "rps": counts["ok"] / elapsed,
        "requests": counts["ok"],
        "errors": counts["errors"],
        "p50_ms": latencies[len(latencies) // 2] * 1000 if latencies else None,
    }


def main(
    kb: str = "full",
    seconds: float = 10.0,
    connections: int = 8,
    pair_paths: list[str] | None = None,
) -> dict:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "medref.cli", "serve", "--port", str(port), "--workers", "2"],
        env=env_for(kb),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request(
                    "POST",
                    "/api/v1/check",
                    body=CHECK_BODY,
                    headers={"Content-Type": "application/json"},
                )
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.3)
        # Warm every worker's index before measuring.
        load(port, "POST", "/api/v1/check", CHECK_BODY, 3, connections)
        health = load(port, "GET", "/healthz", None, seconds, connections)
        check = load(port, "POST", "/api/v1/check", CHECK_BODY, seconds, connections)
        pages = load(port, "GET", pair_paths, None, seconds, connections) if pair_paths else None
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {
        "healthz": health,
        "check": check,
        "check_to_healthz": check["rps"] / health["rps"],
        "pair_pages": pages,
        "pages_to_healthz": pages["rps"] / health["rps"] if pages else None,
        "seconds_each": seconds,
        "connections": connections,
        "workers": 2,
    }


if __name__ == "__main__":
    json.dump(main(), sys.stdout)
