"""The default backend: Linux namespaces through bubblewrap, no container engine.

One run: take a host uid of its own (when we are root), make its cgroups, hand
/output to that uid, start bwrap (layout.py says what it mounts), watch it
(monitor.py), then kill whatever is left, check that nothing is, and give
everything back. See README.md in this folder for the threat model.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import shutil
import signal
import tempfile
from collections.abc import Callable
from pathlib import Path

from worker.sandbox import disk, launch, launcher, layout, logs, outputs, seccomp, warning
from worker.sandbox.base import (
    Channel,
    SandboxBackend,
    SandboxResult,
    SandboxSpec,
    SandboxUnavailable,
    Tick,
)
from worker.sandbox.cgroups import RunCgroups, create_run_cgroups
from worker.sandbox.disk import RunDisk
from worker.sandbox.gpu import gpu_access
from worker.sandbox.monitor import Outcome, Stop, Watched, watch
from worker.sandbox.so_far import of_bubblewrap
from worker.sandbox.uids import Identity, kill_processes_of, run_identity
from worker.sandbox.verdict import Observed, decide, limit_hit

logger = logging.getLogger(__name__)


class BubblewrapBackend(SandboxBackend):
    name = "bubblewrap"

    def __init__(
        self,
        *,
        runtimes_dir: Path,
        bwrap: str = "bwrap",
        uid_base: int = 61000,
        cpus: int = 1,
        slots_dir: Path | None = None,
        use_launcher: bool = True,
    ) -> None:
        self.runtimes_dir = Path(runtimes_dir)
        self.bwrap = bwrap
        self.uid_base = uid_base
        self.cpus = cpus  # CPUs one run may use (cgroup quota, thread pools)
        self.slots_dir = slots_dir or Path(tempfile.gettempdir()) / "milestones-sandbox-slots"
        self.use_launcher = use_launcher  # False: the preexec_fn, as where none can be built

    def run(
        self, spec: SandboxSpec, *, tick: Tick | None = None, channel: Channel | None = None
    ) -> SandboxResult:
        bwrap = self._bwrap_path()
        runtime_dir = self._runtime_dir(spec.runtime)
        layout.entrypoint(spec)  # refuse a bad one before anything is set up
        gpu = gpu_access(spec.gpu) if spec.gpu is not None else None
        with contextlib.ExitStack() as stack:
            spec, own_disk = disk.on_own_disk(spec, stack)
            identity, cgroups, log_path = self._prepare(spec, stack, own_disk)
            log = logs.RunLog(log_path, spec.limits.log_bytes, launch.file_size_limit(spec.limits))
            argv = functools.partial(
                layout.bwrap_argv,
                spec,
                bwrap=bwrap,
                runtime_dir=runtime_dir,
                gpu=gpu,
                cpus=self._cpu_count(spec),
            )
            pipes = _channel_pipes(stack, channel, log)
            started = _launch(
                spec,
                stack,
                argv,
                identity,
                cgroups,
                log_path,
                stdio=pipes.child_ends if pipes else None,
                helper=launcher.built(self.slots_dir) if self.use_launcher else None,
            )
            if pipes is not None:
                pipes.start()
            so_far = of_bubblewrap(cgroups, log_path, keep=spec.limits.log_bytes)
            tick = launch.until_finished(tick, channel, so_far=so_far)
            watched = _watched(spec, started, cgroups, log, tick, disk_full=own_disk.full)
            outcome = watch(watched, kill=started.kill)
            # Reaped by the monitor; recorded so Popen does not try again.
            started.process.returncode = outcome.wait_status
            if outcome.stop is None and not started.exec_reached() and not _oom_killed(cgroups):
                tail = log.read()
                raise SandboxUnavailable(f"bubblewrap could not set up the sandbox: {tail}")
            result = _result(spec, outcome, cgroups, log, disk_full=own_disk.full())
        return result

    def _prepare(
        self, spec: SandboxSpec, stack: contextlib.ExitStack, disk: RunDisk
    ) -> tuple[Identity, RunCgroups, Path]:
        """Uid, cgroups, /output and the log on the run's disk; undone by ``stack``."""
        identity = stack.enter_context(
            run_identity(lock_dir=self.slots_dir, uid_base=self.uid_base)
        )
        cgroups = self._cgroups(spec, stack)
        if identity.dedicated:
            owner = outputs.hand_over(spec.output_dir, uid=identity.uid, gid=identity.gid)
            stack.callback(outputs.take_back, spec.output_dir, owner=owner)
        stack.callback(_leave_nothing_running, cgroups, identity)
        return identity, cgroups, disk.log

    def _bwrap_path(self) -> str:
        found = shutil.which(self.bwrap)
        if found is None:
            raise SandboxUnavailable(f"bubblewrap ({self.bwrap!r}) is not installed")
        return os.path.abspath(found)  # the launcher execs absolute paths only

    def _runtime_dir(self, runtime: str) -> Path:
        directory = self.runtimes_dir / runtime
        if not (directory / "bin" / "python").exists():
            raise SandboxUnavailable(
                f"runtime {runtime!r} is missing from {self.runtimes_dir}; build it with "
                f"`python -m worker.runtimes.build --dir {self.runtimes_dir} {runtime}`"
            )
        return directory.resolve()

    def _cpu_count(self, spec: SandboxSpec) -> int:
        return len(spec.cpus) or self.cpus

    def _cgroups(self, spec: SandboxSpec, stack: contextlib.ExitStack) -> RunCgroups:
        cgroups = create_run_cgroups(cores=spec.cpus)
        stack.callback(cgroups.remove)
        cgroups.set_limits(
            memory_bytes=spec.limits.memory_bytes,
            processes=spec.limits.processes + launch.BWRAP_PROCESSES,
            cpus=self._cpu_count(spec),
        )
        if not cgroups.limits_memory:
            logger.warning("no memory cgroup: memory is limited by polling, less strictly")
        if spec.cpus and not cgroups.pins_cores:
            logger.warning("no cpuset cgroup: the run is pinned by an affinity it can change")
        return cgroups


