"""The production backend: one hardened Docker container per run.

``container_spec`` is a pure function from a SandboxSpec to the keyword
arguments of the docker SDK's ``containers.create``, so every hardening flag is
unit-tested without an engine. ``DockerBackend.run`` creates the container,
watches it like the bubblewrap backend does (wall clock, /output size, tick),
and removes it whatever happens. The docker SDK is imported only when a run
needs it: an engine-less worker (bubblewrap) does not need it installed.
"""

from __future__ import annotations

import contextlib
import os
import resource
import socket
import struct
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from worker.sandbox import launch, layout, logs, outputs
from worker.sandbox.base import (
    Channel,
    SandboxBackend,
    SandboxResult,
    SandboxSpec,
    SandboxUnavailable,
    Tick,
)
from worker.sandbox.verdict import Observed, decide

IMAGES = {"numpy": "milestones/runtime-numpy:1", "torch": "milestones/runtime-torch:1"}
RUNTIME_UID = 10001  # the non-root user the runtime images declare
LABEL = "milestones.sandbox.run"
OWNER_LABEL = "milestones.sandbox.owner"
PATH_MAP_ENV = "MILESTONES_DOCKER_PATH_MAP"
POLL_SECONDS = 0.2
TICK_SECONDS = 0.5

_ULIMIT_NAMES = {
    resource.RLIMIT_CPU: "cpu",
    resource.RLIMIT_FSIZE: "fsize",
    resource.RLIMIT_CORE: "core",
}

PathMap = Callable[[Path], Path]


def identity(path: Path) -> Path:
    return path


def parse_path_map(text: str | None) -> PathMap:
    """``"/srv/milestones:/var/lib/milestones,..."`` -> worker path to host path.

    When the worker itself runs in a container, the paths it sees are not the
    ones the engine (on the host) must bind: each pair maps a worker-side
    prefix to its host-side twin. The longest matching prefix wins.
    """
    pairs: list[tuple[Path, Path]] = []
    for item in (text or "").split(","):
        if not item.strip():
            continue
        inside, sep, host = item.strip().partition(":")
        if not sep or not inside.startswith("/") or not host.startswith("/"):
            raise ValueError(f"{PATH_MAP_ENV}: expected /worker/path:/host/path, got {item!r}")
        pairs.append((Path(inside), Path(host)))
    pairs.sort(key=lambda pair: len(pair[0].parts), reverse=True)

    def to_host(path: Path) -> Path:
        for inside, host in pairs:
            if path == inside or inside in path.parents:
                return host / path.relative_to(inside)
        return path

    return to_host


def container_spec(
    spec: SandboxSpec,
    *,
    image: str,
    host_paths: PathMap = identity,
    run_id: str = "",
    cpus: float = 1.0,
    user: str = f"{RUNTIME_UID}:{RUNTIME_UID}",
    interactive: bool = False,
) -> dict[str, Any]:
    """Keyword arguments for ``client.containers.create`` (docker SDK 7).

    The cores granted in ``spec.cpus`` (the worker's slot) pin the container
    (``cpuset_cpus``) and size its quota; without a grant, ``cpus`` does."""
    limits = spec.limits
    cpus = float(len(spec.cpus)) if spec.cpus else cpus
    pinned = {"cpuset_cpus": ",".join(str(core) for core in spec.cpus)} if spec.cpus else {}
    return {
        "image": image,
        "command": layout.command(spec),
        "working_dir": "/submission",
        "user": user,  # never root, whatever the image says
        "environment": layout.sandbox_env(cpus=max(1, int(cpus)), gpu=spec.gpu is not None),
        "hostname": "sandbox",
        "network_mode": "none",  # no network at all, not even the host's loopback
        "cap_drop": ["ALL"],
        # setuid binaries cannot raise privileges; the default seccomp and
        # AppArmor profiles stay on (nothing here turns them off).
        "security_opt": ["no-new-privileges:true"],
        "read_only": True,  # the image's filesystem; /tmp and /output are the writable ones
        "tmpfs": {"/tmp": f"rw,nosuid,nodev,size={limits.tmp_bytes},mode=1777"},
        "shm_size": limits.tmp_bytes,
        "mounts": _mounts(spec, host_paths),
        "mem_limit": limits.memory_bytes,
        "memswap_limit": limits.memory_bytes,  # equal: no swap beyond the memory limit
        "oom_score_adj": 1000,  # if the host runs short, the sandbox goes first
        "pids_limit": limits.processes,
        "nano_cpus": int(cpus * 1e9),
        "ulimits": _ulimits(spec),
        "ipc_mode": "private",
        "cgroupns": "private",
        "init": True,  # a real pid 1 reaps orphans; all die with the container
        "log_config": _log_config(limits.log_bytes),
        "labels": {LABEL: run_id, OWNER_LABEL: owner_label()},
        "auto_remove": False,  # we read its state first, then remove it ourselves
        "stdin_open": interactive,  # an interactive run's queries come on stdin
        "tty": False,
        **pinned,
        **({"device_requests": [_gpu_request(spec.gpu)]} if spec.gpu is not None else {}),
    }


