"""Worst-case requests (issue 19): the slowest pair address and search query a client can send,
timed in-process through the Django test client against the full knowledge base. Each case is
compared with a plain request in the same run, so the figure is a ratio, not a wall time."""

from __future__ import annotations

import json
import time

from bench.common import percentile, setup_django

REPEAT = 20


def timed(client, path: str) -> tuple[float, int]:
    times, status = [], 0
    for _ in range(REPEAT):
        start = time.perf_counter()
        status = client.get(path).status_code
        times.append((time.perf_counter() - start) * 1000)
    return percentile(times, 50), status


def main() -> None:
    setup_django()
    import logging

    from django.test import Client

    logging.getLogger("django.request").setLevel(logging.ERROR)  # 404s are the point here

    from medref.checker.repository import get_checker
    from medref.guides.views import MAX_PAIR_LENGTH, MAX_PAIR_SEPARATORS

    get_checker().index()
    client = Client()
    client.get("/interactions/aspirin-and-warfarin/")  # warm the caches both cases share
    cases = {
        "plain pair page": "/interactions/aspirin-and-warfarin/",
        "4 KB address of 571 two-letter words": "/interactions/" + "-and-".join(["ab"] * 571) + "/",
        "longest accepted address, every cut a name": "/interactions/"
        + "-and-".join(["acetylsalicylic-acid"] * (MAX_PAIR_SEPARATORS + 1))[:MAX_PAIR_LENGTH]
        + "/",
        "plain search": "/search/?q=warfarin",
        "search of 12 one-letter words": "/search/?q=" + "+".join(["a"] * 12),
        "search of 200 words": "/search/?q=" + "+".join(["warfarin"] * 200),
    }
    out = {}
    for label, path in cases.items():
        p50, status = timed(client, path)
        out[label] = {"p50_ms": p50, "status": status}
    labels = list(cases)
    worst_pair = max(out[k]["p50_ms"] for k in labels[1:3])
    worst_search = max(out[k]["p50_ms"] for k in labels[4:6])
    out["worst_pair_to_plain"] = worst_pair / max(out[labels[0]]["p50_ms"], 1e-6)
    out["worst_search_to_plain"] = worst_search / max(out[labels[3]]["p50_ms"], 1e-6)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
