# Samples per-CPU steal ticks from /proc/stat every 10 ms; prints bursts (>= 3 ticks = 30 ms
# stolen from one vCPU within 100 ms) with UTC timestamps.
import time, datetime, sys
def read():
    out = {}
    for line in open('/proc/stat'):
        if line.startswith('cpu') and line[3] != ' ':
            f = line.split()
            out[f[0]] = int(f[8])
    return out
end = time.time() + float(sys.argv[1])
hist = []  # (t, {cpu: steal})
prev = read()
window = []
while time.time() < end:
    time.sleep(0.01)
    now = time.time()
    cur = read()
    for cpu, v in cur.items():
        d = v - prev.get(cpu, v)
        if d:
            window.append((now, cpu, d))
    prev = cur
    window = [w for w in window if now - w[0] <= 0.1]
    for cpu in cur:
        s = sum(d for t, c, d in window if c == cpu)
        if s >= 3:
            print(datetime.datetime.utcfromtimestamp(now).strftime('%H:%M:%S.%f')[:-3], cpu, 'stolen_ms_in_100ms', s * 10, flush=True)
            window = [w for w in window if w[1] != cpu]
