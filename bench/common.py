"""Shared helpers for the benchmarks: paths, running medref in a prepared knowledge base."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "var" / "bench"
SHARED = Path(os.environ.get("MEDREF_SHARED_DATA", ROOT.parent / "shared" / "data"))


def env_for(name: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update({"MEDREF_VAR_DIR": str(BENCH_DIR / name), "DATABASE_URL": ""})
    return env


def medref(*args: str, kb: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "medref.cli", *args],
        env=env_for(kb),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if check and result.returncode != 0:
        raise SystemExit(f"medref {' '.join(args)} failed:\n{result.stderr[-2000:]}")
    return result


def timed_child(args: list[str], *, kb: str) -> tuple[float, float]:
    """Run a child process; return (wall seconds, its own peak RSS in MB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        args, env=env_for(kb), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{proc.stderr.read().decode()[-2000:]}")
    return wall, usage.ru_maxrss / 1024


def run_part(module: str, *, kb: str, stdin: str | None = None) -> dict:
    """Run bench.<module> in its own process against knowledge base `kb`; it prints JSON."""
    result = subprocess.run(
        [sys.executable, "-m", f"bench.{module}"],
        env=env_for(kb),
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise SystemExit(f"bench.{module} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medref.config.settings")
    import django

    django.setup()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]
