"""New namespaces from inside: clone() with every namespace flag, clone3, setns into
init's namespaces, and the new mount API (fsopen, open_tree). All refused."""
# /// hostile
# status = "ok"
# prints = ["namespaces: 11/11 refused"]
# ///

import ctypes
import os
import platform

libc = ctypes.CDLL(None, use_errno=True)
NUMBERS = {
    "x86_64": {"clone": 56, "clone3": 435, "setns": 308, "fsopen": 430, "open_tree": 428},
    "aarch64": {"clone": 220, "clone3": 435, "setns": 268, "fsopen": 430, "open_tree": 428},
}[platform.machine()]
FLAGS = {
    "newns": 0x00020000,
    "newcgroup": 0x02000000,
    "newuts": 0x04000000,
    "newipc": 0x08000000,
    "newuser": 0x10000000,
    "newpid": 0x20000000,
    "newnet": 0x40000000,
}
SIGCHLD = 17
refused = 0
for name, flag in FLAGS.items():
    pid = libc.syscall(NUMBERS["clone"], flag | SIGCHLD, 0, 0, 0, 0)
    if pid == 0:
        os._exit(0)
    if pid < 0:
        refused += 1
    else:
        os.waitpid(pid, 0)
        print(f"ESCAPED: clone({name}) made a child")
args = ctypes.create_string_buffer(88)
args[0:8] = (0x10000000).to_bytes(8, "little")  # flags: CLONE_NEWUSER
args[32:40] = SIGCHLD.to_bytes(8, "little")  # exit_signal
pid = libc.syscall(NUMBERS["clone3"], args, 88)
if pid == 0:
    os._exit(0)
refused += pid < 0
try:
    namespace = os.open("/proc/1/ns/mnt", os.O_RDONLY)
    joined = libc.syscall(NUMBERS["setns"], namespace, 0)
except OSError:
    joined = -1
refused += joined < 0
refused += libc.syscall(NUMBERS["fsopen"], b"tmpfs", 0) < 0
refused += libc.syscall(NUMBERS["open_tree"], -100, b"/", 1) < 0  # OPEN_TREE_CLONE
if refused < 11:
    print("ESCAPED: a namespace or mount call worked")
print(f"namespaces: {refused}/11 refused")
