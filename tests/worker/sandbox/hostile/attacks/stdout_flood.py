"""A stdout flood of about 100 MB (more than any file may grow), then a last line that
must be the log's end: the log keeps its tail, and the program is not cut off."""
# /// hostile
# status = "ok"
# prints = ["THE END"]
# [limits]
# wall_seconds = 60
# cpu_seconds = 60
# ///

import sys

line = "flood " * 16 + "\n"
for _ in range(1_000_000):
    sys.stdout.write(line)
print("THE END")
