#!/usr/bin/env bash
# The library crates with one database backend each, as a program that wants only PostgreSQL
# (or only SQLite) builds them: lints of insights-store and insights-service, their tests
# included (which must leave the other backend out cleanly), with
# `--no-default-features --features postgres` and then `sqlite`; the PostgreSQL-only server;
# and a check that the PostgreSQL-only service pulls in neither SQLite (C) nor Redis.
# Lints only, no second test run: a few minutes at most on 2 cores, mostly the crates that
# depend on tokio and diesel, which these feature sets build with other features.
set -euo pipefail
cd "$(dirname "$0")/../.."

for backend in postgres sqlite; do
  echo "feature build: insights-store and insights-service with $backend only" >&2
  cargo clippy -p insights-store -p insights-service --no-default-features --features "$backend" \
    --all-targets -- -D warnings
done

echo "feature build: insights-server with postgres only" >&2
cargo clippy -p insights-server --no-default-features --features postgres -- -D warnings

echo "feature build: the PostgreSQL-only dependency tree" >&2
tree=$(cargo tree -e normal -p insights-service --no-default-features --features postgres)
if unwanted=$(grep -E 'libsqlite3-sys|redis' <<<"$tree"); then
  echo "insights-service --no-default-features --features postgres pulls in:" >&2
  echo "$unwanted" >&2
  exit 1
fi
