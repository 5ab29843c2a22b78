#!/usr/bin/env bash
# Hostile probes: one user, or an anonymous client, trying to hurt the service. Runs the
# RELEASE server with default settings on a PostgreSQL database of its own, sends each probe,
# and records the status codes and the server's peak resident memory (VmHWM, reset before each
# probe through /proc/<pid>/clear_refs). Traffic to 127.0.0.1 only; every loop is bounded; the
# script stops by itself and drops its database.
#
#   scripts/reliability/hostile.sh             # all probes; a Markdown table on stdout
#   PG=postgres://postgres@127.0.0.1:5432 OUT=/tmp/hostile scripts/reliability/hostile.sh
#
# Needs: cargo, psql, python3, and root or the server's owner (for clear_refs).
set -euo pipefail
cd "$(dirname "$0")/../.."

PG=${PG:-postgres://postgres@127.0.0.1:5432}
DB=insights_hostile_$$
PORT=${PORT:-19$((RANDOM % 900 + 100))}
SECRET=hostile-secret-hostile-secret-0123456789
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
OUT=${OUT:-$CARGO_TARGET_DIR/hostile}
mkdir -p "$OUT"

cargo build --release -p insights-server --bin insights
BIN=$CARGO_TARGET_DIR/release/insights
echo "run at $(date -u +%FT%TZ) on $(git rev-parse --short HEAD); $(uptime)"

psql "$PG/postgres" -qc "CREATE DATABASE $DB"
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB" || true
}
trap cleanup EXIT

export DATABASE_URL="$PG/$DB" INSIGHTS_JWT_SECRET="$SECRET"
"$BIN" migrate >/dev/null
RUST_LOG=warn "$BIN" serve --bind "127.0.0.1:$PORT" >"$OUT/server.out" 2>"$OUT/server.log" &
SERVER_PID=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break
  sleep 0.1
done

BIN="$BIN" PORT="$PORT" PID="$SERVER_PID" PGURL="$PG/$DB" OUT="$OUT" SECRET="$SECRET" python3 - <<'PY'
import base64, gzip, hashlib, hmac, http.client, json, os, subprocess, threading, time
from collections import Counter

PORT, PID, PGURL, BIN, OUT = int(os.environ["PORT"]), os.environ["PID"], os.environ["PGURL"], os.environ["BIN"], os.environ["OUT"]
EVO = "/api/analytics/behavioral-insights/patterns/evolution"
REC = "/api/analytics/behavioral-insights/recommendations"
EFF = "/api/personalization/effectiveness"
results = []

def token(user):
    return subprocess.run([BIN, "token", "--user", user], capture_output=True, text=True, check=True).stdout.strip()

def psql(sql):
    subprocess.run(["psql", PGURL, "-qc", sql], check=True, capture_output=True)

