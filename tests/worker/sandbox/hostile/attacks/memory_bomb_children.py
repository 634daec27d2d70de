"""A memory bomb spread over processes, each under the limit, together over it."""
# /// hostile
# status = "memory_limit"
# prints = ["children allocating"]
# [limits]
# memory_bytes = 134217728
# processes = 16
# ///

import os
import time

print("children allocating", flush=True)
for _ in range(6):
    if os.fork() == 0:
        hold = [b"x" * (1024 * 1024) for _ in range(40)]
        time.sleep(30)
        os._exit(0)
_, status = os.wait()  # the first child to end: one the OOM killer took
raise SystemExit(f"a child ended: {status}")
