"""Read the platform: the project's code and settings, its secret key, the
databases' files, /etc/shadow, home folders, the host's /var and /run (and files
anyone may read there). Folders the sandbox has of its own by design
(``own_folders``: a container's image has a /var of its own) are named, not counted."""
# /// hostile
# status = "ok"
# prints = ["platform files: 0 readable"]
# ///

import json
import os
import pathlib

targets = json.loads(pathlib.Path("/submission/targets.json").read_text())
own_folders = set(targets.get("own_folders", []))
paths = [
    *targets["host_files"],
    targets["project"],
    targets["settings"],
    targets["secret_key"],
    *targets["databases"],
    "/etc/shadow",
    "/etc/ssh",
    "/root",
    "/home",
    "/var",
    "/run",
    "/srv",
    "/work",
    "/sys",
    "/proc/1/root/etc/shadow",
    "/proc/kcore",
    "/dev/mem",
    "/dev/sda",
    "/dev/vda",
]
readable = 0
for path in paths:
    if path in own_folders:
        print("own folder", path, "(the sandbox's, not the host's)")
        continue
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
