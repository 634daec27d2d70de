"""Memory no process's RSS shows (pipe buffers), then exec a tiny program and let a
second tiny one push the group over: the OOM killer may pick bubblewrap itself,
which must still read as this program's memory limit, never a platform error."""
# /// hostile
# status = "memory_limit"
# prints = ["held in pipes"]
# pipeline = "failed"
# [limits]
# memory_bytes = 67108864
# wall_seconds = 10
# [docker]
# status = ["memory_limit", "time_limit"]
# why = "the OOM killer picks one of the program's processes, never the engine's tiny init; the one holding the pipes may live on at the limit until the wall clock"
# ///

import contextlib
import fcntl
import os
import resource
import subprocess

soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
held, pipes, chunk = 0, [], b"x" * 65536
while held < 52 * 1024 * 1024 and len(pipes) < hard - 64:
    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, fcntl.F_SETFL, os.O_NONBLOCK)
    with contextlib.suppress(BlockingIOError):
        held += os.write(write_end, chunk)
    pipes += [read_end, write_end]
print("held in pipes", held >> 20, "MiB", flush=True)
subprocess.Popen(["/bin/sh", "-c", "sleep 0.3; exec cat /dev/zero > /dev/shm/fill"], close_fds=True)
for fd in pipes:
    os.set_inheritable(fd, True)
os.execv("/usr/bin/tail", ["tail", "-f", "/dev/null"])
