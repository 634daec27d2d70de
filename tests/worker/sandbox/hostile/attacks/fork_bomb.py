"""A fork bomb: every process forks forever, ignoring failures."""
# /// hostile
# status = ["time_limit", "crashed"]
# prints = ["forking"]
# pipeline = "failed"
# [limits]
# wall_seconds = 3
# processes = 16
# ///

import contextlib
import os

print("forking", flush=True)
while True:
    with contextlib.suppress(OSError):
        os.fork()
