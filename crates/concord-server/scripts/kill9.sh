#!/bin/sh
# Crash test for `concord serve` (issue 10): 16 concurrent writers post reports, the server is
# killed with SIGKILL mid-run, restarted, and then every acknowledged write must be in the
# store, and the chain and its signed checkpoint must verify (also against the checkpoint
# published before the round). ROUNDS rounds per store: SQLite, then PostgreSQL when
# CONCORD_TEST_POSTGRES_URL is set. Loopback only; bounded: each round lasts a few seconds.
#
#   crates/concord-server/scripts/kill9.sh [ROUNDS] [WRITERS]
set -eu
cd "$(dirname "$0")/../../.."
ROUNDS="${1:-5}"
WRITERS="${2:-16}"
PORT="${CONCORD_KILL9_PORT:-18089}"
cargo build --release -q -p concord
cargo build --release -q -p concord-server --example writers
TARGET="${CARGO_TARGET_DIR:-target}/release"
CONCORD="$TARGET/concord"
WRITE="$TARGET/examples/writers"
WORK="$(mktemp -d)"
echo "work: $WORK"
SERVER=""
PGDB=""
cleanup() {
    [ -n "$SERVER" ] && kill -9 "$SERVER" 2>/dev/null || true
    if [ -n "$PGDB" ]; then
        psql -q "$CONCORD_TEST_POSTGRES_URL" -c "DROP DATABASE IF EXISTS $PGDB WITH (FORCE)" >/dev/null || true
    fi
    [ -n "${CONCORD_KILL9_KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# Waits until the server answers (at most 30 s).
wait_ready() {
    i=0
    until curl -s -o /dev/null "http://127.0.0.1:$PORT/api/openapi.json"; do
        i=$((i + 1))
        [ "$i" -lt 300 ] || { echo "server did not start"; exit 1; }
        sleep 0.1
    done
}

# One store: import, a token, then ROUNDS of write / kill -9 / restart / check.
crash_rounds() {
    label="$1"
    "$CONCORD" import nato-sg-2024 >/dev/null
    token="$("$CONCORD" token create --role analyst 2>/dev/null)"
    total_acked=0
    total_missing=0
    round=1
    while [ "$round" -le "$ROUNDS" ]; do
        "$CONCORD" checkpoint nato-sg-2024 >"$WORK/before.checkpoint"
        "$CONCORD" serve --bind "127.0.0.1:$PORT" 2>"$WORK/serve.log" &
        SERVER=$!
        wait_ready
        rm -f "$WORK/acked"
        "$WRITE" "http://127.0.0.1:$PORT" "$token" nato-sg-2024 "$WRITERS" 30 "$label-$round" \
            >"$WORK/acked" 2>"$WORK/writers.log" &
        writers=$!
        # Once writes are being acknowledged (the restarted server first loads and checks the
        # whole log), kill 0.5 to 2.4 s later, while every writer is busy.
        i=0
        until [ -s "$WORK/acked" ]; do
            i=$((i + 1))
            [ "$i" -lt 300 ] || { echo "no write acknowledged in 30 s"; cat "$WORK/writers.log"; exit 1; }
            sleep 0.1
        done
        sleep "$(awk -v r="$round" 'BEGIN { srand(r * 7919 + 17); printf "%.1f", 0.5 + rand() * 1.9 }')"
        kill -9 "$SERVER"
        wait "$SERVER" 2>/dev/null || true
        SERVER=""
        wait "$writers" || true
        acked=$(wc -l <"$WORK/acked")
        # Restart: a new server process on the same store must come up and serve.
        "$CONCORD" serve --bind "127.0.0.1:$PORT" 2>>"$WORK/serve.log" &
        SERVER=$!
        wait_ready
        kill "$SERVER"
        wait "$SERVER" 2>/dev/null || true
        SERVER=""
        "$CONCORD" export nato-sg-2024 >"$WORK/export.jsonl"
        grep -o '"source":"https://example.org/kill9/[^"]*"' "$WORK/export.jsonl" \
            | sed 's/^"source":"//; s/"$//' | sort -u >"$WORK/present"
        sort -u "$WORK/acked" >"$WORK/acked.sorted"
        missing=$(comm -23 "$WORK/acked.sorted" "$WORK/present" | wc -l)
        if "$CONCORD" verify nato-sg-2024 >"$WORK/verify" 2>&1 \
            && "$CONCORD" verify --checkpoint "$WORK/before.checkpoint" >>"$WORK/verify" 2>&1; then
            verdict="chain and checkpoint verify, extends the round's earlier checkpoint"
        else
            verdict="VERIFY FAILED: $(cat "$WORK/verify")"
            total_missing=$((total_missing + 1000000))
        fi
        events=$(grep -c '"seq"' "$WORK/export.jsonl")
        echo "$label round $round: $acked acknowledged, $missing missing; $events events; $verdict"
        total_acked=$((total_acked + acked))
        total_missing=$((total_missing + missing))
        round=$((round + 1))
    done
    echo "$label: $ROUNDS kill -9 rounds, $total_acked acknowledged writes, $total_missing lost"
    [ "$total_missing" -eq 0 ]
}

echo "== SQLite ($WRITERS writers, $ROUNDS rounds)"
(
    export CONCORD_DATABASE="$WORK/concord.sqlite" CONCORD_KEY_FILE="$WORK/sqlite.key"
    crash_rounds sqlite
)
if [ -n "${CONCORD_TEST_POSTGRES_URL:-}" ]; then
    echo "== PostgreSQL ($WRITERS writers, $ROUNDS rounds)"
    PGDB="concord_kill9_$$"
    psql -q "$CONCORD_TEST_POSTGRES_URL" -c "CREATE DATABASE $PGDB" >/dev/null
    (
        export CONCORD_DATABASE="${CONCORD_TEST_POSTGRES_URL%/*}/$PGDB" CONCORD_KEY_FILE="$WORK/pg.key"
        crash_rounds postgres
    )
else
    echo "== PostgreSQL: skipped (CONCORD_TEST_POSTGRES_URL not set)"
fi
