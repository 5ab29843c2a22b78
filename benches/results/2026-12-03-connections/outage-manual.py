import os, threading, time, http.client, subprocess, collections
PORT, PID, TOK = int(os.environ["PORT"]), os.environ["PID"], os.environ["TOK"]
PATH = os.environ.get("SPATH", "/api/analytics/behavioral-insights/recommendations?limit=5")
log = []; stop = False; t0 = time.time()
def worker():
    while not stop:
        t = time.time()
        try:
            c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
            c.request("GET", PATH, headers={"Authorization": "Bearer " + TOK}); r = c.getresponse(); r.read(); s = r.status; c.close()
        except Exception as e: s = type(e).__name__
        log.append((t - t0, s, (time.time() - t) * 1000))
def rss():
    for l in open(f"/proc/{PID}/status"):
        if l.startswith("VmHWM"): return int(l.split()[1]) // 1024
ths = [threading.Thread(target=worker) for _ in range(8)]
for th in ths: th.start()
events = [(3, "pg stop", "pg_ctlcluster --skip-systemctl-redirect 15 main stop -m immediate"),
          (9, "pg start", "pg_ctlcluster --skip-systemctl-redirect 15 main start"),
          (15, "redis stop", "redis-cli shutdown nosave"),
          (21, "redis start", 'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log')]
for at, name, cmd in events:
    while time.time() - t0 < at: time.sleep(0.05)
    subprocess.run(cmd, shell=True, capture_output=True); print(f"{time.time()-t0:5.1f}s {name}", flush=True)
while time.time() - t0 < 27: time.sleep(0.1)
stop = True
for th in ths: th.join()
by = collections.defaultdict(lambda: collections.Counter()); lat = collections.defaultdict(float)
for t, s, ms in log: by[int(t)][s] += 1; lat[int(t)] = max(lat[int(t)], ms)
for sec in sorted(by): print(f"{sec:3d}s {dict(by[sec])} max {lat[sec]:.0f} ms")
ok_after = [t for t, s, _ in log if s == 200 and t > 9]
print("first 200 after pg start at", f"{min(ok_after):.2f}s" if ok_after else "none", "| peak RSS", rss(), "MiB")
