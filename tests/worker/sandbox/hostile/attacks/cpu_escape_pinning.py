"""Move itself off the cores it was granted: ask for each other core, then for all of
them, and record every core it actually ran on (sched_getcpu after each move and while
spinning). An affinity set before exec can be changed back; a cpuset cannot."""
# /// hostile
# status = "ok"
# prints = ["cores: every move off the grant refused or narrowed", "cores: ran on granted cores only"]
# cores = 1
# ///

import ctypes
import json
import os
import time

with open("/submission/targets.json") as targets:
    granted = set(json.load(targets)["cores"])
sched_getcpu = ctypes.CDLL(None, use_errno=True).sched_getcpu
# Every core the machine may have (the sandbox need not see /sys to count them).
candidates = set(range(max(os.cpu_count() or 1, *granted) + 1)) | set(range(64))
seen = {sched_getcpu()}
held = tried = 0
for core in sorted(candidates - granted):
    tried += 1
    try:
        os.sched_setaffinity(0, {core})
    except OSError:  # EINVAL: none of the asked cores is allowed
        held += 1
        continue
    seen.add(sched_getcpu())  # the kernel has moved us before the call returned
    if os.sched_getaffinity(0) <= granted:
        held += 1
    else:
        print(f"ESCAPED: affinity {sorted(os.sched_getaffinity(0))} outside {sorted(granted)}")
os.sched_setaffinity(0, candidates)
tried += 1
held += os.sched_getaffinity(0) <= granted
deadline = time.monotonic() + 1.0
while time.monotonic() < deadline:  # spinning: the scheduler may move us anywhere allowed
    seen.add(sched_getcpu())
    os.sched_yield()
if held == tried:
    print("cores: every move off the grant refused or narrowed")
else:
    print(f"ESCAPED: {tried - held} of {tried} moves off the grant took effect")
if seen <= granted:
    print(f"cores: ran on granted cores only {sorted(seen)}")
else:
    print(f"ESCAPED: ran on cores {sorted(seen)}, granted {sorted(granted)}")
