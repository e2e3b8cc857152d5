#!/usr/bin/env bash
# Coverage-guided fuzzing of every parser with AFL++ (cargo-afl: stable Rust, no nightly).
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#   FUZZ_EXECS=N scripts/fuzz.sh ...      # stop a target after about N executions
#
# Runs each target (default: all) for SECONDS_PER_TARGET (default 600), or until it has made
# FUZZ_EXECS executions (default 1,000,000), whichever comes first, from its seeds in
# fuzz/seeds/, with a 256 MB memory cap in the target itself (fuzz/src/lib.rs aborts on any
# allocation past it, which AFL records as a crash) and AFL's hang timeout of 1 s per input.
# Prints, per target: executions, crashes, hangs; exits non-zero on any crash or hang, and
# keeps the inputs that caused them in fuzz/out/TARGET/default/{crashes,hangs}/ to replay with
# `fuzz/target/release/TARGET < FILE`.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

seconds="${1:-600}"
execs_wanted="${FUZZ_EXECS:-1000000}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(scenario_toml reports_csv interchange_json ktab_csv ktab_xml api_bodies)
fi

if ! command -v cargo-afl >/dev/null 2>&1; then
  echo "installing cargo-afl (builds AFL++ for this toolchain)"
  cargo install --locked cargo-afl --version 0.18.2 >/dev/null
fi
# Builds AFL++'s runtime for this toolchain once; a no-op when it is there.
cargo afl config --build >/dev/null 2>&1 || true

cargo afl build --release --locked --quiet

# A machine that has not been tuned for AFL (core pattern, CPU governor) still fuzzes fine.
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1
export AFL_NO_AFFINITY=1

status=0
printf '%-18s %12s %8s %6s %10s\n' target executions crashes hangs execs/s
for t in "${targets[@]}"; do
  out="out/$t"
  rm -rf "$out"
  mkdir -p out
  # -V: stop after that many seconds; -E: after about that many executions; -t: an input
  # taking over 5 s is a hang (every input here takes well under a millisecond).
  nice cargo afl fuzz -i "seeds/$t" -o "$out" -V "$seconds" -E "$execs_wanted" -t 5000 \
    "target/release/$t" >"out-$t.log" 2>&1 || true
  stats="$out/default/fuzzer_stats"
  if [ ! -f "$stats" ]; then
    echo "$t: AFL did not start; see fuzz/out-$t.log" >&2
    tail -20 "out-$t.log" >&2
    status=1
    continue
  fi
  get() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
  execs="$(get execs_done)"
  crashes="$(get saved_crashes)"
  hangs="$(get saved_hangs)"
  rate="$(get execs_per_sec)"
  printf '%-18s %12s %8s %6s %10s\n' "$t" "$execs" "$crashes" "$hangs" "$rate"
  if [ "${crashes:-0}" != 0 ] || [ "${hangs:-0}" != 0 ]; then
    status=1
    ls "$out"/default/crashes "$out"/default/hangs 2>/dev/null | head -20
  fi
done
exit $status
