"""Spin in four processes: CPU time is counted over all of them, not per process."""
# /// hostile
# status = "time_limit"
# prints = ["spinning in 4 processes"]
# [limits]
# wall_seconds = 20
# cpu_seconds = 1
# ///

import os

print("spinning in 4 processes", flush=True)
for _ in range(2):
    os.fork()
while True:
    pass
