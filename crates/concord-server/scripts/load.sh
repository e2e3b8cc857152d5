#!/bin/sh
# Load figures for `concord serve` (issue 4): board reads/s and durable report writes/s with
# p99, against raw SQLite on the same disk, on SQLite and — when CONCORD_TEST_POSTGRES_URL is
# set — on PostgreSQL. Bounded: SECONDS per phase (default 5).
set -eu
cd "$(dirname "$0")/../../.."
SECONDS_PER_PHASE="${1:-5}"
WRITERS="${2:-64}"
cargo build --release -p concord-server --example load
BIN="${CARGO_TARGET_DIR:-target}/release/examples/load"
echo "== SQLite"
"$BIN" sqlite "$SECONDS_PER_PHASE" "$WRITERS"
if [ -n "${CONCORD_TEST_POSTGRES_URL:-}" ]; then
    echo "== PostgreSQL"
    "$BIN" "$CONCORD_TEST_POSTGRES_URL" "$SECONDS_PER_PHASE" "$WRITERS"
else
    echo "== PostgreSQL: skipped (CONCORD_TEST_POSTGRES_URL not set)"
fi
