"""Read the platform: the project's code and settings, its secret key, the
databases' files, /etc/shadow, home folders, the host's /var and /run."""
# /// hostile
# status = "ok"
# prints = ["platform files: 0 readable"]
# ///

import json
import os
import pathlib

targets = json.loads(pathlib.Path("/submission/targets.json").read_text())
paths = [targets["project"], targets["settings"], targets["secret_key"], *targets["databases"],
         "/etc/shadow", "/etc/ssh", "/root", "/home", "/var", "/run", "/srv", "/work", "/sys",
         "/proc/1/root/etc/shadow", "/proc/kcore", "/dev/mem", "/dev/sda", "/dev/vda"]  # fmt: skip
readable = 0
for path in paths:
    try:
        if os.path.isdir(path):
            print("ESCAPED listed", path, os.listdir(path)[:10])
        else:
            with open(path, "rb") as stolen:
                print("ESCAPED read", path, stolen.read(100))
        readable += 1
    except OSError:
        pass
print(f"platform files: {readable} readable")