def request(method, path, tok=None, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
    h = dict(headers or {})
    if tok:
        h["Authorization"] = "Bearer " + tok
    conn.request(method, path, body=body, headers=h)
    res = conn.getresponse()
    size = 0
    while True:  # read in pieces: the client's memory is not what is measured
        chunk = res.read(1 << 16)
        if not chunk:
            break
        size += len(chunk)
    conn.close()
    return res.status, size, dict(res.getheaders())

def hwm_mib():
    for line in open(f"/proc/{PID}/status"):
        if line.startswith("VmHWM"):
            return int(line.split()[1]) / 1024
    return -1

def reset_hwm():
    with open(f"/proc/{PID}/clear_refs", "w") as f:
        f.write("5")

def concurrently(jobs):
    out = [None] * len(jobs)
    def run(i, job):
        try:
            out[i] = job()
        except Exception as e:  # a dropped connection is a finding, not a crash of the probe
            out[i] = (f"error: {type(e).__name__}", 0, {})
    threads = [threading.Thread(target=run, args=(i, j)) for i, j in enumerate(jobs)]
    for t in threads: t.start()
    for t in threads: t.join()
    return out

def probe(name, fn):
    reset_hwm()
    started = time.time()
    statuses, note = fn()
    results.append({"probe": name, "statuses": dict(Counter(str(s) for s in statuses)),
                    "peak_rss_mib": round(hwm_mib(), 1), "seconds": round(time.time() - started, 1), "note": note})
    print(json.dumps(results[-1]), flush=True)

# 1. Evolution over huge evidence, written straight to the database as another application
#    could: 25 patterns x 250 kB of evidence, 2025-01-01 .. 2030-01-01 (each in every week).
psql("""INSERT INTO users (id, "updatedAt") VALUES ('big', now());
INSERT INTO behavioral_patterns (id, "userId", "patternType", "patternData", confidence, evidence,
  "occurrenceCount", "detectedAt", "lastSeenAt")
SELECT 'big-' || i, 'big', 'ATTENTION_CYCLE', '{}', 0.5,
  ARRAY(SELECT md5(i::text || j::text) || repeat('e', 9968) FROM generate_series(1, 25) j),
  1, '2025-01-01', '2030-01-01' FROM generate_series(1, 25) i""")
big = token("big")
def evolution_sequential():
    out = [request("GET", f"{EVO}?weeks={w}", big) for w in (52, 51, 50, 49)]
    return [s for s, _, _ in out], f"answer {out[0][1] / 1e6:.0f} MB, content-length {out[0][2].get('content-length')}"
probe("evolution weeks 52/51/50/49 over 25 x 250 kB patterns (sequential)", evolution_sequential)
def evolution_concurrent():
    out = concurrently([lambda w=w: request("GET", f"{EVO}?weeks={w}", big) for w in range(52, 44, -1)])
    return [s for s, _, _ in out], f"{sum(b for _, b, _ in out) / 1e6:.0f} MB sent"
probe("8 concurrent evolution GETs (weeks 52..45) over the same data", evolution_concurrent)

# 2. A 4,000-character insight title (written straight to the database).
psql("""INSERT INTO users (id, "updatedAt") VALUES ('titled', now());
INSERT INTO behavioral_insights (id, "userId", "insightType", title, description, "actionableRecommendation", confidence)
VALUES ('long-title', 'titled', 'STUDY_TIME_OPTIMIZATION', (SELECT string_agg(md5(g::text), '') FROM generate_series(1, 125) g),
  'd', 'a', 0.9)""")
titled = token("titled")
probe("recommendations of a user with a 4,000-character insight title (3 GETs)",
      lambda: ([request("GET", REC, titled)[0] for _ in range(3)], ""))

# 3. /metrics with made-up methods and paths.
def metrics_series():
    conn = http.client.HTTPConnection("127.0.0.1", PORT)
    conn.request("GET", "/metrics"); text = conn.getresponse().read().decode()
    return sum(1 for l in text.splitlines() if not l.startswith("#")), len(text)
def metrics_probe():
    request("GET", "/warm"); request("M0", "/warm"); metrics_series()
    before = metrics_series()
    statuses = [request(f"M{i}", f"/made-up/{i}")[0] for i in range(1, 1001)]
    after = metrics_series()
    return statuses, f"series {before[0]} -> {after[0]}, /metrics {before[1]} -> {after[1]} bytes"
probe("1,000 made-up methods and paths, then /metrics", metrics_probe)

# 4. Compressed request bodies that inflate to 250 MB each, 200 at once.
bomb = gzip.compress(b" " * (250 * 1024 * 1024), 9)
inflater = token("inflater")
probe(f"200 concurrent gzip bodies of {len(bomb) // 1024} kB inflating to 250 MB",
      lambda: ([s for s, _, _ in concurrently([lambda: request("POST", "/api/analytics/behavioral-insights/patterns", inflater, bomb,
               {"Content-Type": "application/json", "Content-Encoding": "gzip"}) for _ in range(200)])], ""))

# 5. Concurrent AUTO applies of different recommendations (profile updates kept).
psql("""INSERT INTO users (id, "updatedAt") VALUES ('applier', now());
INSERT INTO user_learning_profiles (id, "userId", "preferredStudyTimes", "averageSessionDuration", "optimalSessionDuration",
  "contentPreferences", "learningStyleProfile", "personalizedForgettingCurve", "lastAnalyzedAt", "dataQualityScore")
VALUES ('p-applier', 'applier', '[]', 40, 45, '{}', '{}', '{}', now(), 0.5);
INSERT INTO recommendations (id, "userId", "recommendationType", title, description, "actionableText", confidence,
  "estimatedImpact", "easeOfImplementation", "userReadiness", "priorityScore", "sourcePatternIds", "sourceInsightIds")
SELECT 'r' || h, 'applier', 'STUDY_TIME_OPTIMIZATION', 'Study during your peak hours (' || h || ':00-' || (h + 1) || ':00)',
  'd', 'a', 0.8, 0.5, 0.5, 0.5, 0.5, '{}', '{}' FROM generate_series(0, 19) h""")
applier = token("applier")
def applies():
    out = concurrently([lambda h=h: request("POST", f"{REC}/r{h}/apply", applier, json.dumps({"applicationType": "AUTO"}),
                        {"Content-Type": "application/json"}) for h in range(20)])
    kept = subprocess.run(["psql", PGURL, "-tAc", """SELECT jsonb_array_length("preferredStudyTimes") FROM user_learning_profiles WHERE "userId" = 'applier'"""],
                          capture_output=True, text=True).stdout.strip()
    return [s for s, _, _ in out], f"{kept} of 20 study times kept"
probe("20 concurrent AUTO applies of different recommendations", applies)

# 6. One user floods the cache with distinct effectiveness windows; others' entries survive.
users = [f"cached{i}" for i in range(100)]
tokens = {u: token(u) for u in users}
for u in users:
    request("GET", EVO, tokens[u])
def cache_hits():
    conn = http.client.HTTPConnection("127.0.0.1", PORT)
    conn.request("GET", "/metrics"); text = conn.getresponse().read().decode()
    return int(next(l.split()[1] for l in text.splitlines() if l.startswith("insights_cache_hits_total")))
flooder = token("flooder")
def flood():
    statuses = [request("GET", f"{EFF}?startDate=2025-01-01T00:00:00.000Z&endDate=2025-06-01T00:00:{i // 1000:02d}.{i % 1000:03d}Z", flooder)[0]
                for i in range(10_000)]
    before = cache_hits()
    for u in users:
        request("GET", EVO, tokens[u])
    return statuses, f"other users' entries still cached: {cache_hits() - before} of 100"
probe("10,000 effectiveness GETs with distinct windows by one user", flood)

# 7. Many distinct tokens, each 4 kB (an issuer minting one per request, with padding claims),
#    then 2,000 forged ones: the memo of verified tokens stays within its bound (10,000
#    tokens, 8 MiB; 12,000 x 4 kB would be 48 MB), forged tokens are refused and not kept.
def b64url(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
def mint(claims, key=os.environ["SECRET"].encode()):
    signed = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + b64url(json.dumps(claims).encode())
    return signed + "." + b64url(hmac.new(key, signed.encode(), hashlib.sha256).digest())
def many_tokens():
    exp = int(time.time()) + 3600
    pad = "p" * 3000
    valid = [request("GET", EFF, mint({"sub": "tokens", "exp": exp, "n": i, "pad": pad}))[0] for i in range(12_000)]
    forged = [request("GET", EFF, mint({"sub": "tokens", "exp": exp, "n": i, "pad": pad}, b"not the secret"))[0] for i in range(2_000)]
    return valid + forged, f"token length {len(mint({'sub': 'tokens', 'exp': exp, 'n': 11999, 'pad': pad}))} bytes"
probe("12,000 distinct valid 4 kB tokens of one user, then 2,000 forged", many_tokens)

# 8. Clients that stop reading: 2,000 connections each ask for a streamed evolution answer of
#    the user of probe 1 (about 75 MB) and never read. The send timeout (30 s by default)
#    must close them and free their buffers; meanwhile other clients are served.
import socket
def open_fds():
    return len(os.listdir(f"/proc/{PID}/fd"))

def healthz_until_released(base, limit):
    """Asks /healthz once a second until the server's open files are back to `base` (give or
    take two), or `limit` seconds; returns the statuses, the connections held at the start,
    the seconds waited and the connections left."""
    started, statuses, held = time.time(), [], open_fds() - base
    while open_fds() > base + 2 and time.time() - started < limit:
        statuses.append(request("GET", "/healthz")[0])
        time.sleep(1)
    return statuses, held, time.time() - started, open_fds() - base

def stalled_readers(gzip):
    def run():
        base = open_fds()
        extra = "Accept-Encoding: gzip\r\n" if gzip else ""
        ask = f"GET {EVO}?weeks=12 HTTP/1.1\r\nHost: x\r\n{extra}Authorization: Bearer {big}\r\n\r\n".encode()
        clients = []
        for _ in range(2000):
            c = socket.socket()
            c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            c.connect(("127.0.0.1", PORT))
            c.sendall(ask)
            clients.append(c)
        statuses, held, waited, left = healthz_until_released(base, 120)
        for c in clients:
            c.close()
        return statuses, (f"{held} connections held; all released {waited:.0f} s after the last request" if left <= 2
                          else f"{left} connections still held after {waited:.0f} s")
    return run
probe("2,000 clients that stop reading a streamed answer (identity), /healthz meanwhile", stalled_readers(False))
probe("2,000 clients that stop reading a streamed answer (gzip), /healthz meanwhile", stalled_readers(True))

# 9. Clients that send slowly: 200 connections each announce a 1,000-byte ingestion body (or a
#    chunked one) and send it a byte a second. Each must be answered 408 once the body timeout
#    (10 s by default) passes, and its connection closed.
import select
def slow_bodies(framing, drip):
    def run():
        head = (f"POST /api/analytics/behavioral-insights/patterns HTTP/1.1\r\nHost: x\r\n"
                f"Authorization: Bearer {big}\r\nContent-Type: application/json\r\n{framing}\r\n\r\n").encode()
        pending, received, statuses, started = [], {}, [], time.time()
        for _ in range(200):
            c = socket.create_connection(("127.0.0.1", PORT))
            c.sendall(head + drip)
            pending.append(c)
            received[c] = b""
        while pending and time.time() - started < 60:
            readable, _, _ = select.select(pending, [], [], 1.0)
            for c in readable:
                try:
                    data = c.recv(4096)
                except OSError:
                    data = b""
                received[c] += data
                if not data:  # closed by the server: its answer is what came before
                    answer = received[c]
                    statuses.append(answer.split(b" ")[1].decode() if answer.startswith(b"HTTP/1.1 ") else "closed unanswered")
                    pending.remove(c)
                    c.close()
            for c in pending:
                if not received[c]:
                    try:
                        c.sendall(drip)
                    except OSError:
                        pass
        for c in pending:
            answer = received[c]
            statuses.append((answer.split(b" ")[1].decode() + " but kept open") if answer.startswith(b"HTTP/1.1 ") else "no answer")
            c.close()
        return statuses, f"last connection closed {time.time() - started:.1f} s after the first request"
    return run
probe("200 clients sending a 1,000-byte body a byte a second", slow_bodies("Content-Length: 1000", b" "))
probe("200 clients sending a chunked body a 1-byte chunk a second", slow_bodies("Transfer-Encoding: chunked", b"1\r\n \r\n"))

# 10. Clients that leave a request unfinished after their first: 1,000 connections each get one
#     /healthz answered, then send one byte of the next request head and nothing more. The reply
#     timeout (30 s by default) must close them (actix-web alone kept them indefinitely);
#     meanwhile other clients are served.
def unfinished_heads():
    base = open_fds()
    clients = []
    for _ in range(1000):
        c = socket.create_connection(("127.0.0.1", PORT))
        c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        c.recv(4096)
        c.sendall(b"G")
        clients.append(c)
    statuses, held, waited, left = healthz_until_released(base, 90)
    answered = 0
    for c in clients:
        c.setblocking(False)
        try:
            answered += bool(c.recv(4096))
        except OSError:
            pass
        c.close()
    return statuses, (f"{held} connections held; all closed {waited:.0f} s after the last byte, {answered} answered"
                      if left <= 2 else f"{left} connections still held after {waited:.0f} s")
probe("1,000 clients that leave their second request head unfinished, /healthz meanwhile", unfinished_heads)

# 11. A flood of readiness probes.
probe("500 concurrent /readyz", lambda: ([s for s, _, _ in concurrently([lambda: request("GET", "/readyz") for _ in range(500)])], ""))

json.dump(results, open(os.path.join(OUT, "hostile-report.json"), "w"), indent=1)
print("\n| probe | statuses | peak RSS (MiB) | s | note |\n|---|---|---|---|---|")
for r in results:
    print(f"| {r['probe']} | {', '.join(f'{k}: {v}' for k, v in sorted(r['statuses'].items()))} | {r['peak_rss_mib']} | {r['seconds']} | {r['note']} |")
PY

# 12. Demo mode: with a configured secret the start-up text holds no token.
if grep -q "eyJ" "$OUT/server.out"; then echo "| start-up text with a configured secret | printed a token |"; else echo "| start-up text with a configured secret | no token, no demo data |"; fi
