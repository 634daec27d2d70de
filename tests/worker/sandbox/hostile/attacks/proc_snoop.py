"""Snoop on processes through /proc: every visible process's command line,
environment, memory maps and open files, and the host's victim and worker by pid."""
# /// hostile
# status = "ok"
# prints = ["proc: host processes invisible"]
# ///

import json
import os
import pathlib

targets = json.loads(pathlib.Path("/submission/targets.json").read_text())
visible = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
print("visible pids", visible)
for pid in visible:
    for part in ("cmdline", "environ", "status", "maps"):
        try:
            with open(f"/proc/{pid}/{part}", "rb") as source:
                print(pid, part, source.read(300).replace(b"\0", b" "))
        except OSError:
            pass
host = []
for pid in (targets["victim_pid"], targets["worker_pid"]):
    for part in ("cmdline", "environ", "root/etc/shadow"):
        try:
            with open(f"/proc/{pid}/{part}", "rb") as source:
                data = source.read(300)
            if pid in visible:
                continue  # the same number inside the sandbox: one of ours
            host.append(pid)
            print("ESCAPED", pid, part, data)
        except OSError:
            pass
print("proc: host processes invisible" if not host else f"ESCAPED {host}")
