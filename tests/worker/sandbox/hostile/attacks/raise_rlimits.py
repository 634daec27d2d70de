"""Raise the limits the sandbox set (files, file size, CPU, core dumps, processes) and
use more descriptors than allowed: hard limits cannot be raised, and are explicit."""
# /// hostile
# status = "ok"
# prints = ["rlimits: 5/5 held", "descriptors: capped at the sandbox's limit"]
# ///

import json
import os
import resource

with open("/submission/targets.json") as targets:
    expected = json.load(targets)["open_files"]

held = 0
for name in ("RLIMIT_NOFILE", "RLIMIT_FSIZE", "RLIMIT_CPU", "RLIMIT_CORE", "RLIMIT_MEMLOCK"):
    which = getattr(resource, name)
    soft, hard = resource.getrlimit(which)
    if hard == resource.RLIM_INFINITY:
        print(f"ESCAPED: {name} has no hard limit")
        continue
    try:
        resource.setrlimit(which, (hard + 1, hard + 1))
        print(f"ESCAPED: {name} raised past {hard}")
    except (ValueError, OSError):
        held += 1
print(f"rlimits: {held}/5 held")
opened = []
try:
    while len(opened) < 1_000_000:
        opened.append(os.open("/dev/null", os.O_RDONLY))
except OSError:
    pass
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
# The sandbox's own limit, explicit: a worker's inherited one may be a million.
if hard != expected:
    print(f"ESCAPED: descriptor limit {hard}, not the sandbox's {expected}")
elif len(opened) >= hard:
    print(f"ESCAPED: {len(opened)} fds")
else:
    print(f"descriptors: capped at the sandbox's limit ({hard})")