def owner_label() -> str:
    """Which worker process started a container: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def remove_orphans(client: Any, *, alive: Callable[[int], bool]) -> list[str]:
    """Remove this host's sandbox containers whose worker process is gone (it was
    SIGKILLed mid-run: its ``finally`` never removed them). Returns their ids."""
    host = socket.gethostname()
    removed = []
    for container in client.containers.list(all=True, filters={"label": LABEL}):
        owner = str(container.labels.get(OWNER_LABEL, ""))
        owner_host, _, pid = owner.rpartition(":")
        if owner_host != host or not pid.isdigit() or alive(int(pid)):
            continue
        _remove(container)
        removed.append(str(container.id))
    return removed


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _mounts(spec: SandboxSpec, host_paths: PathMap) -> list[dict[str, Any]]:
    def bind(source: Path, target: str, *, read_only: bool) -> dict[str, Any]:
        return {"Type": "bind", "Source": str(host_paths(Path(source))), "Target": target,
                "ReadOnly": read_only}  # fmt: skip

    return [
        bind(spec.code_dir, "/submission", read_only=True),
        bind(spec.data_dir, "/data", read_only=True),
        bind(spec.output_dir, "/output", read_only=False),
    ]


def _ulimits(spec: SandboxSpec) -> list[dict[str, Any]]:
    # The same rlimits as bubblewrap's, except nproc: docker counts it per uid
    # across every container of the host, so pids_limit does that job here.
    chosen = launch.rlimits(spec.limits, count_processes=False)
    return [
        {"name": _ULIMIT_NAMES[which], "soft": soft, "hard": hard}
        for which, (soft, hard) in chosen.items()
    ]


def _log_config(log_bytes: int) -> dict[str, Any]:
    # The engine keeps the log; capped so a stdout flood cannot fill its disk.
    size_kib = max(1024, 4 * log_bytes // 1024)
    return {"type": "json-file", "config": {"max-size": f"{size_kib}k", "max-file": "2"}}


def _gpu_request(index: int) -> dict[str, Any]:
    # docker.types.DeviceRequest as a dict (the SDK converts it): this one GPU only,
    # which the program then sees as device 0.
    return {"driver": "nvidia", "device_ids": [str(index)], "capabilities": [["gpu"]]}


class DockerBackend(SandboxBackend):
    name = "docker"

    def __init__(
        self,
        *,
        images: Mapping[str, str] | None = None,
        host_paths: PathMap | None = None,
        cpus: float = 1.0,
        client: Any = None,
    ) -> None:
        self.images = dict(images or IMAGES)
        self.host_paths = host_paths or parse_path_map(os.environ.get(PATH_MAP_ENV))
        self.cpus = cpus
        self._client = client

    def run(
        self, spec: SandboxSpec, *, tick: Tick | None = None, channel: Channel | None = None
    ) -> SandboxResult:
        client = self._connect()
        if spec.runtime not in self.images:
            raise SandboxUnavailable(f"no docker image for runtime {spec.runtime!r}")
        kwargs = container_spec(spec, image=self.images[spec.runtime], host_paths=self.host_paths,
                                run_id=uuid.uuid4().hex, cpus=self.cpus,
                                interactive=channel is not None)  # fmt: skip
        with contextlib.ExitStack() as stack:
            stack.enter_context(_output_for(spec.output_dir, RUNTIME_UID))
            container = _create(client, kwargs)
            stack.callback(_remove, container)
            if channel is not None:
                bridge = _Bridge(_attach(container), channel)
                stack.callback(bridge.close)
                bridge.start()
            watch = _Watch(container, spec, launch.until_finished(tick, channel))
            watch.log_stdout = channel is None  # an interactive run's stdout is its answers
            result = watch.run()
        return result

    def _connect(self) -> Any:
        if self._client is not None:
            return self._client
        try:
            import docker  # type: ignore[import-not-found,unused-ignore]
        except ImportError as exc:
            raise SandboxUnavailable("the docker Python SDK is not installed") from exc
        try:
            client = docker.from_env(timeout=30)
            client.ping()
        except Exception as exc:  # the SDK raises several unrelated types here
            raise SandboxUnavailable(f"no Docker engine answers: {exc}") from exc
        # A worker killed mid-run on this host left its container running.
        remove_orphans(client, alive=process_alive)
        self._client = client
        return client


@contextlib.contextmanager
def _output_for(output_dir: Path, uid: int) -> Any:
    """/output writable by the container's user for the run, then the worker's again."""
    if os.geteuid() == 0:
        owner = outputs.hand_over(output_dir, uid=uid, gid=uid)
        try:
            yield
        finally:
            outputs.take_back(output_dir, owner=owner)
        return
    mode = output_dir.stat().st_mode & 0o7777
    output_dir.chmod(0o777)  # not root: we cannot chown, so anyone may write, for now
    try:
        yield
    finally:
        output_dir.chmod(mode)


def _create(client: Any, kwargs: dict[str, Any]) -> Any:
    try:
        return client.containers.create(**kwargs)
    except Exception as exc:  # ImageNotFound, APIError...: the platform's fault
        raise SandboxUnavailable(f"cannot create the sandbox container: {exc}") from exc


def _attach(container: Any) -> socket.socket:
    """The container's stdin and stdout (not stderr: that stays the log), attached
    before it starts so that no line is missed."""
    try:
        attached = container.attach_socket(params={"stdin": 1, "stdout": 1, "stream": 1})
    except Exception as exc:
        raise SandboxUnavailable(f"cannot attach to the sandbox container: {exc}") from exc
    return getattr(attached, "_sock", attached)  # the SDK wraps the raw socket


class _Bridge:
    """An attach socket presented to a channel as the pipes bubblewrap gives it.

    One pump copies the channel's queries into the socket; the other unwraps the
    engine's framing (8-byte headers: stream, 0, 0, 0, big-endian length) and
    copies stdout frames into the channel's pipe. Blocking writes into a pipe the
    channel does not read hold the container's stdout back: nothing piles up here.
    """

    def __init__(self, raw: socket.socket, channel: Channel) -> None:
        self.raw = raw
        self.pipes = launch.ChannelPipes(channel)
        stdin, stdout = (os.dup(fd) for fd in self.pipes.child_ends)
        self.pumps = [
            threading.Thread(target=self._queries, args=(stdin,), daemon=True),
            threading.Thread(target=self._answers, args=(stdout,), daemon=True),
        ]

    def start(self) -> None:
        for pump in self.pumps:
            pump.start()
        self.pipes.start()

    def close(self) -> None:
        try:
            self.pipes.close()
        finally:
            with contextlib.suppress(OSError):
                self.raw.shutdown(socket.SHUT_RDWR)
            self.raw.close()
            for pump in self.pumps:
                pump.join(launch.CHANNEL_JOIN_SECONDS)

    def _queries(self, stdin: int) -> None:
        try:
            while chunk := os.read(stdin, 65536):
                self.raw.sendall(chunk)
            self.raw.shutdown(socket.SHUT_WR)  # the channel is done: the program's stdin ends
        except OSError:
            pass  # the container or the socket is gone
        finally:
            os.close(stdin)

    def _answers(self, stdout: int) -> None:
        try:
            while header := _read_exactly(self.raw, 8):
                stream, length = struct.unpack(">BxxxL", header)
                payload = _read_exactly(self.raw, length)
                while stream == 1 and payload:
                    payload = payload[os.write(stdout, payload) :]
        except OSError:
            pass
        finally:
            os.close(stdout)  # the channel sees the program's stdout end


def _read_exactly(raw: socket.socket, size: int) -> bytes:
    """``size`` bytes, or b"" at the end of the stream."""
    data = bytearray()
    while len(data) < size:
        chunk = raw.recv(min(size - len(data), 65536))
        if not chunk:
            return b""
        data += chunk
    return bytes(data)


def _remove(container: Any) -> None:
    with contextlib.suppress(Exception):  # already gone is fine
        container.remove(force=True, v=True)


class _Watch:
    """Start one container and follow it to its end (the monitor loop of docker)."""

    def __init__(self, container: Any, spec: SandboxSpec, tick: Tick | None) -> None:
        self.container, self.spec, self.tick = container, spec, tick
        self.cpu_seconds = 0.0
        self.peak_memory = 0
        self.log_stdout = True

    def run(self) -> SandboxResult:
        started = time.monotonic()
        self.container.start()
        stop = self._follow(started)
        if stop is not None:
            with contextlib.suppress(Exception):
                self.container.kill()
        state = self._final_state()
        wall = time.monotonic() - started
        return self._result(stop, state, wall)

    def _follow(self, started: float) -> str | None:
        limits, next_tick = self.spec.limits, started
        while True:
            self.container.reload()
            if self.container.status in ("exited", "dead"):
                return None
            now = time.monotonic()
            if now - started > limits.wall_seconds or self.cpu_seconds > limits.cpu_seconds:
                return "time"
            if outputs.usage(self.spec.output_dir, stop_above=limits.output_bytes).over(
                max_bytes=limits.output_bytes
            ):
                return "output"
            if self.tick is not None and now >= next_tick:
                next_tick = now + TICK_SECONDS
                if not self.tick():
                    return "cancelled"
            self._sample()
            time.sleep(POLL_SECONDS)

    def _sample(self) -> None:
        with contextlib.suppress(Exception):  # stats of a container that just ended
            stats = self.container.stats(stream=False, one_shot=True)
            memory = stats.get("memory_stats", {})
            usage = memory.get("max_usage") or memory.get("usage") or 0
            self.peak_memory = max(self.peak_memory, int(usage))
            total = stats.get("cpu_stats", {}).get("cpu_usage", {}).get("total_usage", 0)
            self.cpu_seconds = max(self.cpu_seconds, total / 1e9)

    def _final_state(self) -> dict[str, Any]:
        with contextlib.suppress(Exception):
            self.container.wait(timeout=30)
        self.container.reload()
        return dict(self.container.attrs.get("State", {}))

    def _result(self, stop: str | None, state: dict[str, Any], wall: float) -> SandboxResult:
        limits = self.spec.limits
        code = int(state.get("ExitCode", -1))
        exit_code, signal_number = (None, code - 128) if code > 128 else (code, None)
        written = outputs.usage(self.spec.output_dir, stop_above=limits.output_bytes)
        seen = Observed(
            exit_code=exit_code,
            signal=signal_number,
            cancelled=stop == "cancelled",
            time_exceeded=stop == "time",
            memory_exceeded=bool(state.get("OOMKilled")),
            output_exceeded=stop == "output" or written.over(max_bytes=limits.output_bytes),
            cpu_seconds=self.cpu_seconds,
            cpu_limit=limits.cpu_seconds,
        )
        return SandboxResult(
            status=decide(seen),
            exit_code=exit_code,
            signal=signal_number,
            wall_seconds=wall,
            cpu_seconds=self.cpu_seconds,
            peak_memory_bytes=self.peak_memory,
            log_tail=self._log_tail(),
        )

    def _log_tail(self) -> str:
        try:
            raw = self.container.logs(stdout=self.log_stdout, stderr=True)
        except Exception:
            return ""
        return logs.decode(bytes(raw)[-self.spec.limits.log_bytes :])
