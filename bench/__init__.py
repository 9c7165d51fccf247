"""Benchmarks run by `make bench` (never by `make test`): results as tables and var/bench/*.json."""
