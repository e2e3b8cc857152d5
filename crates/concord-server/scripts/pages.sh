#!/bin/sh
# Server time of the dashboard's pages on the demo contest: the first (cold) request of each
# page, then p50/p99 under steady load with wrk (2 connections, 10 s each), and the board's
# size with and without gzip. Loopback adds well under a millisecond.
#
#   concord serve --demo --bind 127.0.0.1:18411 &     # a release build for the real figures
#   crates/concord-server/scripts/pages.sh http://127.0.0.1:18411
set -eu
BASE=${1:-http://127.0.0.1:18411}
C=nato-sg-2024
D=${DURATION:-10s}
PAGES="/contests/$C?as_of=2024-04-02
/contests/$C?as_of=2024-06-19
/contests/$C/cell/HUN/rutte?as_of=2024-04-02
/contests/$C/timeline?as_of=2024-04-02
/contests/$C/timeline.svg?as_of=2024-04-02
/contests/$C/forecast?as_of=2024-04-02
/contests/$C/forecast.svg?as_of=2024-04-02
/contests/$C/whatif?as_of=2024-04-02
/contests/$C/whatif?as_of=2024-04-02&edit=lift&hold=HUN%7CMark+Rutte
/contests/$C/silence"
echo "cold (first request since the server started), seconds:"
for p in $PAGES; do
  printf '  %-70s %s\n' "$p" "$(curl -s -o /dev/null -w '%{time_total}' "$BASE$p")"
done
echo "steady (wrk -t1 -c2 -d$D --latency):"
for p in $PAGES; do
  wrk -t1 -c2 -d"$D" --latency "$BASE$p" \
    | awk -v p="$p" '/^ +50%/{p50=$2} /^ +99%/{p99=$2} /Requests\/sec/{rps=$2} END{printf "  %-70s p50 %-9s p99 %-9s %s req/s\n", p, p50, p99, rps}'
done
raw=$(curl -s -o /dev/null -w '%{size_download}' "$BASE/contests/$C?as_of=2024-04-02")
gz=$(curl -s -H 'Accept-Encoding: gzip' -o /dev/null -w '%{size_download}' "$BASE/contests/$C?as_of=2024-04-02")
echo "board: $raw bytes, $gz bytes gzipped"
