#!/usr/bin/env bash
# Where the CPU goes under load: one endpoint at a time, the release server under the original's
# load method (16 connections, one client thread), sampled machine-wide with `perf record`
# (every process, the kernel included, since the server, PostgreSQL and the load driver share
# the cores). Per endpoint it writes:
#   <endpoint>.comm.txt     the share of samples per process (server, postgres, load driver, idle)
#   <endpoint>.server.txt   the server's own samples by function (self time, no children)
#   <endpoint>.folded       the server's stacks, folded (one line per stack),
#   <endpoint>.svg          their flame graph, and
#   <endpoint>.inclusive.txt the share of the server's samples in which each function is on the
#                           stack (the 80 largest); these three need inferno on the PATH
#                           (`cargo install inferno`)
#
# Usage: benches/profile.sh <database-url> <results-dir>
# Env:   BIN_DIR (default target/release of this checkout), ENDPOINTS (default
#        effectiveness-fixed,evolution,recommendations), SECONDS_PER_RUN (sampled seconds,
#        default 10), FREQ (samples per second per CPU, default 199), USERS (default 1000),
#        PORT (18195). INSIGHTS_CACHE_TTL_SECS defaults to 0 (uncached); the server's other
#        INSIGHTS_* settings pass through.
# The release profile keeps symbols (no debug info): stacks are unwound from .eh_frame with
# `--call-graph dwarf`, so inlined functions are counted in their callers.
set -euo pipefail
url=${1:?database url} out=${2:?results directory}
here=$(cd "$(dirname "$0")" && pwd)
bin=${BIN_DIR:-$here/../target/release}
endpoints=${ENDPOINTS:-effectiveness-fixed,evolution,recommendations}
secs=${SECONDS_PER_RUN:-10}
freq=${FREQ:-199}
users=${USERS:-1000}
port=${PORT:-18195}
command -v perf >/dev/null || { echo "perf is missing (apt-get install -y linux-perf)" >&2; exit 1; }
mkdir -p "$out"

. "$here/serve-for-bench.sh"
cache_ttl=${INSIGHTS_CACHE_TTL_SECS:-0} log=$out/serve.log
trap stop_server EXIT
start_server
load() {
  "$bin/insights-load" --target "127.0.0.1:$port" --jwt-secret "$secret" --label profile \
    --users "$users" --connections 16 --threads 1 --runs 1 "$@"
}
# Recommendations return existing rows, as in the load benchmark: one pass inserts them first.
load --endpoints recommendations --warmup 0 --duration 5 >/dev/null

IFS=, read -r -a list <<<"$endpoints"
for endpoint in "${list[@]}"; do
  # The load runs for the warm-up, then perf samples `secs` seconds of its measured part.
  load --endpoints "$endpoint" --warmup 3 --duration $((secs + 4)) \
    --json "$out/$endpoint.load.json" >"$out/$endpoint.load.log" &
  driver=$!
  sleep 5
  perf record -q -a -F "$freq" --call-graph dwarf,8192 -o "$out/$endpoint.data" -- sleep "$secs" 2>/dev/null
  wait "$driver"
  # awk, not head: head would close the pipe early and fail the script under pipefail.
  perf report -i "$out/$endpoint.data" --no-children --sort comm --stdio -g none 2>/dev/null |
    awk '!/^#/ && NF && n++ < 20' >"$out/$endpoint.comm.txt"
  perf report -i "$out/$endpoint.data" --no-children --pid "$server" --sort dso,sym --stdio \
    -g none --percent-limit 0.3 2>/dev/null | awk '!/^#/ && NF && n++ < 80' >"$out/$endpoint.server.txt"
  if command -v inferno-collapse-perf >/dev/null; then
    perf script -i "$out/$endpoint.data" --pid "$server" 2>/dev/null |
      inferno-collapse-perf >"$out/$endpoint.folded"
    inferno-flamegraph --title "insights $endpoint, server process" <"$out/$endpoint.folded" >"$out/$endpoint.svg"
    # Each function counted once per stack it is on (recursion would otherwise count twice).
    awk '{
        n = $NF; sub(/ [0-9]+$/, ""); total += n
        split($0, frames, ";"); delete seen
        for (i in frames) if (!(frames[i] in seen)) { seen[frames[i]] = 1; on[frames[i]] += n }
      }
      END { for (f in on) printf "%5.1f%%  %s\n", 100 * on[f] / total, f }' "$out/$endpoint.folded" |
      sort -rn | awk 'n++ < 80' >"$out/$endpoint.inclusive.txt"
  fi
  rm -f "$out/$endpoint.data"
  echo "== $endpoint: samples per process"
  cat "$out/$endpoint.comm.txt"
done
