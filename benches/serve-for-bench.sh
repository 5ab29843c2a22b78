# Sourced by the benchmark scripts (not run on its own): starts `insights serve` from "$bin"
# on 127.0.0.1:"$port" against "$url", with a random JWT secret in "$secret", the cache TTL
# "$cache_ttl", and its log in "$log"; sets "$server" to its pid and returns once /healthz
# answers (or prints the log and exits if the server died). The caller stops it on exit
# (`stop_server`). The server's other INSIGHTS_* settings pass through from the environment.
start_server() {
  secret=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
  DATABASE_URL=$url INSIGHTS_BIND=127.0.0.1:$port INSIGHTS_JWT_SECRET=$secret \
    INSIGHTS_CACHE_TTL_SECS=$cache_ttl INSIGHTS_SHUTDOWN_TIMEOUT_SECS=1 RUST_LOG=warn \
    "$bin/insights" serve >"$log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$server" 2>/dev/null || { cat "$log"; exit 1; }
    sleep 0.2
  done
  echo "the server did not answer /healthz in 20 s" >&2
  exit 1
}

stop_server() {
  kill "$server" 2>/dev/null
  wait "$server" 2>/dev/null || true
}
