"""io_uring: a large, often-exploited kernel surface (and a way around seccomp rules
on plain syscalls). The filter refuses io_uring_setup."""
# /// hostile
# status = "ok"
# prints = ["io_uring: refused"]
# ///

import ctypes
import platform

libc = ctypes.CDLL(None, use_errno=True)
NUMBERS = {"x86_64": 425, "aarch64": 425}
params = ctypes.create_string_buffer(120)
fd = libc.syscall(NUMBERS[platform.machine()], 8, params)
print(f"ESCAPED: io_uring ring fd {fd}" if fd >= 0 else "io_uring: refused")
