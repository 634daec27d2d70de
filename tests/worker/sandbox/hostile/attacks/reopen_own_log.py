"""Reopen its own log through /proc/self/fd/1 to truncate it (erasing what it printed)
or read what came before: the log file is the worker's, so reopening it is refused."""
# /// hostile
# status = "ok"
# prints = ["log reopen: 2/2 refused"]
# [docker]
# status = "ok"
# why = "stdout is a pipe to the engine there: reopening it gives the same pipe, never a file"
# ///

import os
import stat
import sys

print("a line that must stay in the log")
sys.stdout.flush()
refused = 0
if not stat.S_ISREG(os.fstat(1).st_mode):
    refused = 2  # a pipe: there is no file to reopen
else:
    for flags in (os.O_WRONLY | os.O_TRUNC, os.O_RDONLY):
        try:
            os.close(os.open("/proc/self/fd/1", flags))
            print(f"ESCAPED: reopened the log with flags {flags}")
        except OSError:
            refused += 1
print(f"log reopen: {refused}/2 refused")
