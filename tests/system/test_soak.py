"""A short soak: 50 users, 2,000 requests, no failed request, memory growth <= 10%. Bounded by
a number of requests, not by time, so a slow machine takes longer but asserts the same thing
(`make soak` runs the ten-minute version)."""

from __future__ import annotations

from bench.soak import USERS, run

REQUESTS = 2000


def test_soak_two_thousand_requests(fixture_server):
    fixture_server.stop()  # the soak starts its own server on the same knowledge base
    result = run(fixture_server.var, requests=REQUESTS)
    print({k: v for k, v in result.items() if k != "memory_samples"})
    assert result["requests"] == -(-REQUESTS // USERS) * USERS
    assert result["failed"] == 0
    assert result["memory_growth"] <= 0.10, result["memory_samples"]
