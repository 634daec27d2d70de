"""Read other students' work: a submission's code at its host path, the folder of
all runs, the worker's scratch folders (the log's host path shows in /proc)."""
# /// hostile
# status = "ok"
# prints = ["other submissions: 0 readable"]
# ///

import contextlib
import glob
import json
import os
import pathlib

targets = json.loads(pathlib.Path("/submission/targets.json").read_text())
paths = [
    targets["other_submission"],
    targets["runs_dir"],
    os.path.join(targets["project"], "var", "runs"),
]
for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
    for fd in ("1", "2"):
        with contextlib.suppress(OSError):  # a host path like /tmp/milestones-XXXX/log
            paths.append(os.path.dirname(os.readlink(f"/proc/{pid}/fd/{fd}")))
paths += glob.glob("/tmp/milestones-*")
readable = 0
for path in paths:
    try:
        if os.path.isdir(path):
            print("ESCAPED listed", path, os.listdir(path)[:10])
        else:
            with open(path, "rb") as stolen:
                print("ESCAPED read", path, stolen.read(200))
        readable += 1
    except OSError:
        pass
print(f"other submissions: {readable} readable")
