#!/usr/bin/env bash
# Soak (issue 9): the RELEASE server on a PostgreSQL database of its own, seeded through the
# ingestion routes, under a bounded mix of reads and writes; memory sampled from /proc.
# Stops by itself after DURATION seconds and drops its database. Traffic to 127.0.0.1 only.
#
#   scripts/reliability/soak.sh            # 300 s, 16 connections, 300 users, cache capacity 200
#   DURATION=60 CONNECTIONS=8 scripts/reliability/soak.sh
#
# Output: target dir's soak-report.json and soak-rss.txt, plus a Markdown summary on stdout.
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION=${DURATION:-300}
CONNECTIONS=${CONNECTIONS:-16}
USERS=${USERS:-300}
CACHE_CAPACITY=${CACHE_CAPACITY:-200}   # small on purpose: eviction must keep memory flat
PG=${PG:-postgres://postgres@127.0.0.1:5432}
DB=insights_soak_$$
PORT=${PORT:-18$((RANDOM % 900 + 100))}
SECRET=soak-secret-soak-secret-soak-secret-0123
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/work/targets/reliability}
OUT=${OUT:-$CARGO_TARGET_DIR/soak}
mkdir -p "$OUT"

cargo build --release -p insights-server --bin insights --example soak
BIN=$CARGO_TARGET_DIR/release/insights

psql "$PG/postgres" -qc "CREATE DATABASE $DB"
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB" || true
}
trap cleanup EXIT

"$BIN" migrate --database-url "$PG/$DB"
RUST_LOG=warn "$BIN" serve --database-url "$PG/$DB" --bind "127.0.0.1:$PORT" \
  --jwt-secret "$SECRET" --cache-capacity "$CACHE_CAPACITY" >"$OUT/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break
  sleep 0.1
done

INSIGHTS_JWT_SECRET=$SECRET "$CARGO_TARGET_DIR/release/examples/soak" \
  --target "127.0.0.1:$PORT" --users "$USERS" --connections "$CONNECTIONS" \
  --duration-secs "$DURATION" --server-pid "$SERVER_PID" --json "$OUT/soak-report.json"
status=$?
curl -s "http://127.0.0.1:$PORT/metrics" | grep -E '^insights_(cache_(entries|hits_total|misses_total|evictions_total)|http_requests_total)' >"$OUT/cache-metrics.txt" || true
cat "$OUT/cache-metrics.txt"
exit $status
