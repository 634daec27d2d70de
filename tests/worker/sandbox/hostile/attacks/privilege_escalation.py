"""Become more than an unprivileged user: setuid(0), new user and mount namespaces,
chroot, capabilities; setuid binaries (no_new_privs must make them harmless)."""
# /// hostile
# status = "ok"
# prints = ["privileges: 0 gained", "no_new_privs: 1", "capabilities: none"]
# ///

import ctypes
import os
import pathlib
import subprocess

libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWNET = 0x10000000, 0x00020000, 0x40000000


def unshare(flags):
    if libc.unshare(flags) != 0:
        raise OSError(ctypes.get_errno(), "unshare refused")


gained = 0
for label, action in {
    "setuid(0)": lambda: os.setuid(0),
    "setgid(0)": lambda: os.setgid(0),
    "setgroups([0])": lambda: os.setgroups([0]),
    "unshare(user)": lambda: unshare(CLONE_NEWUSER),
    "unshare(mount)": lambda: unshare(CLONE_NEWNS),
    "unshare(net)": lambda: unshare(CLONE_NEWNET),
    "chroot": lambda: os.chroot("/tmp"),
}.items():
    try:
        action()
        print("ESCAPED", label)
        gained += 1
    except OSError:
        pass
lines = pathlib.Path("/proc/self/status").read_text().splitlines()
status = dict(line.split(":", 1) for line in lines if ":" in line)
print("no_new_privs:", status["NoNewPrivs"].strip())
capabilities = {name: int(status[name], 16) for name in ("CapEff", "CapPrm", "CapAmb")}
print("capabilities: none" if not any(capabilities.values()) else f"ESCAPED {capabilities}")
attempts = [
    ["sudo", "-n", "id", "-u"],
    ["su", "-c", "id -u", "root"],
    ["mount", "-t", "tmpfs", "none", "/tmp"],
    ["unshare", "-r", "id", "-u"],
]
for argv in attempts:
    try:  # setuid root programs, where installed: no_new_privs leaves them as powerless as us
        done = subprocess.run(argv, capture_output=True, timeout=5, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        continue
    if done.returncode == 0:
        print("ESCAPED", " ".join(argv), done.stdout[:100])
        gained += 1
print(f"privileges: {gained} gained")