def _launch(
    spec: SandboxSpec,
    stack: contextlib.ExitStack,
    argv: Callable[..., list[str]],
    identity: Identity,
    cgroups: RunCgroups,
    log_path: Path,
    stdio: tuple[int, int] | None = None,
    helper: str | None = None,
) -> launch.Started:
    """Start bwrap; ``argv(status_fd=, etc_fds=)`` completes its command line;
    through the launcher ``helper`` when there is one (launcher.py)."""
    log_fd = logs.open_log(log_path)
    stack.callback(os.close, log_fd)
    etc_fds = stack.enter_context(launch.data_fds(layout.etc_files()))
    filter_fds = stack.enter_context(launch.data_fds(_seccomp_filter()))
    status = launch.status_pipe()
    stack.callback(os.close, status[0])
    command = argv(status_fd=status[1], etc_fds=etc_fds, seccomp_fd=filter_fds.get("seccomp"))
    command, preexec = _setup_steps(command, spec, identity, cgroups, helper)
    started = launch.start(
        command,
        log_fd=log_fd,
        status=status,
        stdio=stdio,
        pass_fds=[*etc_fds.values(), *filter_fds.values()],
        preexec=preexec,
    )
    stack.callback(started.stop)  # kills and reaps bwrap if the monitor itself failed
    return started


def _setup_steps(
    command: list[str],
    spec: SandboxSpec,
    identity: Identity,
    cgroups: RunCgroups,
    helper: str | None,
) -> tuple[list[str], Callable[[], None] | None]:
    """Cgroups, rlimits, cores, uid: by the launcher in front of ``command`` where
    there is one, else by a preexec_fn (the same steps in the same order)."""
    join = cgroups.join_files()
    limits = launch.rlimits(spec.limits, count_processes=identity.dedicated)
    if helper is None:
        preexec = launch.make_preexec(
            join_files=join, limits=limits, identity=identity, affinity=spec.cpus
        )
        return command, preexec
    steps = launcher.argv(
        helper, join_files=join, limits=limits, identity=identity, affinity=spec.cpus
    )
    return [*steps, *command], None


@functools.cache
def _seccomp_filter() -> dict[str, bytes]:
    """The compiled filter, for --seccomp; none (said once) where libseccomp is missing."""
    try:
        return {"seccomp": seccomp.filter_program()}
    except seccomp.SeccompUnavailable as exc:
        logger.warning("no seccomp filter in the sandbox: %s", exc)
        return {}


def _channel_pipes(
    stack: contextlib.ExitStack, channel: Channel | None, log: logs.RunLog
) -> launch.ChannelPipes | None:
    """An interactive run's pipes; closed (after the conversation ends) once the run is over."""
    if channel is None:
        return None
    pipes = launch.ChannelPipes(channel, log.read)
    stack.callback(pipes.close)
    return pipes


def _watched(
    spec: SandboxSpec,
    started: launch.Started,
    cgroups: RunCgroups,
    log: logs.RunLog,
    tick: Tick | None,
    *,
    disk_full: Callable[[], bool],
) -> Watched:
    return Watched(
        pid=started.process.pid,
        limits=spec.limits,
        output_dir=spec.output_dir,
        log=log,
        cgroups=cgroups,
        tick=tick,
        disk_full=disk_full,
        warn=functools.partial(_warn, started.process.pid),
    )


