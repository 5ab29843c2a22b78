#!/usr/bin/env python3
"""Clients that reset their connection mid-request, on the embedded SQLite database.

Starts `insights serve` in demo mode (embedded SQLite, demo data) from the given binary, sends
12,000 effectiveness requests with distinct windows (each a cache miss, so a statement runs)
from 8 threads, resetting each connection (SO_LINGER 0) right after the request or 0.5 ms
later, then counts the panics in the server's log and checks that it still answers.

    cargo build --release -p insights-server
    python3 scripts/reliability/resets-sqlite.py target/release/insights

Before the fix in apps/server/src/middleware.rs (`deadline`), 74-92 of the 12,000 requests
made diesel-async's SQLite wrapper panic (`block_in_place` on a current-thread runtime).
"""
import os, re, socket, struct, subprocess, sys, tempfile, threading, time, urllib.request

binary = sys.argv[1]
port = int(os.environ.get("PORT", "18600"))
work = tempfile.mkdtemp(prefix="insights-resets-")
log_path = os.path.join(work, "server.log")
with open(log_path, "w") as log:
    server = subprocess.Popen([binary, "serve", "--bind", f"127.0.0.1:{port}", "--data-dir", work],
                              stdout=subprocess.PIPE, stderr=log, text=True, env={**os.environ, "RUST_LOG": "warn"})
try:
    token = None
    for line in server.stdout:
        found = re.search(r"Bearer ([A-Za-z0-9._-]+)", line)
        if found:
            token = found.group(1)
            break
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.1)

    def client(n):
        for i in range(n):
            s = socket.create_connection(("127.0.0.1", port))
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            path = (f"/api/personalization/effectiveness?startDate=2025-01-{1 + i % 28:02d}"
                    f"&endDate=2026-{1 + i % 12:02d}-{1 + (i * 7) % 28:02d}")
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\r\n".encode())
            if i % 2:
                time.sleep(0.0005)
            s.close()

    threads = [threading.Thread(target=client, args=(1500,)) for _ in range(8)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    time.sleep(1)  # let the last statements finish and their log lines land
    req = urllib.request.Request(f"http://127.0.0.1:{port}/api/personalization/effectiveness",
                                 headers={"Authorization": f"Bearer {token}"})
    status = urllib.request.urlopen(req, timeout=5).status
    panics = open(log_path).read().count("panicked")
    print(f"12,000 reset requests: {panics} panics in the server's log; afterwards effectiveness {status}")
finally:
    server.terminate()
    server.wait()
