#!/usr/bin/env bash
# Soak (docs/reliability.md): the RELEASE server on a PostgreSQL database of its own, seeded
# through the ingestion routes, under a bounded mix of requests; memory sampled from /proc.
# Stops by itself after DURATION seconds and drops its database. Traffic to 127.0.0.1 only.
#
#   scripts/reliability/soak.sh                  # mixed reads/writes: 300 s, 16 connections, 300 users, cache capacity 200
#   READ_ONLY=1 scripts/reliability/soak.sh      # the three GET routes only: data does not grow (memory-flat check)
#   REDIS_FAULT=1 scripts/reliability/soak.sh    # + a private redis-server, SIGKILLed at DURATION/3, restarted at 2*DURATION/3
#   DURATION=60 CONNECTIONS=8 scripts/reliability/soak.sh
#
# Output (in $OUT): soak-report.json, server.log, cache-metrics.txt, redis-fault.txt, plus a
# Markdown summary on stdout.
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION=${DURATION:-300}
CONNECTIONS=${CONNECTIONS:-16}
USERS=${USERS:-300}
CACHE_CAPACITY=${CACHE_CAPACITY:-200}   # small on purpose: eviction must keep memory flat
SAMPLE_SECS=${SAMPLE_SECS:-10}
READ_ONLY=${READ_ONLY:-0}
REDIS_FAULT=${REDIS_FAULT:-0}
PG=${PG:-postgres://postgres@127.0.0.1:5432}
DB=insights_soak_$$
PORT=${PORT:-18$((RANDOM % 900 + 100))}
RPORT=${RPORT:-17$((RANDOM % 900 + 100))}
SECRET=soak-secret-soak-secret-soak-secret-0123
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
OUT=${OUT:-$CARGO_TARGET_DIR/soak}
mkdir -p "$OUT"

cargo build --release -p insights-server --bin insights --example soak
echo "run at $(date -u +%FT%TZ); $(uptime)"
BIN=$CARGO_TARGET_DIR/release/insights
DRIVER=$CARGO_TARGET_DIR/release/examples/soak

psql "$PG/postgres" -qc "CREATE DATABASE $DB"
SERVER_PID= REDIS_PID= FAULT_PID= RDIR=
cleanup() {
  if [ -n "$FAULT_PID" ]; then kill "$FAULT_PID" 2>/dev/null || true; fi
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  if [ -f "$OUT/redis.pid" ]; then kill "$(cat "$OUT/redis.pid")" 2>/dev/null || true; rm -f "$OUT/redis.pid"; fi
  if [ -n "$RDIR" ]; then rm -rf "$RDIR"; fi
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB" || true
}
trap cleanup EXIT

# A redis-server of our own (never the shared one), no persistence; its pid in $OUT/redis.pid.
start_redis() {
  redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$RDIR" \
    >>"$OUT/redis.log" 2>&1 &
  echo $! >"$OUT/redis.pid"
  for _ in $(seq 1 50); do
    redis-cli -p "$RPORT" ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "redis-server did not start on $RPORT" >&2
  return 1
}
shared_cache_metrics() {
  curl -s "http://127.0.0.1:$PORT/metrics" | grep -E '^insights_shared_cache_(healthy|errors_total)' | tr '\n' ' '
}

REDIS_ARGS=()
if [ "$REDIS_FAULT" = 1 ]; then
  RDIR=$(mktemp -d)
  : >"$OUT/redis.log"
  start_redis
  REDIS_ARGS=(--redis-url "redis://127.0.0.1:$RPORT" --redis-key-prefix "soak$$")
fi

"$BIN" migrate --database-url "$PG/$DB"
RUST_LOG=warn "$BIN" serve --database-url "$PG/$DB" --bind "127.0.0.1:$PORT" \
  --jwt-secret "$SECRET" --cache-capacity "$CACHE_CAPACITY" "${REDIS_ARGS[@]}" \
  >"$OUT/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break
  sleep 0.1
done
echo "server VmRSS idle: $(grep VmRSS "/proc/$SERVER_PID/status")"

MODE_ARGS=()
if [ "$READ_ONLY" = 1 ]; then MODE_ARGS=(--read-only); fi
export INSIGHTS_JWT_SECRET=$SECRET
# Seed first (a 1-second run), so the timed run — and the fault schedule — start together.
"$DRIVER" --target "127.0.0.1:$PORT" --users "$USERS" --connections 1 --duration-secs 1 \
  "${MODE_ARGS[@]}" >/dev/null
echo "server VmRSS after seeding: $(grep VmRSS "/proc/$SERVER_PID/status")"

if [ "$REDIS_FAULT" = 1 ]; then
  (
    sleep $((DURATION / 3))
    echo "$(date -u +%T) before kill: $(shared_cache_metrics)"
    kill -KILL "$(cat "$OUT/redis.pid")"
    echo "$(date -u +%T) redis-server SIGKILLed"
    sleep 10
    echo "$(date -u +%T) redis down 10 s: $(shared_cache_metrics)"
    sleep $((DURATION / 3 - 10))
    start_redis
    echo "$(date -u +%T) redis-server restarted on $RPORT"
    sleep 15
    echo "$(date -u +%T) redis back 15 s: $(shared_cache_metrics)"
  ) >"$OUT/redis-fault.txt" 2>&1 &
  FAULT_PID=$!
fi

set +e
"$DRIVER" --target "127.0.0.1:$PORT" --users "$USERS" --connections "$CONNECTIONS" --no-seed \
  --duration-secs "$DURATION" --sample-secs "$SAMPLE_SECS" --server-pid "$SERVER_PID" \
  "${MODE_ARGS[@]}" --json "$OUT/soak-report.json"
status=$?
set -e
if [ -n "$FAULT_PID" ]; then wait "$FAULT_PID" || true; FAULT_PID=; cat "$OUT/redis-fault.txt"; fi
curl -s "http://127.0.0.1:$PORT/metrics" | grep -E '^insights_(cache_(entries|hits_total|misses_total|evictions_total)|shared_cache_[a-z_]+|http_requests_total)' >"$OUT/cache-metrics.txt" || true
cat "$OUT/cache-metrics.txt"
echo "server log lines at WARN or above: $(grep -cE 'WARN|ERROR' "$OUT/server.log" || true)"
exit $status
