"""Take disk through the log without growing it: fallocate(FALLOC_FL_KEEP_SIZE) of
3 GiB on stdout. The log lives on the run's own capped disk, so the kernel refuses."""
# /// hostile
# status = "ok"
# prints = ["stdout: 3 GiB refused"]
# [docker]
# status = "ok"
# why = "stdout is a pipe to the engine there: fallocate on it is refused as well"
# ///

import ctypes
import os
import sys

libc = ctypes.CDLL(None, use_errno=True)
libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int64, ctypes.c_int64]
KEEP_SIZE = 0x01
sys.stdout.flush()
taken = libc.fallocate(1, KEEP_SIZE, 0, 3 << 30) == 0
print(
    f"ESCAPED: the log took 3 GiB ({os.fstat(1).st_blocks * 512} bytes allocated)"
    if taken
    else "stdout: 3 GiB refused"
)
