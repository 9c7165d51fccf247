"""In-process check speed on 20-name regimens mixing brands, generics and product strings,
including name resolution; plus index build time and index memory."""

from __future__ import annotations

import gc
import json
import random
import sys
import time
import tracemalloc

from bench.common import percentile, setup_django

REGIMENS = 2000
SIZE = 20


def regimen_pool() -> list[str]:
    from medref.vocab.models import Ingredient, Name

    curated = list(
        Ingredient.objects.filter(source__key="medref-curated").values_list("id", "name")
    )
    brands = dict(
        Name.objects.filter(kind="brand", source__key="medref-curated").values_list(
            "ingredient_id", "name"
        )
    )
    pool = []
    forms = ["{} {} MG Oral Tablet", "{} {}mg tablets", "{} {} mg capsules"]
    for position, (ingredient_id, name) in enumerate(curated):
        kind = position % 3
        if kind == 0 and ingredient_id in brands:
            pool.append(brands[ingredient_id])
        elif kind == 1:
            template = forms[position % len(forms)]
            strength = (5, 10, 20, 40, 100, 250)[position % 6]
            pool.append(
                template.format(name.upper() if "MG" in template else name.capitalize(), strength)
            )
        else:
            pool.append(name)
    return pool


def main() -> None:
    setup_django()
    from medref.checker.engine import Checker, Index
    from medref.checker.repository import DjangoRepository

    repo = DjangoRepository()
    start = time.perf_counter()
    snapshot = repo.load()
    index = Index(snapshot)
    build_s = time.perf_counter() - start
    del index, snapshot
    gc.collect()
    tracemalloc.start()
    index = Index(repo.load())
    gc.collect()
    index_mb = tracemalloc.get_traced_memory()[0] / 1e6
    tracemalloc.stop()

    checker = Checker(repo, recheck_seconds=3600)
    checker._index = index
    checker._checked_at = time.monotonic()
    pool = regimen_pool()
    rng = random.Random(20261121)
    regimens = [rng.sample(pool, SIZE) for _ in range(REGIMENS)]
    unresolved = sum(1 for d in checker.check(regimens[0]).drugs if not d.resolution.resolved)
    for regimen in regimens[:50]:  # warm-up
        checker.check(regimen)
    times, findings = [], 0
    for regimen in regimens:
        t0 = time.perf_counter()
        result = checker.check(regimen)
        times.append((time.perf_counter() - t0) * 1000)
        findings += len(result.findings)
    json.dump(
        {
            "regimens": REGIMENS,
            "regimen_size": SIZE,
            "p50_ms": percentile(times, 50),
            "p99_ms": percentile(times, 99),
            "mean_ms": sum(times) / len(times),
            "index_build_s": build_s,
            "index_mb": index_mb,
            "rules": sum(len(v) for v in index.rules.values()),
            "names": len(index.names.exact),
            "mean_findings": findings / REGIMENS,
            "unresolved_in_first_regimen": unresolved,
            "example_regimen": regimens[0][:6],
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
