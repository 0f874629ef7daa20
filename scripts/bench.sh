#!/usr/bin/env bash
# Runs every benchmark program in BUILD/bench and prints one table: benchmark, time, CPU time,
# and the counters each benchmark reports (items/s, images/s, ...).
# Usage: scripts/bench.sh [BUILD] [FILTER-REGEX]
set -euo pipefail
build=${1:-build}
filter=${2:-.}
export OMP_WAIT_POLICY=PASSIVE
printf '%-58s %14s %14s  %s\n' "benchmark" "time" "cpu" "counters"
for program in "$build"/bench/*_bench; do
  [[ -x "$program" ]] || continue
  "$program" --benchmark_filter="$filter" --benchmark_format=json 2>/dev/null |
    /usr/bin/python3 -c '
import json, sys
try:
    data = json.load(sys.stdin)
except ValueError:  # no benchmark of this program matched the filter
    sys.exit(0)
skip = {"name","run_name","run_type","repetitions","repetition_index","threads","iterations",
        "real_time","cpu_time","time_unit","family_index","per_family_instance_index",
        "aggregate_name","aggregate_unit","error_occurred","error_message","label"}
for b in data.get("benchmarks", []):
    unit = b.get("time_unit", "ns")
    extra = "  ".join("%s=%.4g" % (k, v) for k, v in b.items()
                      if k not in skip and isinstance(v, (int, float)))
    print("%-58s %11.3f %s %11.3f %s  %s" % (b["name"][:58], b["real_time"], unit.ljust(2),
          b["cpu_time"], unit.ljust(2), extra))
'
done
