"""Ignore and block every signal it can, in itself and a child, and keep running."""
# /// hostile
# status = "time_limit"
# prints = ["deaf to signals"]
# [limits]
# wall_seconds = 2
# ///

import contextlib
import os
import signal
import time

for number in range(1, signal.NSIG):
    with contextlib.suppress(OSError, ValueError, RuntimeError):
        signal.signal(number, signal.SIG_IGN)
signal.pthread_sigmask(signal.SIG_BLOCK, set(range(1, signal.NSIG)) - {9, 19})
os.fork()
print("deaf to signals", flush=True)
while True:
    time.sleep(0.01)
