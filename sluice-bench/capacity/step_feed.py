#!/usr/bin/env python3
"""Writes numbered lines to stdout on a schedule of steps, e.g. "20:2,20:20,30:2" (seconds:rate),
and every second appends "t,due,written" to the file named by its first argument: the lines
due so far and those the reader has taken (a full pipe blocks the write: the difference is the
backlog the source could not hand over)."""
import sys, time

log = open(sys.argv[1], "w")
steps = [tuple(float(x) for x in s.split(":")) for s in sys.argv[2].split(",")]
start = time.monotonic()
due_times = []
t = 0.0
for length, rate in steps:
    n = int(length * rate)
    for i in range(n):
        due_times.append(t + i / rate)
    t += length
end = t
written = 0
next_log = 1.0
out = sys.stdout
for due in due_times:
    now = time.monotonic() - start
    while now >= next_log:
        log.write("%d,%d,%d\n" % (next_log, sum(1 for d in due_times if d <= next_log), written))
        log.flush()
        next_log += 1.0
    if due > now:
        time.sleep(due - now)
    out.write("%d\n" % (written + 1))
    out.flush()
    written += 1
while time.monotonic() - start < end:
    time.sleep(0.05)
