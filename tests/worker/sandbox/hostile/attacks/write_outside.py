"""Write outside /output and /tmp: the root, /usr, the runtime, its own code, the data,
/etc, /proc/sys, /dev, the host paths of the platform's files; create folders,
remount, rename /output. /output, /tmp and /dev/shm must stay writable."""
# /// hostile
# status = "ok"
# prints = ["writes outside: 0 allowed", "scratch: writable"]
# ///

import ctypes
import json
import os
import pathlib

targets = json.loads(pathlib.Path("/submission/targets.json").read_text())
appends = [
    "/x",
    "/usr/x",
    "/usr/bin/python3",
    "/opt/runtime/x",
    "/opt/runtime/pyvenv.cfg",
    "/submission/x",
    "/submission/targets.json",
    "/data/x",
    "/data/train.csv",
    "/etc/x",
    "/etc/passwd",
    "/etc/ld.so.cache",
    "/proc/sys/kernel/hostname",
    "/proc/sysrq-trigger",
    "/proc/sys/vm/drop_caches",
    "/dev/x",
    "/bin/x",
    "/lib/x",
    "/sys/fs/cgroup/x",
    targets["hidden_labels"],
    targets["canary"],
    targets["settings"],
    targets["other_submission"],
]
allowed = 0
for path in appends:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
        os.close(fd)  # opened for writing is enough: never write to /proc/sysrq-trigger
        print("ESCAPED opened for writing", path)
        allowed += 1
    except OSError:
        pass
libc = ctypes.CDLL(None, use_errno=True)
MS_REMOUNT, MS_BIND = 32, 4096
actions = {
    "mkdir /new": lambda: os.mkdir("/new"),
    "mkdir /usr/new": lambda: os.mkdir("/usr/new"),
    "chmod /submission": lambda: os.chmod("/submission", 0o777),
    "rename /output": lambda: os.rename("/output", "/tmp/stolen-output"),
    "symlink in /etc": lambda: os.symlink("/tmp", "/etc/tmp"),
    "remount / rw": lambda: libc.mount(None, b"/", None, MS_REMOUNT, None) and _raise(),
    "remount /data rw": lambda: (
        libc.mount(None, b"/data", None, MS_REMOUNT | MS_BIND, None) and _raise()
    ),
    "mount tmpfs on /usr": lambda: libc.mount(b"none", b"/usr", b"tmpfs", 0, None) and _raise(),
}


def _raise():
    raise OSError(ctypes.get_errno(), "refused")


for label, action in actions.items():
    try:
        action()
        print("ESCAPED", label)
        allowed += 1
    except OSError:
        pass
print(f"writes outside: {allowed} allowed")
for folder in ("/output", "/tmp", "/dev/shm"):
    with open(f"{folder}/scratch.txt", "w") as scratch:
        scratch.write("mine")
print("scratch: writable")
