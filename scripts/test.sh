#!/usr/bin/env bash
# Run the whole test suite on SQLite, then again on PostgreSQL when MEDREF_TEST_POSTGRES_URL is set.
# Fails when a run executes no test (pytest exit 5), so an empty run never passes.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

run() {
  local label=$1; shift
  echo "=== test suite on ${label} ==="
  set +e
  "$@"
  local rc=$?
  set -e
  if [ "$rc" -eq 5 ]; then
    echo "test suite on ${label}: no test was executed; failing" >&2
    exit 1
  fi
  if [ "$rc" -ne 0 ]; then
    echo "test suite on ${label}: failed (exit ${rc})" >&2
    exit "$rc"
  fi
}

run SQLite env -u DATABASE_URL "$BIN/pytest" "$@"
if [ -n "${MEDREF_TEST_POSTGRES_URL:-}" ]; then
  run PostgreSQL env DATABASE_URL="$MEDREF_TEST_POSTGRES_URL" "$BIN/pytest" "$@"
else
  echo "MEDREF_TEST_POSTGRES_URL is not set: skipped the PostgreSQL run"
fi
