"""Signal other processes: everyone (kill -1), the host's victim and worker by their
host pids, every pid up to 32768, and last the sandbox's own init."""
# /// hostile
# status = "ok"
# prints = ["signals: no host process reached"]
# [docker]
# status = "crashed"
# why = "the engine's init (pid 1, the program's own user) forwards SIGTERM to the program"
# ///

import contextlib
import json
import os
import pathlib
import signal
import time

targets = json.loads(pathlib.Path("/submission/targets.json").read_text())
with contextlib.suppress(OSError):
    os.kill(-1, signal.SIGKILL)  # everything we may signal, except ourselves
reached = []
for pid in [targets["victim_pid"], targets["worker_pid"], *range(2, 32768)]:
    if pid == os.getpid():
        continue
    try:
        os.kill(pid, signal.SIGTERM)
        os.kill(pid, signal.SIGKILL)
        reached.append(pid)
    except OSError:
        pass
visible = {int(p) for p in os.listdir("/proc") if p.isdigit()}
host = [pid for pid in reached if pid not in visible]
print(f"ESCAPED signalled host pids {host}" if host else "signals: no host process reached")
for signal_number in (signal.SIGTERM, signal.SIGKILL):  # our init: at most our own end
    with contextlib.suppress(OSError):
        os.kill(1, signal_number)
time.sleep(1)  # for what our init does about it to happen while we run
