"""A daemon that outlives the run: double fork, new session, a new name, its
inherited descriptors closed, every catchable signal ignored, still writing."""
# /// hostile
# status = "ok"
# prints = ["parent leaves"]
# pipeline = "failed"
# ///

import contextlib
import ctypes
import os
import signal
import time

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        for number in range(1, signal.NSIG):
            with contextlib.suppress(OSError, ValueError, RuntimeError):
                signal.signal(number, signal.SIG_IGN)
        ctypes.CDLL(None).prctl(15, b"kworker/0:1", 0, 0, 0)  # PR_SET_NAME: look like the kernel
        os.closerange(0, 3)
        while True:
            with open("/output/daemon-heartbeat", "a") as beat:
                beat.write(".")
            time.sleep(0.05)
    os._exit(0)
time.sleep(0.5)
print("parent leaves")
