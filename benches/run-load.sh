#!/usr/bin/env bash
# Starts `insights serve` on 127.0.0.1 against a database, runs insights-load against it, and
# stops the server again (only the process this script started).
#
# Usage: benches/run-load.sh <database-url> <cache-ttl-secs> <label> <json-out> [insights-load args…]
# Env:   BIN_DIR (default target/release of this checkout), PORT (default 18080),
#        CACHE_CAPACITY (default 100000)
set -euo pipefail
url=$1 ttl=$2 label=$3 json=$4
shift 4
bin_dir=${BIN_DIR:-$(cd "$(dirname "$0")/.." && pwd)/target/release}
port=${PORT:-18080}
secret=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
log=$(mktemp /tmp/insights-serve.XXXXXX.log)

DATABASE_URL=$url INSIGHTS_BIND=127.0.0.1:$port INSIGHTS_JWT_SECRET=$secret \
  INSIGHTS_CACHE_TTL_SECS=$ttl INSIGHTS_CACHE_CAPACITY=${CACHE_CAPACITY:-100000} INSIGHTS_SHUTDOWN_TIMEOUT_SECS=1 RUST_LOG=warn \
  "$bin_dir/insights" serve >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true' EXIT

for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server" 2>/dev/null; then cat "$log"; exit 1; fi
  sleep 0.2
done

"$bin_dir/insights-load" --target "127.0.0.1:$port" --jwt-secret "$secret" \
  --label "$label" --json "$json" "$@"
