"""Guide pages: uncached render time in-process and sitemap generation for every pair."""

from __future__ import annotations

import json
import random
import sys
import time

from bench.common import percentile, setup_django

PAGES = 500


def main() -> None:
    setup_django()
    from django.test import Client

    from medref.checker.repository import get_checker
    from medref.domain.paths import guide_path
    from medref.guides import sitemaps

    index = get_checker().index()
    start = time.perf_counter()
    pairs = sitemaps.guide_pairs(index)
    client = Client()
    sections = json.loads(json.dumps(list(sitemaps._sections(index))))
    files = 0
    for section in sections:
        number = 1
        while True:
            response = client.get(f"/sitemap-{section}-{number}.xml")
            if response.status_code != 200:
                break
            files += 1
            number += 1
    client.get("/sitemap.xml")
    sitemap_s = time.perf_counter() - start

    rng = random.Random(7)
    sample = rng.sample(pairs, PAGES)
    client.get(guide_path(*sample[0]))  # warm templates
    index.pair_findings.clear()  # uncached: every page's finding is built afresh
    times = []
    for a, b in sample:
        t0 = time.perf_counter()
        response = client.get(guide_path(a, b))
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (a, b, response.status_code)
    json.dump(
        {
            "pair_pages": len(pairs),
            "sitemap_files": files,
            "sitemap_s": sitemap_s,
            "render_p50_ms": percentile(times, 50),
            "render_p99_ms": percentile(times, 99),
            "sample": PAGES,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
