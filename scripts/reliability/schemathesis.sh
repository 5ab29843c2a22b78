#!/usr/bin/env bash
# Schemathesis against /openapi.json (docs/reliability.md): a recorded run, not part of CI.
# Starts `insights serve` on embedded SQLite in a temporary data dir with a known secret,
# seeds the token's user, runs schemathesis for MAX_TIME seconds with every check, and
# stops the server. Traffic to 127.0.0.1 only.
#
#   pip install schemathesis      # (a virtualenv is fine: ST=/path/to/venv/bin/schemathesis)
#   scripts/reliability/schemathesis.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

MAX_TIME=${MAX_TIME:-180}
ST=${ST:-schemathesis}
PORT=${PORT:-19$((RANDOM % 900 + 100))}
SECRET=schemathesis-secret-schemathesis-0123
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
PROFILE=${PROFILE:-debug}
BIN=$CARGO_TARGET_DIR/$PROFILE/insights
OUT=${OUT:-$CARGO_TARGET_DIR/schemathesis}
DATA=$(mktemp -d)
mkdir -p "$OUT"

# Release: the same targets as soak.sh builds (`--bin insights` alone resolves other dependency
# features and rebuilds them all).
if [ "$PROFILE" = release ]; then cargo build --release -p insights-server --bins --examples; else cargo build -p insights-server --bin insights; fi

SERVER_PID=
echo "run at $(date -u +%FT%TZ); $(uptime)"
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$DATA"
}
trap cleanup EXIT

RUST_LOG=warn "$BIN" serve --data-dir "$DATA" --bind "127.0.0.1:$PORT" --jwt-secret "$SECRET" \
  >"$OUT/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break
  sleep 0.1
done
TOKEN=$("$BIN" token --user st-user --jwt-secret "$SECRET" --ttl 2h)
# Some data for the token's user, so recommendations and apply have rows to work on.
curl -sf -X POST "http://127.0.0.1:$PORT/api/analytics/behavioral-insights/patterns" \
  -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '[{"patternType":"OPTIMAL_STUDY_TIME","confidence":0.9},{"patternType":"FORGETTING_CURVE","confidence":0.8}]' >/dev/null

set +e
# Run from the output folder, so schemathesis' local state (.hypothesis/) stays out of the tree.
cd "$OUT"
"$ST" run "http://127.0.0.1:$PORT/openapi.json" -H "Authorization: Bearer $TOKEN" \
  --checks all --max-time "$MAX_TIME" --workers 2 --request-timeout 10 \
  --report junit,ndjson --report-dir "$OUT/report" 2>&1 | tee "$OUT/run.txt"
status=${PIPESTATUS[0]}
set -e
exit "$status"
