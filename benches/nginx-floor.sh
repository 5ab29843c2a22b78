#!/usr/bin/env bash
# The machine's floor for serving a cached answer: nginx serving the same bytes as static files,
# measured in one run beside `insights serve` with the same wrk method (one thread, 16
# connections), alternated round by round. Reports ours / nginx for a large answer (a user's
# 12-week evolution) and a small one (the same user's recommendations).
#
# Usage: benches/nginx-floor.sh <database-url> <results-dir>
# Needs: the release binaries (BIN_DIR, default target/release of this checkout), wrk and nginx
#        (Debian: apt-get install -y wrk nginx-light).
# Env:   USER_ID (default user-00001), ROUNDS (default 3), SECONDS_PER_RUN (default 20),
#        PORT (ours, default 18090), NGINX_PORT (default 18091). The server's INSIGHTS_* settings
#        pass through (e.g. INSIGHTS_WORKERS).
set -euo pipefail
url=${1:?database url} out=${2:?results directory}
here=$(cd "$(dirname "$0")" && pwd)
bin_dir=${BIN_DIR:-$here/../target/release}
user=${USER_ID:-user-00001}
rounds=${ROUNDS:-3}
secs=${SECONDS_PER_RUN:-20}
port=${PORT:-18090}
nginx_port=${NGINX_PORT:-18091}
for tool in wrk nginx curl; do
  command -v "$tool" >/dev/null || { echo "nginx-floor: $tool is not installed" >&2; exit 1; }
done
mkdir -p "$out"
work=$(mktemp -d /tmp/nginx-floor.XXXXXX)
chmod 755 "$work"
. "$here/serve-for-bench.sh"
bin=$bin_dir cache_ttl=3600 log=$work/serve.log
cleanup() {
  stop_server
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
}
trap cleanup EXIT
start_server

token=$("$bin_dir/insights" token --user "$user" --ttl 2h --jwt-secret "$secret")
auth="Authorization: Bearer $token"
declare -A path=(
  [large]="/api/analytics/behavioral-insights/patterns/evolution?weeks=12"
  [small]="/api/analytics/behavioral-insights/recommendations?limit=5"
)
mkdir -p "$work/www"
chmod 755 "$work/www"
for size in large small; do
  # The second fetch is a cache hit: what the measured requests get.
  curl -fsS -H "$auth" -o /dev/null "http://127.0.0.1:$port${path[$size]}"
  curl -fsS -H "$auth" -o "$work/www/$size.json" "http://127.0.0.1:$port${path[$size]}"
  chmod 644 "$work/www/$size.json"
done

cat >"$work/nginx.conf" <<EOF
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000000;
  keepalive_timeout 120s;
  default_type application/json;
  server {
    listen 127.0.0.1:$nginx_port;
    root $work/www;
  }
}
EOF
nginx -c "$work/nginx.conf" -p "$work"
for size in large small; do
  if ! curl -fsS "http://127.0.0.1:$nginx_port/$size.json" | cmp -s - "$work/www/$size.json"; then
    echo "nginx-floor: nginx does not serve $size.json as fetched" >&2
    exit 1
  fi
done

# Jiffies of the whole machine (all CPUs): "<idle> <total>", from the first line of /proc/stat.
cpu_jiffies() { awk '$1 == "cpu" {t = 0; for (i = 2; i <= 9; i++) t += $i; print $5, t; exit}' /proc/stat; }

# wrk's summary: requests/s, the 99th percentile in milliseconds, and the share of the machine's
# CPU time left idle during the run (a server that leaves cores idle while the load driver waits
# loses to one that keeps the driver busy, at the same cost per response).
measure() { # <url> [header]
  local report idle0 total0 idle1 total1
  read -r idle0 total0 < <(cpu_jiffies)
  if [ $# -gt 1 ]; then
    report=$(wrk -t1 -c16 -d"${secs}s" --latency -H "$2" "$1")
  else
    report=$(wrk -t1 -c16 -d"${secs}s" --latency "$1")
  fi
  read -r idle1 total1 < <(cpu_jiffies)
  local rps p99 idle
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$report")
  p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub("us","",v); v/=1000} else if (v ~ /ms$/) {sub("ms","",v)} else if (v ~ /s$/) {sub("s","",v); v*=1000}; print v}' <<<"$report")
  idle=$(awk -v i="$((idle1 - idle0))" -v t="$((total1 - total0))" 'BEGIN {printf "%.0f", (t > 0 ? 100 * i / t : 0)}')
  echo "$rps $p99 $idle"
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "size bytes round server req_s p99_ms idle_pct" >"$out/nginx-floor.tsv"
for size in large small; do
  bytes=$(stat -c %s "$work/www/$size.json")
  # Warm-up of both, not recorded.
  wrk -t1 -c16 -d5s -H "$auth" "http://127.0.0.1:$port${path[$size]}" >/dev/null
  wrk -t1 -c16 -d5s "http://127.0.0.1:$nginx_port/$size.json" >/dev/null
  for round in $(seq 1 "$rounds"); do
    read -r rps p99 idle < <(measure "http://127.0.0.1:$port${path[$size]}" "$auth")
    echo "$size $bytes $round ours $rps $p99 $idle" | tee -a "$out/nginx-floor.tsv"
    read -r rps p99 idle < <(measure "http://127.0.0.1:$nginx_port/$size.json")
    echo "$size $bytes $round nginx $rps $p99 $idle" | tee -a "$out/nginx-floor.tsv"
  done
done

{
  echo "| answer | bytes | ours req/s (median) | nginx req/s (median) | ours / nginx | ours p99 ms | nginx p99 ms | idle % ours / nginx |"
  echo "|---|---|---|---|---|---|---|---|"
  for size in large small; do
    bytes=$(awk -v s="$size" '$1 == s {print $2; exit}' "$out/nginx-floor.tsv")
    ours=$(awk -v s="$size" '$1 == s && $4 == "ours" {print $5}' "$out/nginx-floor.tsv" | median)
    floor=$(awk -v s="$size" '$1 == s && $4 == "nginx" {print $5}' "$out/nginx-floor.tsv" | median)
    ours_p99=$(awk -v s="$size" '$1 == s && $4 == "ours" {print $6}' "$out/nginx-floor.tsv" | median)
    floor_p99=$(awk -v s="$size" '$1 == s && $4 == "nginx" {print $6}' "$out/nginx-floor.tsv" | median)
    ours_idle=$(awk -v s="$size" '$1 == s && $4 == "ours" {print $7}' "$out/nginx-floor.tsv" | median)
    floor_idle=$(awk -v s="$size" '$1 == s && $4 == "nginx" {print $7}' "$out/nginx-floor.tsv" | median)
    ratio=$(awk -v a="$ours" -v b="$floor" 'BEGIN {printf "%.0f %%", 100 * a / b}')
    echo "| $size | $bytes | $ours | $floor | $ratio | $ours_p99 | $floor_p99 | $ours_idle / $floor_idle |"
  done
} | tee "$out/nginx-floor.md"
