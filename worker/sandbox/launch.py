"""Starting bwrap as the run's host uid, inside the run's cgroups, under its rlimits.

Between fork and exec, in an order that matters: join the cgroups and set the
rlimits while still root, then drop supplementary groups, gid and uid for good.
Done by the launcher (launcher.c, exec'd in front of bwrap, so that Popen can
vfork) where it is built, else by a ``preexec_fn`` doing only os-level calls.
Popen's own ``user=`` would drop the uid before ``preexec_fn`` runs, when
joining a cgroup is no longer allowed, so it is not used.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import resource
import signal
import subprocess
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from worker.sandbox.base import (
    Channel,
    Limits,
    LogReader,
    RunSoFar,
    SandboxUnavailable,
    Tick,
    Watcher,
)
from worker.sandbox.uids import Identity

# RLIMIT_FSIZE caps every file the sandbox writes: each /output and /tmp file
# and the log. Disk itself is bounded by the run's own tmpfs (disk.py); this cap
# is never below the largest file a limit allows (tools such as torch.compile's
# compiler write big files in /tmp), nor below the room to trim a chatty log.
FILE_SIZE_FLOOR = 64 * 1024 * 1024
# Room on the run's disk for the log between two trims (beside /output's limit).
LOG_ROOM = FILE_SIZE_FLOOR
# Enough for data loaders and their worker processes' shared memory.
OPEN_FILES = 4096
LOCKED_BYTES = 64 * 1024 * 1024
PENDING_SIGNALS = 4096
# Beyond the program's own processes: the outer bwrap and the sandbox's init.
BWRAP_PROCESSES = 2


def file_size_limit(limits: Limits) -> int:
    return largest_file(output_bytes=limits.output_bytes, tmp_bytes=limits.tmp_bytes)


def largest_file(*, output_bytes: int, tmp_bytes: int) -> int:
    """RLIMIT_FSIZE: no file larger, anywhere (``/output``, ``/tmp``, the log)."""
    # +1: a file that reaches it is over output_bytes, so the overflow is visible.
    return max(output_bytes + 1, tmp_bytes, FILE_SIZE_FLOOR)


def rlimits(limits: Limits, *, count_processes: bool) -> dict[int, tuple[int, int]]:
    """Per-process limits. Not RLIMIT_AS: CUDA reserves huge address ranges."""
    cpu = max(1, math.ceil(limits.cpu_seconds))
    files = file_size_limit(limits)
    chosen = {
        resource.RLIMIT_CPU: (cpu, cpu + 1),  # SIGXCPU, then SIGKILL a second later
        resource.RLIMIT_FSIZE: (files, files),
        resource.RLIMIT_CORE: (0, 0),  # no core files of a student's crash
        # Explicit, never the worker's own (a root worker's may be huge).
        resource.RLIMIT_NOFILE: (OPEN_FILES, OPEN_FILES),
        resource.RLIMIT_MEMLOCK: (LOCKED_BYTES, LOCKED_BYTES),
        resource.RLIMIT_MSGQUEUE: (0, 0),  # no POSIX message queues
        resource.RLIMIT_SIGPENDING: (PENDING_SIGNALS, PENDING_SIGNALS),
        resource.RLIMIT_NICE: (0, 0),  # may lower its priority, never raise it
        resource.RLIMIT_RTPRIO: (0, 0),  # no real-time scheduling
    }
    if count_processes:
        # Counts every process and thread of the uid: only meaningful (and only
        # harmless) when the uid is the run's own.
        total = limits.processes + BWRAP_PROCESSES
        chosen[resource.RLIMIT_NPROC] = (total, total)
    return chosen


def make_preexec(
    *,
    join_files: Sequence[str],
    limits: Mapping[int, tuple[int, int]],
    identity: Identity,
    affinity: Sequence[int] = (),
) -> Callable[[], None]:
    join = [path.encode() for path in join_files]
    chosen = [(which, within_own(which, value)) for which, value in limits.items()]
    cores = set(affinity)  # the run's own cores (worker.slots); empty: not pinned

    def preexec() -> None:
        for path in join:  # "0": this very process (cgroups.RunCgroups.join_files)
            fd = os.open(path, os.O_WRONLY)
            try:
                os.write(fd, b"0")
            finally:
                os.close(fd)
        for which, value in chosen:
            resource.setrlimit(which, value)
        if cores:
            os.sched_setaffinity(0, cores)
        if identity.dedicated:
            os.setgroups([])
            os.setresgid(identity.gid, identity.gid, identity.gid)
            os.setresuid(identity.uid, identity.uid, identity.uid)

    return preexec


def within_own(which: int, value: tuple[int, int]) -> tuple[int, int]:
    """``value`` lowered to our own hard limit: raising one needs CAP_SYS_RESOURCE,
    which a root worker in a container or VM may lack (setrlimit would fail)."""
    ceiling = resource.getrlimit(which)[1]
    if ceiling == resource.RLIM_INFINITY:
        return value
    soft, hard = value
    return min(soft, ceiling), min(hard, ceiling)


@contextlib.contextmanager
def data_fds(files: Mapping[str, bytes]) -> Iterator[dict[str, int]]:
    """In-memory files for bwrap's --ro-bind-data (it reads and closes its copies)."""
    fds: dict[str, int] = {}
    try:
        for path, content in files.items():
            fd = os.memfd_create(os.path.basename(path))
            os.write(fd, content)
            os.lseek(fd, 0, os.SEEK_SET)
            fds[path] = fd
        yield fds
    finally:
        for fd in fds.values():
            os.close(fd)


