"""userfaultfd: stalls the kernel on a page fault at a time of the attacker's choosing,
the classic tool for winning kernel races. The filter refuses it."""
# /// hostile
# status = "ok"
# prints = ["userfaultfd: refused"]
# ///

import ctypes
import platform

libc = ctypes.CDLL(None, use_errno=True)
fd = libc.syscall({"x86_64": 323, "aarch64": 282}[platform.machine()], 0)
print(f"ESCAPED: userfaultfd {fd}" if fd >= 0 else "userfaultfd: refused")
