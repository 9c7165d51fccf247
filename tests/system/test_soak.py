"""The short soak (60 s) of `make soak`: 50 users, no failed request, memory growth <= 10%."""

from __future__ import annotations

from bench.soak import run


def test_soak_sixty_seconds(fixture_server):
    fixture_server.stop()  # the soak starts its own server on the same knowledge base
    result = run(fixture_server.var, seconds=60)
    print({k: v for k, v in result.items() if k != "memory_samples"})
    assert result["requests"] > 1000
    assert result["failed"] == 0
    assert result["memory_growth"] <= 0.10, result["memory_samples"]
