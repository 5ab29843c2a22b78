# Prints, with UTC timestamps, every 20 ms in which file pages evicted earlier were read back
# (workingset_refault_file) or major page faults happened (/proc/vmstat).
import time, datetime, sys
KEYS = ('workingset_refault_file', 'pgmajfault', 'pgpgin')
def read():
    d = {}
    for line in open('/proc/vmstat'):
        k, v = line.split()
        if k in KEYS:
            d[k] = int(v)
    return d
end = time.time() + float(sys.argv[1])
prev = read()
total = dict.fromkeys(KEYS, 0)
while time.time() < end:
    time.sleep(0.02)
    cur = read()
    diff = {k: cur[k] - prev[k] for k in KEYS if cur[k] != prev[k]}
    for k, v in diff.items():
        total[k] += v
    if diff:
        print(datetime.datetime.utcnow().strftime('%H:%M:%S.%f')[:-3], diff, flush=True)
    prev = cur
print('total', total, flush=True)
