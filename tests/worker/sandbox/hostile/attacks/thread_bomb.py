"""A thread bomb: threads count as processes (pids.max, RLIMIT_NPROC)."""
# /// hostile
# status = ["ok", "time_limit", "crashed"]
# prints = ["threads: capped"]
# [limits]
# wall_seconds = 5
# processes = 16
# ///

import threading
import time

started = 0
try:
    for _ in range(10_000):
        threading.Thread(target=time.sleep, args=(30,), daemon=True).start()
        started += 1
except RuntimeError:
    pass
print("threads: capped" if started < 64 else f"ESCAPED {started} threads", flush=True)
