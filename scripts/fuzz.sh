#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang++ with -fsanitize=fuzzer,address,undefined) in
# build-fuzz and runs one of them for SECONDS on one core, at low priority (nice 19 on top of
# the caller's; FUZZ_NICE=0 keeps the caller's, e.g. `nice -n 10 env FUZZ_NICE=0 ...`).
#   scripts/fuzz.sh TARGET SECONDS     TARGET: rle_string coco_json coco_results points_csv checkpoint serve_request
# The corpus grows in build-fuzz/corpus/TARGET (seeded from fuzz/corpus/TARGET); crashers land
# in build-fuzz/crashes/TARGET. Keep each crasher as a regression test (tests/bad_input).
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: scripts/fuzz.sh TARGET SECONDS" >&2
  exit 2
fi
target=$1
seconds=$2
root=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD:-$root/build-fuzz}
if ! command -v clang++ >/dev/null; then
  echo "scripts/fuzz.sh: clang++ not found (apt-get install clang libclang-rt-14-dev)" >&2
  exit 1
fi
if [ ! -f "$build/CMakeCache.txt" ]; then
  CXX=clang++ cmake -S "$root/fuzz" -B "$build" >/dev/null
fi
# Several fuzzers may start at once: one build at a time in the shared folder.
nice=${FUZZ_NICE:-19}
flock "$build/.build.lock" nice -n "$nice" cmake --build "$build" --target "fuzz_$target" \
  -j "${FUZZ_JOBS:-1}" >/dev/null
corpus=$build/corpus/$target
crashes=$build/crashes/$target
mkdir -p "$corpus" "$crashes"
if [ -d "$root/fuzz/corpus/$target" ]; then cp -n "$root/fuzz/corpus/$target"/* "$corpus"/ 2>/dev/null || true; fi
dict=()
if [ -f "$root/fuzz/$target.dict" ]; then dict=(-dict="$root/fuzz/$target.dict"); fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE
exec nice -n "$nice" "$build/fuzz_$target" "$corpus" "${dict[@]}" -max_total_time="$seconds" \
  -artifact_prefix="$crashes/" -print_final_stats=1 -timeout=10 -rss_limit_mb=4096
