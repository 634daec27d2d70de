"""Print forever from four processes at once, to stdout and stderr."""
# /// hostile
# status = "time_limit"
# prints = ["flood "]
# pipeline = "failed"
# [limits]
# wall_seconds = 3
# cpu_seconds = 30
# ///

import os

for _ in range(2):
    os.fork()
chunk = b"flood " * 1000 + b"\n"
while True:
    try:
        os.write(1, chunk)
        os.write(2, chunk)
    except OSError:
        pass
