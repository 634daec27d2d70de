"""Debug the sandbox's own init (pid 1, the same uid) and read other processes'
memory: ptrace attach and seize, process_vm_readv, pidfd_getfd. All refused."""
# /// hostile
# status = "ok"
# prints = ["ptrace: 4/4 refused"]
# ///

import ctypes
import os
import platform

libc = ctypes.CDLL(None, use_errno=True)
NUMBERS = {
    "x86_64": {"ptrace": 101, "process_vm_readv": 310, "pidfd_getfd": 438, "pidfd_open": 434},
    "aarch64": {"ptrace": 117, "process_vm_readv": 270, "pidfd_getfd": 438, "pidfd_open": 434},
}[platform.machine()]
PTRACE_ATTACH, PTRACE_SEIZE = 16, 0x4206
buffer = ctypes.create_string_buffer(64)


class IoVec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("length", ctypes.c_size_t)]


local = IoVec(ctypes.cast(buffer, ctypes.c_void_p), 64)
remote = IoVec(0x400000, 64)
pidfd = libc.syscall(NUMBERS["pidfd_open"], 1, 0)
tries = {
    "attach": lambda: libc.syscall(NUMBERS["ptrace"], PTRACE_ATTACH, 1, 0, 0),
    "seize": lambda: libc.syscall(NUMBERS["ptrace"], PTRACE_SEIZE, 1, 0, 0),
    "process_vm_readv": lambda: libc.syscall(
        NUMBERS["process_vm_readv"], 1, ctypes.byref(local), 1, ctypes.byref(remote), 1, 0
    ),
    "pidfd_getfd": lambda: libc.syscall(NUMBERS["pidfd_getfd"], pidfd, 0, 0),
}
refused = 0
for name, call in tries.items():
    if call() < 0:
        refused += 1
    else:
        print(f"ESCAPED: {name} on pid 1 worked (we are {os.getpid()})")
print(f"ptrace: {refused}/4 refused")
