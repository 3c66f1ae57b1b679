#!/usr/bin/python3
"""measure.py RUNS MARKER LABEL CMD [LABEL CMD ...]
Runs each shell command RUNS times (interleaved), requires MARKER in its
output, and prints median wall and CPU (user+sys of the child) seconds per
label, then each label's ratio to the last label (the peer)."""
import os, resource, statistics, subprocess, sys, time

runs, marker, rest = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
pairs = list(zip(rest[0::2], rest[1::2]))
res = {label: ([], []) for label, _ in pairs}
for _ in range(runs):
    for label, cmd in pairs:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.monotonic()
        p = subprocess.run(cmd, shell=True, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=1800)
        wall = time.monotonic() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if marker.encode() not in p.stdout:
            print(f"{label}: FAILED (exit {p.returncode}, no marker)")
            print(p.stdout.decode(errors='replace')[-2000:])
            sys.exit(1)
        res[label][0].append(wall)
        res[label][1].append(cpu)
peer = pairs[-1][0]
pw, pc = statistics.median(res[peer][0]), statistics.median(res[peer][1])
for label, _ in pairs:
    w, c = statistics.median(res[label][0]), statistics.median(res[label][1])
    print(f"{label:36s} wall {w:7.2f} s  cpu {c:7.2f} s   wall ratio {w / pw:5.2f}x  cpu ratio {c / pc:5.2f}x  ({runs} runs)")
