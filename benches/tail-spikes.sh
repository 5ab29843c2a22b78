#!/usr/bin/env bash
# Tail-spike hunt: consecutive uncached runs per endpoint (the original's method: 16
# connections, one client thread, 20 s runs), each run's p99, p99.9 and max from insights-load
# (a run whose max exceeds 10x its p99 is flagged), and beside every run what the machine did
# meanwhile: TCP retransmissions and loss probes (nstat), packets the kernel dropped from its
# input backlog (/proc/net/softnet_stat), CPU time stolen by the hypervisor (/proc/stat), and
# PostgreSQL's checkpoints and autovacuum/autoanalyze runs.
#
# Usage: benches/tail-spikes.sh <database-url> <results-dir>
# Env:   BIN_DIR (default target/release of this checkout), RUNS (per endpoint, default 5),
#        SECONDS_PER_RUN (default 20), ENDPOINTS (default
#        effectiveness-fixed,evolution,recommendations), USERS (default 1000), PORT (18190).
#        The server's INSIGHTS_* settings pass through. Starts with a CHECKPOINT.
set -euo pipefail
url=${1:?database url} out=${2:?results directory}
here=$(cd "$(dirname "$0")" && pwd)
export BIN_DIR=${BIN_DIR:-$here/../target/release}
runs=${RUNS:-5}
secs=${SECONDS_PER_RUN:-20}
endpoints=${ENDPOINTS:-effectiveness-fixed,evolution,recommendations}
users=${USERS:-1000}
port=${PORT:-18190}
mkdir -p "$out"

# One line of counters: retransmitted segments, tail-loss probes, backlog drops, steal ticks,
# checkpoints, autovacuum + autoanalyze runs, and requests the server itself took over 100 ms
# for (its latency histogram: it tells a stall inside the server or the database from one on
# the way to or from the client).
counters() {
  local retrans probes drops steal pg slow
  retrans=$(nstat -az TcpRetransSegs | awk '$1 == "TcpRetransSegs" {print $2}')
  probes=$(nstat -az TcpExtTCPLossProbes | awk '$1 == "TcpExtTCPLossProbes" {print $2}')
  drops=$(awk '{s += strtonum("0x" $2)} END {print s}' /proc/net/softnet_stat)
  steal=$(awk '$1 == "cpu" {print $9}' /proc/stat)
  pg=$(psql -qAt "$url" -c "SELECT (SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter) || ' ' || (SELECT coalesce(sum(autovacuum_count + autoanalyze_count), 0) FROM pg_stat_user_tables)" 2>/dev/null || echo "- -")
  slow=$(curl -fsS "http://127.0.0.1:$port/metrics" | awk '
    /^insights_http_request_duration_seconds_bucket/ && /le="0.1"/ {fast += $NF}
    /^insights_http_request_duration_seconds_count/ {all += $NF}
    END {print all - fast}')
  echo "$retrans $probes $drops $steal $pg $slow"
}

# One server for every run, as wrk measures a server that keeps running.
. "$here/serve-for-bench.sh"
bin=$BIN_DIR cache_ttl=0 log=$out/serve.log
trap stop_server EXIT
# A database just loaded has its writes still to be checkpointed: a spread checkpoint then runs
# for minutes beside the measurements, and requests stalled 0.15-0.4 s during it
# (benches/results/2026-12-07-tails/). Write them out now (needs a superuser; skipped otherwise).
psql -qAt "$url" -c CHECKPOINT >/dev/null 2>&1 || echo "note: CHECKPOINT not run (not a superuser?)" >&2
start_server
load() {
  "$BIN_DIR/insights-load" --target "127.0.0.1:$port" --jwt-secret "$secret" --label "cache off" \
    --users "$users" --connections 16 --threads 1 --runs 1 "$@"
}

# Recommendations are measured "returning existing" rows, as the original was: one unmeasured
# pass lets every user's first engine run (which inserts) happen first.
load --endpoints recommendations --warmup 0 --duration 10 >/dev/null

echo "endpoint run req_s p99_ms p999_ms max_ms spike retrans loss_probes backlog_drops steal_ticks checkpoints autovacuums server_over_100ms" >"$out/runs.tsv"
IFS=, read -r -a list <<<"$endpoints"
for endpoint in "${list[@]}"; do
  for run in $(seq 1 "$runs"); do
    before=$(counters)
    # Only an endpoint's first run has a (not measured) warm-up, as with wrk's runs.
    warmup=0
    [ "$run" = 1 ] && warmup=5
    load --endpoints "$endpoint" --warmup "$warmup" --duration "$secs" \
      --json "$out/$endpoint-$run.json" >"$out/$endpoint-$run.log"
    after=$(counters)
    read -r -a b <<<"$before"
    read -r -a a <<<"$after"
    delta=()
    for i in 0 1 2 3 4 5 6; do
      if [[ ${a[$i]} =~ ^[0-9]+$ && ${b[$i]} =~ ^[0-9]+$ ]]; then delta+=($((a[i] - b[i]))); else delta+=(-); fi
    done
    python3 - "$out/$endpoint-$run.json" "$endpoint" "$run" "${delta[*]}" >>"$out/runs.tsv" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))[0]
print(sys.argv[2], sys.argv[3], f"{r['requests_per_sec']:.0f}", r["p99_ms"], r["p999_ms"], r["max_ms"],
      "SPIKE" if r["tail_spike"] else "-", sys.argv[4])
EOF
    tail -1 "$out/runs.tsv"
  done
done
echo "runs with a tail spike: $(awk '$7 == "SPIKE"' "$out/runs.tsv" | wc -l) of $(($(wc -l <"$out/runs.tsv") - 1)); largest max: $(awk 'NR > 1 {print $6}' "$out/runs.tsv" | sort -g | tail -1) ms"
# A virtual machine's host can take a vCPU away for a whole time slice (100 ms seen on one VM,
# in steps of 10 ticks): whatever ran on it stalls, and no software in the VM can avoid that.
# Such runs are named so that their maxima are not taken for the server's
# (benches/results/2026-12-07-amd-pipelined/README.md).
echo "runs with a max over 100 ms: $(awk 'NR > 1 && $6 > 100' "$out/runs.tsv" | wc -l), of which with 10 or more ticks (100 ms) of CPU stolen by the hypervisor: $(awk 'NR > 1 && $6 > 100 && $11 >= 10' "$out/runs.tsv" | wc -l)"
