"""Fill /output faster than any poll: eight processes write at full speed at once.
/output is a disk of the run's own, so the kernel stops them at its size."""
# /// hostile
# status = "output_limit"
# prints = ["parallel fill started"]
# checks = ["output_bounded"]
# [limits]
# wall_seconds = 20
# cpu_seconds = 20
# ///

import os

print("parallel fill started", flush=True)
children = []
for index in range(8):
    pid = os.fork()
    if pid == 0:
        block = b"x" * (1 << 20)
        try:
            with open(f"/output/part-{index}.bin", "wb") as sink:
                for _ in range(4096):
                    sink.write(block)
        except OSError:
            pass
        os._exit(0)
    children.append(pid)
for pid in children:
    os.waitpid(pid, 0)
