"""Hold memory outside any process's resident set: memfd files and /dev/shm, written
until something stops them. Their pages are charged to the run's memory cgroup."""
# /// hostile
# status = ["memory_limit", "ok", "crashed"]
# prints = ["memfd: started"]
# [limits]
# wall_seconds = 20
# cpu_seconds = 20
# ///

import os

print("memfd: started", flush=True)
held, block = [], b"x" * (1 << 20)
try:
    for index in range(4096):
        fd = os.memfd_create(f"hold-{index}")
        for _ in range(16):
            os.write(fd, block)
        held.append(fd)
except OSError:
    pass
print(f"memfd: {len(held) * 16} MiB held", flush=True)
if len(held) * 16 > 512:
    print("ESCAPED: memfd held more than twice the memory limit")
