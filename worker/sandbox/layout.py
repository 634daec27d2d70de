"""What the bubblewrap sandbox looks like from inside: its argv, pure and testable.

Only what a Python program needs is mounted: /usr (read-only, with the usual
/bin, /lib... links), the runtime venv at /opt/runtime, /submission and /data
read-only, /output writable, size-capped /tmp and /dev/shm, a fresh /proc, a
minimal /dev, and an /etc made of generated files (a passwd with one user, no
secrets). The project, the database, hidden data, other submissions, /root,
/home, /var and /run simply do not exist in there.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from worker.sandbox.base import SandboxSpec

RUNTIME_MOUNT = "/opt/runtime"
SANDBOX_UID = 1000  # the uid and gid the program sees (mapped to the host uid)
SANDBOX_USER = "student"
ROOT_LINKS = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")
GPU_CONTROL_DEVICES = ("nvidiactl", "nvidia-uvm", "nvidia-uvm-tools")


@dataclass(frozen=True)
class GpuAccess:
    """The device nodes (names under /dev) and driver libraries one granted GPU needs."""

    devices: Sequence[str]
    libraries: Sequence[str] = field(default_factory=tuple)


def etc_files() -> dict[str, bytes]:
    """The whole of /etc: who "student" is, and that localhost is local."""
    return {
        "/etc/passwd": f"{SANDBOX_USER}:x:{SANDBOX_UID}:{SANDBOX_UID}::/tmp:/usr/sbin/nologin\n"
        "nobody:x:65534:65534::/nonexistent:/usr/sbin/nologin\n".encode(),
        "/etc/group": f"{SANDBOX_USER}:x:{SANDBOX_UID}:\nnogroup:x:65534:\n".encode(),
        "/etc/hosts": b"127.0.0.1 localhost sandbox\n::1 localhost\n",
        "/etc/nsswitch.conf": b"passwd: files\ngroup: files\nhosts: files\n",
    }


def sandbox_env(
    *, cpus: int, gpu: bool, seed: int | None = None, dry_run: bool = False
) -> dict[str, str]:
    """The program's entire environment: nothing of the worker's leaks in."""
    threads = str(max(1, cpus))
    env = {
        "PATH": f"{RUNTIME_MOUNT}/bin:/usr/bin:/bin",
        "HOME": "/tmp",
        "TMPDIR": "/tmp",
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",  # the log's tail is complete even when we kill it
        # Thread pools sized to the CPUs granted, not the host's (and pids.max).
        "OMP_NUM_THREADS": threads,
        "MKL_NUM_THREADS": threads,
        "OPENBLAS_NUM_THREADS": threads,
        # Idle OpenMP threads sleep instead of spinning: on shared cores a spinning
        # pool burned several times a run's real CPU time against its CPU limit.
        "OMP_WAIT_POLICY": "PASSIVE",
        # torch.compile's C++ kernels without the 150 MB precompiled header it
        # would write first: that header alone overflows a /tmp of the usual
        # size ("cannot write PCH file: No space left on device"). A program may
        # set it back to "1" before importing torch, given /tmp room for it.
        "TORCHINDUCTOR_CPP_CACHE_PRECOMPILE_HEADERS": "0",
    }
    if gpu:
        env["CUDA_VISIBLE_DEVICES"] = "0"  # the one device node mounted
    if seed is not None:
        env["MILESTONES_SEED"] = str(seed)
    if dry_run:
        env["MILESTONES_DRY_RUN"] = "1"
    return env


def command(spec: SandboxSpec) -> list[str]:
    # -s: no user site-packages. Not -I: it would also drop the script's folder
    # from sys.path, and students import their sibling files (import helper).
    # Not -E either: the environment is ours (--clearenv), and its PYTHON*
    # settings are wanted.
    return [f"{RUNTIME_MOUNT}/bin/python", "-s", f"/submission/{entrypoint(spec)}"]


def entrypoint(spec: SandboxSpec) -> str:
    path = PurePosixPath(spec.entrypoint)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise ValueError(f"entrypoint must be a relative path inside the code: {spec.entrypoint!r}")
    return str(path)


def bwrap_argv(
    spec: SandboxSpec,
    *,
    bwrap: str,
    runtime_dir: Path,
    status_fd: int,
    etc_fds: Mapping[str, int],
    gpu: GpuAccess | None = None,
    cpus: int = 1,
    seccomp_fd: int | None = None,
) -> list[str]:
    """The full bwrap command line for ``spec`` (``seccomp_fd``: the compiled filter)."""
    return [
        bwrap,
        *_isolation(),
        *_system_mounts(),
        *_run_mounts(spec, runtime_dir),
        *_scratch_mounts(spec.limits.tmp_bytes),
        *_etc_mounts(etc_fds),
        *(_gpu_mounts(gpu) if gpu else []),
        # Read-only after everything under /dev is in place: --dev makes a
        # tmpfs of no size, writable by the program (only /dev/shm is scratch).
        "--remount-ro",
        "/",
        "--remount-ro",
        "/dev",
        "--chdir",
        "/submission",
        *_env_args(
            sandbox_env(cpus=cpus, gpu=gpu is not None, seed=spec.seed, dry_run=spec.dry_run)
        ),
        "--json-status-fd",
        str(status_fd),
        *(["--seccomp", str(seccomp_fd)] if seccomp_fd is not None else []),
        "--",
        *command(spec),
    ]


def _isolation() -> list[str]:
    return [
        # Every namespace; the explicit ones fail closed instead of "-try".
        "--unshare-all",
        "--unshare-user",
        "--unshare-cgroup",
        "--disable-userns",  # no nested user namespaces: less kernel surface
        "--uid",
        str(SANDBOX_UID),
        "--gid",
        str(SANDBOX_UID),
        "--hostname",
        "sandbox",
        # The sandbox dies with us; no controlling tty (TIOCSTI keystroke injection).
        "--die-with-parent",
        "--new-session",
        "--clearenv",
    ]


def _system_mounts(root: Path = Path("/")) -> list[str]:
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ROOT_LINKS:  # merged-/usr hosts link these; older ones have real dirs
        host = root / name
        if host.is_symlink():
            args += ["--symlink", os.readlink(host), f"/{name}"]
        elif host.is_dir():
            args += ["--ro-bind", str(host), f"/{name}"]
    return [*args, "--proc", "/proc", "--dev", "/dev"]


def _run_mounts(spec: SandboxSpec, runtime_dir: Path) -> list[str]:
    return [
        *_base_interpreter_mounts(runtime_dir),
        "--ro-bind",
        str(runtime_dir),
        RUNTIME_MOUNT,
        "--ro-bind",
        str(spec.code_dir),
        "/submission",
        "--ro-bind",
        str(spec.data_dir),
        "/data",
        "--bind",
        str(spec.output_dir),
        "/output",
    ]


def base_interpreter_prefix(runtime_dir: Path) -> Path | None:
    """Where the runtime venv's base Python lives, when that is outside /usr.

    A venv's bin/python links to its base interpreter (``home`` in pyvenv.cfg);
    our runtimes are made from /usr/bin/python3, already mounted. A runtime made
    from a Python elsewhere (conda under /opt, on a GPU host whose system Python
    holds torch) needs that installation too, read-only at its own path. Only a
    real installation prefix qualifies, never "/" or a top-level folder.
    """
    try:
        config = (runtime_dir / "pyvenv.cfg").read_text()
    except OSError:
        return None
    for line in config.splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "home" and value.strip():
            home = PurePosixPath(os.path.normpath(value.strip()))
            prefix = home.parent if home.name == "bin" else home
            inside_usr = prefix.parts[1:2] == ("usr",)
            if prefix.is_absolute() and len(prefix.parts) >= 3 and not inside_usr:
                return Path(prefix) if Path(prefix).is_dir() else None
    return None


def _base_interpreter_mounts(runtime_dir: Path) -> list[str]:
    prefix = base_interpreter_prefix(runtime_dir)
    return ["--ro-bind", str(prefix), str(prefix)] if prefix is not None else []


def _scratch_mounts(tmp_bytes: int) -> list[str]:
    # tmpfs pages are charged to the run's memory cgroup as well.
    return [
        "--size",
        str(tmp_bytes),
        "--tmpfs",
        "/tmp",
        "--size",
        str(tmp_bytes),
        "--tmpfs",
        "/dev/shm",
    ]


def _etc_mounts(etc_fds: Mapping[str, int]) -> list[str]:
    args = ["--dir", "/etc"]
    for path, fd in sorted(etc_fds.items()):
        args += ["--ro-bind-data", str(fd), path]
    # The loader's cache: without it, libraries outside the default paths
    # (and ctypes.util.find_library) are not found.
    return [*args, "--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache"]


def _gpu_mounts(gpu: GpuAccess) -> list[str]:
    args: list[str] = []
    for device in gpu.devices:
        args += ["--dev-bind", f"/dev/{device}", f"/dev/{device}"]
    for library in gpu.libraries:
        args += ["--ro-bind", library, library]
    return args


def _env_args(env: Mapping[str, str]) -> list[str]:
    args: list[str] = []
    for name, value in env.items():
        args += ["--setenv", name, value]
    return args
