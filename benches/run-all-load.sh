#!/usr/bin/env bash
# Every load configuration of docs/performance.md, the original's method (16 connections, one
# client thread, 5 s warm-up, median of 3 × 20 s per endpoint), into one results folder.
# Needs the release binaries (BIN_DIR) and the bench databases (see docs/performance.md).
# The server's INSIGHTS_* settings pass through, e.g. INSIGHTS_WORKERS=1 for one HTTP worker.
#
# Usage: benches/run-all-load.sh <results-dir>
set -euo pipefail
out=${1:?results directory}
mkdir -p "$out"
here=$(cd "$(dirname "$0")" && pwd)
export BIN_DIR=${BIN_DIR:-$here/../target/release}
pg=${PG_BASE:-postgres://postgres@127.0.0.1:5432}
O=$pg/insights_bench_original
T=$pg/insights_bench_typical
method=(--warmup 5 --duration 20 --runs 3 --connections 16 --threads 1)
all=healthz,effectiveness-fixed,effectiveness-default,evolution,recommendations

log() { echo "== $(date -u +%H:%M:%S) $* (workers: ${INSIGHTS_WORKERS:-one per core}; load average: $(cut -d' ' -f1-3 /proc/loadavg))"; }

# The original measured recommendations "returning existing" ones: one unmeasured pass first
# lets every user's first engine run (which inserts) happen outside the measurement.
log "priming recommendations (original-scale)"
PORT=18180 "$here/run-load.sh" "$O" 0 prime "$out/prime-orig.json" --users 1000 --endpoints recommendations --warmup 0 --duration 10 >/dev/null
log "original-scale, cache off"
PORT=18181 "$here/run-load.sh" "$O" 0 "cache off" "$out/orig-off.json" --users 1000 --endpoints "$all" "${method[@]}"
log "original-scale, cache on"
PORT=18182 "$here/run-load.sh" "$O" 300 "cache on" "$out/orig-on.json" --users 1000 --endpoints "$all" "${method[@]}"
log "priming recommendations (typical)"
PORT=18183 "$here/run-load.sh" "$T" 0 prime "$out/prime-typ.json" --users 10000 --endpoints recommendations --warmup 0 --duration 30 >/dev/null
log "typical, cache off"
PORT=18184 "$here/run-load.sh" "$T" 0 "cache off" "$out/typ-off.json" --users 10000 --endpoints "$all" "${method[@]}"
log "typical, cache on"
PORT=18185 "$here/run-load.sh" "$T" 300 "cache on" "$out/typ-on.json" --users 10000 --endpoints "$all" "${method[@]}"
log "typical, cache off, heavy-user only"
PORT=18186 "$here/run-load.sh" "$T" 0 "cache off, heavy-user" "$out/heavy-off.json" --only-user heavy-user \
  --endpoints effectiveness-fixed,effectiveness-default,evolution,recommendations "${method[@]}"
log "done"
