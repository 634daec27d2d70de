"""Control groups for one sandboxed run: limits, accounting, and a reliable kill.

The run's processes join a child cgroup of ours (one per controller on cgroup
v1, a single one on v2) before the sandbox is exec'd, so every process it will
ever fork is counted: memory (the kernel OOM-kills inside the group, never the
worker), pids (a fork bomb hits a wall), CPU time (summed over all processes),
and the group is the list of what to kill at the end. A run granted cores also
gets a cpuset group: the kernel intersects every affinity its processes ask for
with those cores, so it cannot move itself elsewhere (an affinity set before
exec can simply be changed back). Where no cgroup can be
made (no permission, v2 without delegated controllers) ``RunCgroups.enabled``
is False and the caller falls back to polling /proc.
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from worker.sandbox import exits

PROC_SELF_CGROUP = Path("/proc/self/cgroup")
PROC_SELF_MOUNTINFO = Path("/proc/self/mountinfo")
CPU_PERIOD_US = 100_000
V1_CONTROLLERS = ("memory", "pids", "cpuacct", "cpu")
V2_CONTROLLERS = ("memory", "pids", "cpu")
# How long the end of a run waits for killed processes to be gone.
KILL_PATIENCE_SECONDS = 20.0
# How long an emptied group's dying processes get to finish exiting.
DYING_SECONDS = 2.0


@dataclass(frozen=True)
class CgroupUsage:
    cpu_seconds: float | None
    peak_memory_bytes: int | None
    oom_kills: int


class RunCgroups:
    """The cgroups of one run: ``dirs`` maps a controller to its directory."""

    def __init__(self, dirs: dict[str, Path], *, version: int) -> None:
        self.dirs = dirs
        self.version = version

    @property
    def enabled(self) -> bool:
        return bool(self.dirs)

    @property
    def limits_memory(self) -> bool:
        return "memory" in self.dirs

    @property
    def pins_cores(self) -> bool:
        return "cpuset" in self.dirs

    def join_files(self) -> list[str]:
        """The files the sandbox's first process writes "0" (itself) to, before exec.

        On v1 ``tasks``, not ``cgroup.procs``: a thread moving only itself skips
        the kernel's global threadgroup lock (on recent kernels), whose writer waits
        for an RCU grace period: 7-17 ms of every run here. The process is
        single-threaded then (forked, not yet exec'd), so it moves whole, and
        whatever it starts later is born inside. v2 has no such file.
        """
        name = "tasks" if self.version == 1 else "cgroup.procs"
        return sorted({str(d / name) for d in self.dirs.values()})

    def set_limits(self, *, memory_bytes: int, processes: int, cpus: float) -> None:
        if self.version == 2:
            _set_v2_limits(self.dirs, memory_bytes, processes, cpus)
        else:
            _set_v1_limits(self.dirs, memory_bytes, processes, cpus)

    def usage(self) -> CgroupUsage:
        if self.version == 2:
            return _v2_usage(self.dirs)
        return _v1_usage(self.dirs)

    def pids(self) -> set[int]:
        found: set[int] = set()
        for directory in set(self.dirs.values()):
            text = _read(directory / "cgroup.procs") or ""
            found.update(int(line) for line in text.split())
        return found

    def kill_all(self, *, patience: float = KILL_PATIENCE_SECONDS) -> bool:
        """SIGKILL everything in the group until it is empty; True if it emptied.

        Repeated because a fork bomb may fork between our read and our kill;
        pids.max bounds how many new ones can appear each round. Patient, because
        a killed process blocked in the kernel (sync, writeback: state D) dies only
        when that call returns; giving up early would make the program's attack a
        platform error, retried and never charged.
        """
        deadline, pause = time.monotonic() + patience, 0.001
        with exits.watching() as seen:
            while True:
                pids = self.pids()
                if not pids:
                    # Dying ones are hidden from cgroup.procs already: let them finish
                    # (briefly: a pid that ended before its pidfd was opened may be
                    # someone else's process by then).
                    seen.wait_all(min(deadline, time.monotonic() + DYING_SECONDS))
                    return True
                if time.monotonic() > deadline:
                    return False
                for pid in pids:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                seen.watch(pids)
                seen.wait_one(pause)  # killed ones leave the group a moment later
                pause = min(2 * pause, 0.05)

    def remove(self) -> None:
        for directory in set(self.dirs.values()):
            for _ in range(50):  # a killed process leaves the group a moment later
                try:
                    directory.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)


def create_run_cgroups(*, prefix: str = "milestones-run", cores: Sequence[int] = ()) -> RunCgroups:
    """Make this run's cgroups under ours; an empty (disabled) set when we cannot.

    With ``cores`` (host core numbers) the run is pinned to them by a cpuset
    group, set up here: a v1 cpuset group takes no process before it has cores
    and memory nodes.
    """
    name = f"{prefix}-{uuid.uuid4().hex[:12]}"
    own = _own_cgroups(PROC_SELF_CGROUP.read_text())
    mounts = _cgroup_mounts(PROC_SELF_MOUNTINFO.read_text())
    dirs = _make_v1_dirs(own, mounts, name)
    if dirs:
        if cores and (cpuset := _make_v1_cpuset(own, mounts, name, cores)):
            dirs["cpuset"] = cpuset
        return RunCgroups(dirs, version=1)
    dirs = _make_v2_dirs(own, mounts, name)
    if dirs and cores and _pin_v2(dirs["memory"], cores):
        dirs["cpuset"] = dirs["memory"]
    return RunCgroups(dirs, version=2 if dirs else 0)


# --- discovery -----------------------------------------------------------------


def _own_cgroups(text: str) -> dict[str, str]:
    """/proc/self/cgroup -> {controller: path}; the v2 hierarchy is under ""."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(",") if controllers else [""]:
            found[controller] = path
    return found


@dataclass(frozen=True)
class _Mount:
    root: str  # the cgroup path this mount shows at its mount point
    point: Path


@functools.lru_cache(maxsize=8)  # the same text every run: parsed once
def _cgroup_mounts(mountinfo: str) -> dict[str, _Mount]:
    """/proc/self/mountinfo -> {controller: mount}; cgroup2 is under ""."""
    found: dict[str, _Mount] = {}
    for line in mountinfo.splitlines():
        left, _, right = line.partition(" - ")
        fields, tail = left.split(), right.split()
        if len(fields) < 5 or len(tail) < 3:
            continue
        mount = _Mount(root=fields[3], point=Path(_unescape(fields[4])))
        if tail[0] == "cgroup2":
            found.setdefault("", mount)
        elif tail[0] == "cgroup":
            for option in tail[2].split(","):
                found.setdefault(option, mount)
    return found


def _unescape(field: str) -> str:
    return field.replace("\\040", " ").replace("\\011", "\t").replace("\\134", "\\")


def _own_dir(own: dict[str, str], mounts: dict[str, _Mount], key: str) -> Path | None:
    if key not in own or key not in mounts:
        return None
    mount = mounts[key]
    relative = os.path.relpath(own[key], mount.root)
    if relative.startswith(".."):
        return None  # our cgroup is outside what this mount shows
    return _existing_dir(mount.point / relative)


@functools.lru_cache(maxsize=64)
def _existing_dir(path: Path) -> Path | None:
    """``path`` resolved, if it is a folder. Cached: the worker's own cgroup folders
    stay where they are, and resolving them (an lstat per component, per controller)
    was a good part of a trivial run's setup."""
    directory = path.resolve()
    return directory if directory.is_dir() else None


def _make_v1_dirs(own: dict[str, str], mounts: dict[str, _Mount], name: str) -> dict[str, Path]:
    dirs: dict[str, Path] = {}
    for controller in V1_CONTROLLERS:
        parent = _own_dir(own, mounts, controller)
        if parent is None:
            continue
        child = parent / name
        try:
            child.mkdir(exist_ok=True)  # "cpu,cpuacct" co-mounted: one dir serves both
        except OSError:
            continue
        dirs[controller] = child
    return dirs


def _make_v1_cpuset(
    own: dict[str, str], mounts: dict[str, _Mount], name: str, cores: Sequence[int]
) -> Path | None:
    """A v1 cpuset group on ``cores`` with our memory nodes; None when one cannot be made."""
    parent = _own_dir(own, mounts, "cpuset")
    if parent is None:
        return None
    child = parent / name
    try:
        child.mkdir()
        _write(child / "cpuset.mems", (_read(parent / "cpuset.mems") or "").strip())
        _write(child / "cpuset.cpus", _core_list(cores))
    except OSError:
        with contextlib.suppress(OSError):
            child.rmdir()
        return None
    return child


def _pin_v2(group: Path, cores: Sequence[int]) -> bool:
    """Pin a v2 group to ``cores`` (its memory nodes stay its parent's)."""
    if not _v2_enable(group.parent, {"cpuset"}):
        return False
    try:
        _write(group / "cpuset.cpus", _core_list(cores))
    except OSError:
        return False
    return True


def _core_list(cores: Sequence[int]) -> str:
    return ",".join(str(core) for core in sorted(set(cores)))


def _make_v2_dirs(own: dict[str, str], mounts: dict[str, _Mount], name: str) -> dict[str, Path]:
    parent = _own_dir(own, mounts, "")
    if parent is None or not _v2_delegated(parent):
        return {}
    child = parent / name
    try:
        child.mkdir()
    except OSError:
        return {}
    return dict.fromkeys(V2_CONTROLLERS, child)


def _v2_delegated(parent: Path) -> bool:
    # A v2 child only gets a controller its parent enables in subtree_control;
    # enabling fails while the parent itself holds processes (us), unless it is
    # the root. Then we cannot limit anything there: report "no cgroups".
    return _v2_enable(parent, {"memory", "pids"})


def _v2_enable(parent: Path, wanted: set[str]) -> bool:
    """Whether ``parent`` passes ``wanted`` controllers to its children (enabled if need be)."""
    enabled = set((_read(parent / "cgroup.subtree_control") or "").split())
    if wanted <= enabled:
        return True
    try:
        (parent / "cgroup.subtree_control").write_text(" ".join(f"+{c}" for c in wanted))
    except OSError:
        return False
    return wanted <= set((_read(parent / "cgroup.subtree_control") or "").split())


# --- limits and accounting -----------------------------------------------------


def _set_v1_limits(dirs: dict[str, Path], memory: int, processes: int, cpus: float) -> None:
    if "memory" in dirs:
        _write(dirs["memory"] / "memory.limit_in_bytes", memory)
        # memory+swap equal to memory: no escaping the limit into swap.
        _write_if_present(dirs["memory"] / "memory.memsw.limit_in_bytes", memory)
    if "pids" in dirs:
        _write(dirs["pids"] / "pids.max", processes)
    if "cpu" in dirs:
        _write_if_present(dirs["cpu"] / "cpu.cfs_period_us", CPU_PERIOD_US)
        _write_if_present(dirs["cpu"] / "cpu.cfs_quota_us", int(cpus * CPU_PERIOD_US))


def _set_v2_limits(dirs: dict[str, Path], memory: int, processes: int, cpus: float) -> None:
    directory = dirs["memory"]
    _write(directory / "memory.max", memory)
    _write_if_present(directory / "memory.swap.max", 0)
    _write(directory / "pids.max", processes)
    _write_if_present(directory / "cpu.max", f"{int(cpus * CPU_PERIOD_US)} {CPU_PERIOD_US}")


def _v1_usage(dirs: dict[str, Path]) -> CgroupUsage:
    cpu = peak = None
    oom = 0
    if "cpuacct" in dirs:
        nanoseconds = _read_int(dirs["cpuacct"] / "cpuacct.usage")
        cpu = None if nanoseconds is None else nanoseconds / 1e9
    if "memory" in dirs:
        peak = _read_int(dirs["memory"] / "memory.max_usage_in_bytes")
        oom = _keyed(_read(dirs["memory"] / "memory.oom_control"), "oom_kill")
    return CgroupUsage(cpu_seconds=cpu, peak_memory_bytes=peak, oom_kills=oom)


def _v2_usage(dirs: dict[str, Path]) -> CgroupUsage:
    directory = dirs["memory"]
    microseconds = _keyed(_read(directory / "cpu.stat"), "usage_usec")
    peak = _read_int(directory / "memory.peak")  # kernel >= 5.19
    if peak is None:
        peak = _read_int(directory / "memory.current")
    oom = _keyed(_read(directory / "memory.events"), "oom_kill")
    return CgroupUsage(cpu_seconds=microseconds / 1e6, peak_memory_bytes=peak, oom_kills=oom)


def _keyed(text: str | None, key: str) -> int:
    for line in (text or "").splitlines():
        name, _, value = line.partition(" ")
        if name == key:
            return int(value)
    return 0


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except OSError:
        return None


def _read_int(path: Path) -> int | None:
    text = _read(path)
    return int(text) if text and text.strip().isdigit() else None


def _write(path: Path, value: object) -> None:
    path.write_text(str(value))


def _write_if_present(path: Path, value: object) -> None:
    with contextlib.suppress(FileNotFoundError, PermissionError):
        path.write_text(str(value))
