"""Samples the CPU time the hypervisor stole (/proc/stat, column 8 of each cpu line, in ticks of
10 ms) every 0.1 s and writes one line per sample that had any: the Unix time, then the ticks
of the whole machine (cpu=) and of each vCPU stolen during the 0.1 s before it.
Usage: python3 steal-sampler.py <out-file>   (runs until killed)"""
import sys
import time


def steal_ticks():
    ticks = {}
    with open('/proc/stat') as stat:
        for line in stat:
            if not line.startswith('cpu'):
                break
            fields = line.split()
            ticks[fields[0]] = int(fields[8])
    return ticks


out = open(sys.argv[1], 'w')
previous = steal_ticks()
while True:
    time.sleep(0.1)
    current = steal_ticks()
    stolen = {cpu: current[cpu] - previous[cpu] for cpu in current}
    previous = current
    if any(stolen.values()):
        out.write('%.1f %s\n' % (time.time(), ' '.join(f'{cpu}={n}' for cpu, n in stolen.items() if n)))
        out.flush()