@dataclass
class Started:
    process: subprocess.Popen[bytes]
    status_read_fd: int

    def kill(self) -> None:
        # bwrap leads its own process group; its death takes the sandbox's init
        # (--die-with-parent) and with it the whole pid namespace.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)

    def stop(self) -> None:
        """Kill and reap bwrap unless the monitor already reaped it.

        Only while unreaped: a reaped pid may already belong to someone else.
        """
        if self.process.returncode is None:
            self.kill()
            self.process.returncode = os.waitpid(self.process.pid, 0)[1]

    def exec_reached(self) -> bool:
        """Whether bwrap got as far as exec'ing the program (else its setup failed).

        bwrap writes {"exit-code": N} on --json-status-fd only for a child that
        was exec'd; the program itself never holds that fd.
        """
        os.set_blocking(self.status_read_fd, False)
        chunks = []
        with contextlib.suppress(BlockingIOError):
            while chunk := os.read(self.status_read_fd, 65536):
                chunks.append(chunk)
        for line in b"".join(chunks).decode(errors="replace").splitlines():
            with contextlib.suppress(ValueError):
                if "exit-code" in json.loads(line):
                    return True
        return False


def status_pipe() -> tuple[int, int]:
    """(read, write) ends for --json-status-fd; the write end goes to bwrap only."""
    return os.pipe2(os.O_CLOEXEC)


def start(
    argv: Sequence[str],
    *,
    log_fd: int,
    status: tuple[int, int],
    pass_fds: Sequence[int],
    preexec: Callable[[], None] | None,
    stdio: tuple[int, int] | None = None,
) -> Started:
    """Start bwrap; ``stdio`` (stdin, stdout) connects an interactive run's pipes.
    ``argv`` starts with the launcher's options where ``preexec`` is None."""
    read_end, write_end = status
    stdin, stdout = stdio if stdio is not None else (subprocess.DEVNULL, log_fd)
    try:
        process = subprocess.Popen(
            argv,
            stdin=stdin,
            stdout=stdout,
            stderr=log_fd,
            pass_fds=[write_end, *pass_fds],
            preexec_fn=preexec,
            # Its own process group (killed as one), not a session of its own:
            # each new session is a new scheduler autogroup, and a second one
            # per run cost 2-3 ms under load here. The program still gets a
            # session without a terminal (bwrap's --new-session).
            process_group=0,
            env={},  # bwrap needs none; the program's comes from --setenv
        )
    finally:
        os.close(write_end)  # else reading the status would never see its end
    return Started(process=process, status_read_fd=read_end)


# How long the end of a run waits for a channel's conversation to return.
CHANNEL_JOIN_SECONDS = 30.0


class ChannelPipes:
    """An interactive run's stdin and stdout pipes, and the thread that talks over them.

    Pipes, not a file: the conversation reads answers as they come. The program's
    ends go to bwrap (``child_ends``: plain pipes, never a directory fd) and are
    closed here once it started, so the run's end is seen as the end of stdout
    (bwrap's own processes hold copies until then).
    """

    def __init__(self, channel: Channel, log_so_far: LogReader) -> None:
        self.channel = channel
        self.log_so_far = log_so_far
        self.ended = threading.Event()
        self._stdin = os.pipe2(os.O_CLOEXEC)  # (program reads, we write)
        self._stdout = os.pipe2(os.O_CLOEXEC)  # (we read, program writes)
        self._thread = threading.Thread(target=self._converse, name="sandbox-channel", daemon=True)
        self._child_open = True
        self._error: BaseException | None = None

    @property
    def child_ends(self) -> tuple[int, int]:
        return self._stdin[0], self._stdout[1]

    def start(self) -> None:
        """Once the program has started: drop our copies of its ends, begin talking."""
        self._close_child_ends()
        self._thread.start()

    def close(self) -> None:
        """After the run: let the conversation end, then close our ends of the pipes."""
        self._close_child_ends()
        self.ended.set()
        if self._thread.ident is not None:
            self._thread.join(CHANNEL_JOIN_SECONDS)
            if self._thread.is_alive():  # its fds stay open: closing them could hit reused ones
                raise SandboxUnavailable("an interactive run's channel did not stop")
        os.close(self._stdin[1])
        os.close(self._stdout[0])
        if self._error is not None:
            raise self._error

    def _converse(self) -> None:
        try:
            self.channel.converse(
                to_program=self._stdin[1],
                from_program=self._stdout[0],
                ended=self.ended,
                log_so_far=self.log_so_far,
            )
        except BaseException as exc:  # re-raised by close(), in the backend's thread
            self._error = exc

    def _close_child_ends(self) -> None:
        if self._child_open:
            self._child_open = False
            os.close(self._stdin[0])
            os.close(self._stdout[1])


def until_finished(
    tick: Tick | None, channel: Channel | None, *, so_far: Callable[[], RunSoFar] | None = None
) -> Tick | None:
    """The run's tick, also stopping the run once the channel's conversation is over.
    A ``Watcher`` tick is first shown the run as it stands (``so_far``)."""
    if so_far is not None and isinstance(tick, Watcher):
        tick = _shown(tick, so_far)
    if channel is None:
        return tick

    def combined() -> bool:
        return not channel.finished() and (tick is None or tick())

    return combined


def _shown(watcher: Watcher, so_far: Callable[[], RunSoFar]) -> Tick:
    def tick() -> bool:
        watcher.see(so_far())
        return watcher()

    return tick
