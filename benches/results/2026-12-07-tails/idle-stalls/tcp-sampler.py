# Prints, with UTC timestamps, every change of the kernel's TCP RTO and receive-queue drop
# counters (/proc/net/netstat, TcpExt), sampled every 20 ms.
import time, datetime, sys
KEYS = ('TCPTimeouts', 'TCPRcvQDrop', 'PruneCalled', 'TCPLostRetransmit', 'TCPSpuriousRTOs')
def read():
    lines = open('/proc/net/netstat').read().split('\n')
    for i in range(0, len(lines) - 1, 2):
        if lines[i].startswith('TcpExt:'):
            names, vals = lines[i].split()[1:], lines[i + 1].split()[1:]
            d = dict(zip(names, map(int, vals)))
            return {k: d.get(k, 0) for k in KEYS}
end = time.time() + float(sys.argv[1])
prev = read()
while time.time() < end:
    time.sleep(0.02)
    cur = read()
    diff = {k: cur[k] - prev[k] for k in KEYS if cur[k] != prev[k]}
    if diff:
        print(datetime.datetime.utcnow().strftime('%H:%M:%S.%f')[:-3], diff, flush=True)
    prev = cur