def _warn(bwrap_pid: int) -> bool:
    """The warning (SIGTERM) to the program's main process, if it catches it: the
    oldest child of bwrap's init, itself bwrap's child (pid namespaces nest: the
    host sees both)."""
    return warning.signal_main(bwrap_pid, generations=2) == warning.SENT


def _oom_killed(cgroups: RunCgroups) -> bool:
    """Whether the kernel OOM-killed something in the run's cgroup.

    bwrap itself is in that cgroup, and a program holding its memory where no
    process's RSS shows it (pipe buffers, tmpfs) behind a tiny exec'd process
    gets bwrap picked as the victim: no exit code is reported then, but that is
    the program's memory limit, never a setup failure (a platform error).
    """
    return cgroups.limits_memory and cgroups.usage().oom_kills > 0


def _leave_nothing_running(cgroups: RunCgroups, identity: Identity) -> None:
    """Kill what the pid namespace's end did not take along, and check it worked.

    Every process of the run is in its cgroup (bwrap joins it before exec, and a
    process cannot move itself out: the run's uid may write no cgroup.procs nor tasks).
    But cgroup.procs stops listing a process as soon as it starts exiting, and one
    freeing much memory (pipe buffers) stays alive, of the run's uid, for a while
    after: a dedicated uid is always swept too (one pass over /proc, about a
    millisecond), so the next run of this slot never meets anything of this one.
    """
    emptied = cgroups.enabled and cgroups.kill_all()
    if identity.dedicated:
        emptied = kill_processes_of(identity.uid)
    elif not identity.dedicated and not cgroups.enabled:
        emptied = True  # nothing to sweep with: the pid namespace's end is all there is
    if not emptied:
        raise SandboxUnavailable("processes of a sandboxed run survived being killed")


def _result(
    spec: SandboxSpec, outcome: Outcome, cgroups: RunCgroups, log: logs.RunLog, *, disk_full: bool
) -> SandboxResult:
    exit_code, signal_number = _exit_of(outcome)
    usage = cgroups.usage() if cgroups.enabled else None
    rusage_cpu = outcome.rusage.ru_utime + outcome.rusage.ru_stime
    cpu = usage.cpu_seconds if usage and usage.cpu_seconds is not None else rusage_cpu
    # Never ru_maxrss: exec records the forking worker's own high-water RSS in
    # the child's, so a worker holding 300 MB would report every run at 300 MB.
    cgroup_peak = usage.peak_memory_bytes if usage else None
    peak = cgroup_peak if cgroup_peak is not None else outcome.peak_rss_bytes
    limits = spec.limits
    written = outputs.usage(spec.output_dir, stop_above=limits.output_bytes)
    seen = Observed(
        exit_code=exit_code,
        signal=signal_number,
        cancelled=outcome.stop is Stop.CANCELLED,
        time_exceeded=outcome.stop in (Stop.WALL, Stop.CPU),
        stopped_at=_STOPPED_AT.get(outcome.stop) if outcome.stop else None,
        warned_of=outcome.warned_of,
        memory_exceeded=outcome.stop is Stop.MEMORY or bool(usage and usage.oom_kills),
        output_exceeded=outcome.stop is Stop.OUTPUT
        or written.over(max_bytes=limits.output_bytes)
        or outcome.log_overflowed
        or log.overflowed
        or disk_full
        or logs.size(log.path) >= log.size_limit,
        cpu_seconds=cpu,
        cpu_limit=limits.cpu_seconds,
    )
    return SandboxResult(
        status=decide(seen),
        exit_code=exit_code,
        signal=signal_number,
        wall_seconds=outcome.wall_seconds,
        cpu_seconds=cpu,
        peak_memory_bytes=peak,
        log_tail=log.read(),
        warned_of=outcome.warned_of,
        limit_hit=limit_hit(seen),
    )


_STOPPED_AT: dict[Stop, warning.Limit] = {Stop.WALL: warning.WALL, Stop.CPU: warning.CPU}


def _exit_of(outcome: Outcome) -> tuple[int | None, int | None]:
    """(exit code, signal) of the program, from bwrap's own exit status.

    bwrap exits with the program's code, or 128 + N when the program died of
    signal N; bwrap itself dying of a signal means we killed it.
    """
    status = outcome.wait_status
    if os.WIFSIGNALED(status):
        return None, os.WTERMSIG(status)
    code = os.WEXITSTATUS(status)
    if code > 128 and code - 128 in _SIGNALS:
        return None, code - 128
    return code, None


_SIGNALS = {int(s) for s in signal.Signals}
