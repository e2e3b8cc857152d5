#!/usr/bin/env bash
# schemathesis against the API's own OpenAPI document, once per role (chair, a delegation,
# analyst, observer, and anonymous under --demo-style public reading): no 5xx, and every
# response conforms to the document (status, content type, body schema).
#
#   scripts/schemathesis.sh [MAX_EXAMPLES_PER_OPERATION]     (default 50)
#
# Starts `concord serve` on a fresh temporary store holding the bundled NATO 2024 contest,
# runs schemathesis (installed from PyPI when missing), stops the server. The SSE stream is
# left out: it answers a never-ending body by design. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

examples="${1:-50}"
# Pinned, so a run is repeatable; the CLI is called through the interpreter, so no shim or
# PATH entry is needed after the install.
if ! python3 -m schemathesis.cli --version 2>/dev/null | grep -q "4.32.5"; then
  python3 -m pip install --quiet --disable-pip-version-check "schemathesis==4.32.5" >/dev/null 2>&1
fi
st() { python3 -m schemathesis.cli "$@"; }
cargo build --locked --quiet -p concord
bin="$PWD/target/debug/concord"

dir="$(mktemp -d)"
export CONCORD_DATABASE="$dir/concord.sqlite"
"$bin" import nato-sg-2024 >/dev/null
declare -A tokens
for role in chair delegation:HUN analyst observer; do
  tokens[$role]="$("$bin" token create --role "$role" | grep -oE 'cc_[0-9a-f]+' | head -n1)"
done

port=$((20000 + RANDOM % 20000))
"$bin" serve --bind "127.0.0.1:$port" --public-read >"$dir/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 1 50); do
  curl -fsS "http://127.0.0.1:$port/api/openapi.json" >/dev/null 2>&1 && break
  sleep 0.2
done

# Each role's full output stays in target/schemathesis/ for reading after the run.
logs="$PWD/target/schemathesis"
mkdir -p "$logs"
checks="not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
status=0
run() {
  local label="$1"
  shift
  echo "== schemathesis as $label"
  st run "http://127.0.0.1:$port/api/openapi.json" \
    --checks "$checks" --max-examples "$examples" --seed 20240626 \
    --exclude-path "/api/contests/{id}/events/stream" \
    --request-timeout 30 --workers 1 --no-color "$@" \
    2>&1 | tee "$logs/$label.log" | sed -n '/FAILURES\|SUMMARY/,$p'
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
}
for role in chair delegation:HUN analyst observer; do
  run "$role" -H "Authorization: Bearer ${tokens[$role]}"
done
run anonymous
if [ $status -ne 0 ]; then
  echo "schemathesis found failures; the server log:" >&2
  grep -E "ERROR|panicked" "$dir/serve.log" | tail -20 >&2 || true
fi
exit $status
