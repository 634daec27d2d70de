"""Take disk through /output without growing a file: fallocate(FALLOC_FL_KEEP_SIZE)
of 1 GiB, then many files of 64 MiB each at once. /output is the run's own capped disk."""
# /// hostile
# status = ["ok", "output_limit"]
# prints = ["output: 1 GiB refused", "output: filling"]
# ///

import ctypes
import os

libc = ctypes.CDLL(None, use_errno=True)
libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int64, ctypes.c_int64]
KEEP_SIZE = 0x01
fd = os.open("/output/hole.bin", os.O_WRONLY | os.O_CREAT, 0o644)
taken = libc.fallocate(fd, KEEP_SIZE, 0, 1 << 30) == 0
os.close(fd)
print("ESCAPED: /output took 1 GiB" if taken else "output: 1 GiB refused", flush=True)
# Either the run's disk refuses (ENOSPC: "capped by its disk" follows) or the
# output poll stops the run first (output_limit), before it can say so; the
# test's free-space sampler bounds what either took from the worker's disk.
print("output: filling", flush=True)
written, block = 0, b"x" * (1 << 20)
try:
    for index in range(64):
        with open(f"/output/fill-{index}.bin", "wb") as sink:
            for _ in range(64):
                written += sink.write(block)
except OSError:
    pass
print(
    f"ESCAPED: wrote {written} bytes to /output"
    if written > 256 << 20
    else "output: capped by its disk"
)
