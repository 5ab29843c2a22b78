"""How many of the server's slow requests (>= 100 ms, from its slow-request log) overlap a
sample in which the hypervisor stole >= 5 ticks (50 ms) of CPU (steal-sampler.py's output).
Usage: python3 steal-correlation.py <slow-requests.log> <steal.txt>"""
import datetime
import re
import sys

steal_events = []
for line in open(sys.argv[2]):
    at, *counts = line.split()
    machine = sum(int(c.split('=')[1]) for c in counts if c.startswith('cpu='))
    if machine >= 5:
        steal_events.append(float(at))
slow = overlapping = 0
alone = []
for line in open(sys.argv[1]):
    if 'slow request' not in line:
        continue
    elapsed = float(re.search(r'elapsed_ms=([\d.]+)', line).group(1))
    if elapsed < 100:
        continue
    stamp = line.split()[0]
    end = datetime.datetime.fromisoformat(stamp.replace('Z', '+00:00')).timestamp()
    start = end - elapsed / 1000
    slow += 1
    # A sample covers the 0.1 s before its time stamp.
    if any(start - 0.05 <= s <= end + 0.15 for s in steal_events):
        overlapping += 1
    else:
        alone.append((stamp, elapsed))
print(f'slow requests (>= 100 ms): {slow}; overlapping a steal of >= 50 ms: {overlapping}; not: {len(alone)}')
for stamp, elapsed in alone:
    print(f'  no steal: {stamp} {elapsed} ms')
print(f'steal events (>= 5 ticks in 0.1 s): {len(steal_events)}')
