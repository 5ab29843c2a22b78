#!/usr/bin/env bash
# Runs every library example the way its README shows, so that a README's example cannot rot:
# the in-memory ones as they are, the service's once on an embedded SQLite file (its default)
# and once on PostgreSQL, in a database of its own that is dropped afterwards.
# Needs the PostgreSQL that scripts/test.sh makes available (INSIGHTS_TEST_PG_PORT, default 5432).
set -euo pipefail
cd "$(dirname "$0")/../.."

run() { # <package> <example> [env …]
  local package=$1 example=$2
  shift 2
  echo "== cargo run -p $package --example $example $*"
  env "$@" cargo run --quiet -p "$package" --example "$example" >/dev/null
}

run insights-ttl-cache response_cache
run insights-week-buckets evolution_timeline
run insights-recommender plan_and_apply
run insights-service evolution_and_recommendations

port=${INSIGHTS_TEST_PG_PORT:-5432}
db=insights_example_$$
psql -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -c "CREATE DATABASE $db"
trap 'psql -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"' EXIT
run insights-service evolution_and_recommendations "DATABASE_URL=postgres://postgres@127.0.0.1:$port/$db"
