"""Binary junk without newlines, written raw to stdout and stderr as fast as the kernel
takes it (about 400 MB). Faster than the log can be trimmed, it may meet the file
size limit (an output limit); either way the log stays small and its end is kept."""
# /// hostile
# status = ["ok", "output_limit"]
# prints = ["0123456789:;<=>?@ABC"]
# [limits]
# wall_seconds = 60
# cpu_seconds = 60
# ///

import os

junk = bytes(range(256)) * 64
for _ in range(12_800):
    os.write(2, junk)
    os.write(1, junk)
