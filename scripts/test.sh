#!/usr/bin/env bash
# The workspace's test command: makes PostgreSQL and Redis available, then runs
# `cargo test --workspace` (extra arguments are passed on to it).
#
# - Missing server packages are installed with apt-get on Debian and Ubuntu (as root, or
#   through sudo); elsewhere the script says what to install and stops.
# - A server already answering on the port is used as it is. Otherwise a stopped cluster of the
#   OS packages on that port is started; failing that, a private trust-auth cluster is created
#   under $INSIGHTS_TEST_SERVICES_DIR. Redis, when not answering, is started without
#   persistence.
# - The tests connect as user `postgres` without a password (each test then creates its own
#   schema in the `test` database, created here when missing). A cluster this script has just
#   installed gets a trust rule for that user on 127.0.0.1 and ::1; any other cluster that
#   refuses is reported, never reconfigured.
#
# Settings (environment):
#   INSIGHTS_TEST_PG_PORT      PostgreSQL port on 127.0.0.1 (default 5432)
#   INSIGHTS_TEST_REDIS_PORT   Redis port on 127.0.0.1 (default 6379; the Redis tests use 6379)
#   INSIGHTS_TEST_SERVICES_DIR data and logs of servers this script starts itself
#                              (default target/test-services)
#   INSIGHTS_TEST_SETUP_ONLY=1 make the servers available, do not run the tests
set -euo pipefail
cd "$(dirname "$0")/.."

PG_PORT=${INSIGHTS_TEST_PG_PORT:-5432}
REDIS_PORT=${INSIGHTS_TEST_REDIS_PORT:-6379}
SERVICES_DIR=${INSIGHTS_TEST_SERVICES_DIR:-$PWD/target/test-services}
export INSIGHTS_TEST_DATABASE_URL=${INSIGHTS_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:$PG_PORT/test}
INSTALLED_POSTGRES=0

say() { echo "scripts/test.sh: $*" >&2; }
fail() { say "$*"; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif have sudo; then
    sudo "$@"
  else
    fail "needs root (or sudo) to run: $*"
  fi
}

# As the owner of a cluster: initdb and postgres refuse to run as root.
as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# An executable of that name on PATH (`command -v` alone also reports a non-executable file).
have() {
  local path
  path=$(command -v "$1") && [ -x "$path" ]
}

pg_bin_dir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

pg_answers() { pg_isready -q -h 127.0.0.1 -p "$PG_PORT"; }
redis_answers() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; }
psql_postgres() { psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -w "$@"; }

wait_for() {
  local what=$1
  shift
  for _ in $(seq 1 60); do
    "$@" && return 0
    sleep 0.5
  done
  fail "$what did not come up"
}

install_missing_packages() {
  local packages=()
  if [ -z "$(pg_bin_dir)" ] || ! have pg_isready || ! have psql; then
    packages+=(postgresql)
  fi
  if ! have redis-server || ! have redis-cli; then
    packages+=(redis-server)
  fi
  [ ${#packages[@]} -eq 0 ] && return 0
  if ! have apt-get; then
    fail "missing: ${packages[*]}. This script installs them only on Debian and Ubuntu" \
      "(apt-get). Install a PostgreSQL server with its client tools and a Redis server with" \
      "your OS's packages (or start them: PostgreSQL on 127.0.0.1:$PG_PORT accepting user" \
      "postgres without a password, Redis on 127.0.0.1:$REDIS_PORT), then run this again."
  fi
  say "installing ${packages[*]} with apt-get"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}"
  [[ " ${packages[*]} " == *" postgresql "* ]] && INSTALLED_POSTGRES=1
  return 0
}

# `version name` of the OS packages' cluster configured for $PG_PORT, if any.
os_cluster() {
  have pg_lsclusters || return 0
  pg_lsclusters -h 2>/dev/null | awk -v port="$PG_PORT" '$3 == port { print $1, $2; exit }'
}

start_private_postgres() {
  local bin data
  bin=$(pg_bin_dir)
  data=$SERVICES_DIR/postgres-$PG_PORT
  mkdir -p "$SERVICES_DIR"
  if [ ! -f "$data/PG_VERSION" ]; then
    say "creating a private PostgreSQL cluster in $data"
    mkdir -p "$data"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$data"
    as_postgres "$bin/initdb" -A trust -U postgres --no-sync -D "$data" >/dev/null
  fi
  say "starting the private PostgreSQL cluster on 127.0.0.1:$PG_PORT"
  as_postgres "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w start \
    -o "-c port=$PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$data" >/dev/null
}

start_postgres() {
  pg_answers && return 0
  local cluster
  cluster=$(os_cluster)
  if [ -n "$cluster" ]; then
    say "starting PostgreSQL $cluster"
    # shellcheck disable=SC2086 # "version name", two arguments
    as_root pg_ctlcluster --skip-systemctl-redirect $cluster start
  else
    start_private_postgres
  fi
  wait_for "PostgreSQL on 127.0.0.1:$PG_PORT" pg_answers
}

# A cluster the OS packages created in this very run is new and empty: let the tests' user in
# from this machine without a password. Any other refusal is the operator's to resolve.
allow_the_test_user() {
  psql_postgres -c 'SELECT 1' >/dev/null 2>&1 && return 0
  local cluster
  cluster=$(os_cluster)
  if [ "$INSTALLED_POSTGRES" = 1 ] && [ -n "$cluster" ]; then
    local hba
    hba=/etc/postgresql/$(tr ' ' / <<<"$cluster")/pg_hba.conf
    say "letting user postgres in without a password from 127.0.0.1 and ::1 ($hba)"
    as_root sed -i '1i # scripts/test.sh: the test suite connects as postgres without a password.\nhost all postgres 127.0.0.1/32 trust\nhost all postgres ::1/128 trust' "$hba"
    # shellcheck disable=SC2086
    as_root pg_ctlcluster --skip-systemctl-redirect $cluster reload
    wait_for "passwordless login as postgres" psql_postgres -c 'SELECT 1' -o /dev/null
  else
    fail "PostgreSQL on 127.0.0.1:$PG_PORT refuses user postgres without a password. Allow it" \
      "for 127.0.0.1 in pg_hba.conf (trust), or point INSIGHTS_TEST_DATABASE_URL at a server" \
      "that accepts it."
  fi
}

create_test_database() {
  [ "$INSIGHTS_TEST_DATABASE_URL" = "postgres://postgres@127.0.0.1:$PG_PORT/test" ] || return 0
  if [ -z "$(psql_postgres -Atc "SELECT 1 FROM pg_database WHERE datname = 'test'")" ]; then
    say "creating database test"
    psql_postgres -c 'CREATE DATABASE test'
  fi
}

start_redis() {
  redis_answers && return 0
  say "starting Redis on 127.0.0.1:$REDIS_PORT"
  mkdir -p "$SERVICES_DIR"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    --dir "$SERVICES_DIR" --logfile "$SERVICES_DIR/redis-$REDIS_PORT.log" \
    --pidfile "$SERVICES_DIR/redis-$REDIS_PORT.pid"
  wait_for "Redis on 127.0.0.1:$REDIS_PORT" redis_answers
}

install_missing_packages
start_postgres
allow_the_test_user
create_test_database
start_redis
say "PostgreSQL on 127.0.0.1:$PG_PORT and Redis on 127.0.0.1:$REDIS_PORT are ready"

[ "${INSIGHTS_TEST_SETUP_ONLY:-0}" = 1 ] && exit 0
exec cargo test --workspace "$@"
