#!/usr/bin/env bash
# Every ratio the benches print, RUNS times (3 by default), as ranges:
#
#   bash docs/bench-ratios.sh [RUNS]
#
# Runs the pool, idle, bulk, roundtrip and compare benches in turn (nothing
# else should run meanwhile: the machine's noise is the enemy), keeps the
# raw output in target/bench-ratios/, and prints one line per ratio:
# `NAME min–max (v1 / v2 / v3)`. Takes about four minutes a run on two
# vCPUs.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
out=target/bench-ratios
mkdir -p "$out"
rm -f "$out"/*.txt
benches=(
  "httpcore-tokio pool"
  "httpcore-std pool"
  "httpcore-mio idle"
  "httpcore-std bulk"
  "httpcore-tokio bulk"
  "httpcore-mio bulk"
  "httpcore-std roundtrip"
  "httpcore-tokio roundtrip"
  "httpcore-mio roundtrip"
  "httpcore compare"
)
for b in "${benches[@]}"; do
  set -- $b
  cargo bench -p "$1" --bench "$2" --no-run >/dev/null 2>&1
done
for run in $(seq 1 "$runs"); do
  for b in "${benches[@]}"; do
    set -- $b
    echo "run $run: cargo bench -p $1 --bench $2" >&2
    cargo bench -q -p "$1" --bench "$2" 2>/dev/null | grep '^ratio ' >>"$out/run$run.txt" || true
  done
done
grep -m1 'model name' /proc/cpuinfo | sed 's/.*: /CPU: /'
lscpu | grep -m1 'L2' | sed 's/  */ /g'
python3 - "$out" "$runs" <<'EOF'
import sys, collections
out, runs = sys.argv[1], int(sys.argv[2])
seen = collections.OrderedDict()
for r in range(1, runs + 1):
    for line in open(f"{out}/run{r}.txt"):
        _, name, value = line.split()
        seen.setdefault(name, []).append(float(value))
for name, vs in seen.items():
    print(f"{name:34} {min(vs):.3f}–{max(vs):.3f}  ({' / '.join(f'{v:.3f}' for v in vs)})")
EOF
