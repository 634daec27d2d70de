"""Read the kernel's log (addresses that defeat KASLR, other users' messages) through
syslog(2), /dev/kmsg and /proc/kmsg: refused or absent."""
# /// hostile
# status = "ok"
# prints = ["kernel log: 3/3 refused"]
# ///

import ctypes
import platform

libc = ctypes.CDLL(None, use_errno=True)
buffer = ctypes.create_string_buffer(4096)
SYSLOG_ACTION_READ_ALL = 3
refused = (
    libc.syscall(
        {"x86_64": 103, "aarch64": 116}[platform.machine()], SYSLOG_ACTION_READ_ALL, buffer, 4096
    )
    < 0
)
for path in ("/dev/kmsg", "/proc/kmsg"):
    try:
        with open(path, "rb") as kernel:
            kernel.read(64)
        print(f"ESCAPED: read {path}")
    except OSError:
        refused += 1
print(f"kernel log: {refused}/3 refused")
