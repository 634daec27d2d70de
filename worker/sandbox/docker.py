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
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from worker.sandbox import disk, docker_engine, launch, layout, outputs, seccomp
from worker.sandbox.base import (
    Channel,
    SandboxBackend,
    SandboxResult,
    SandboxSpec,
    SandboxUnavailable,
    Tick,
)
from worker.sandbox.docker_attach import Bridge, attach
from worker.sandbox.docker_owners import LABEL, OWNER_LABEL, owner_label, remove_orphans
from worker.sandbox.docker_watch import Watch
from worker.sandbox.so_far import of_docker

IMAGES = {"numpy": "milestones/runtime-numpy:1", "torch": "milestones/runtime-torch:1"}
RUNTIME_UID = 10001  # the non-root user the runtime images declare
PATH_MAP_ENV = "MILESTONES_DOCKER_PATH_MAP"

_ULIMIT_NAMES = {
    resource.RLIMIT_CPU: "cpu",
    resource.RLIMIT_FSIZE: "fsize",
    resource.RLIMIT_CORE: "core",
    resource.RLIMIT_NOFILE: "nofile",
    resource.RLIMIT_MEMLOCK: "memlock",
    resource.RLIMIT_MSGQUEUE: "msgqueue",
    resource.RLIMIT_SIGPENDING: "sigpending",
    resource.RLIMIT_NICE: "nice",
    resource.RLIMIT_RTPRIO: "rtprio",
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
    seccomp_profile: str | None = None,
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
        "environment": layout.sandbox_env(
            cpus=max(1, int(cpus)),
            gpu=spec.gpu is not None,
            seed=spec.seed,
            dry_run=spec.dry_run,
        ),
        "hostname": "sandbox",
        "network_mode": "none",  # no network at all, not even the host's loopback
        "cap_drop": ["ALL"],
        # setuid binaries cannot raise privileges; the default seccomp profile
        # with our refusals (seccomp.py); the AppArmor profile stays on.
        "security_opt": [
            "no-new-privileges:true",
            f"seccomp={seccomp_profile or seccomp.docker_profile()}",
        ],
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


def _mounts(spec: SandboxSpec, host_paths: PathMap) -> list[dict[str, Any]]:
    def bind(source: Path, target: str, *, read_only: bool) -> dict[str, Any]:
        return {
            "Type": "bind",
            "Source": str(host_paths(Path(source))),
            "Target": target,
            "ReadOnly": read_only,
        }

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
        # A worker in a container of its own (its paths mapped to the host's) would
        # mount a run's disk where the engine never sees it: a plain folder then.
        self.mounts_run_disks = host_paths is None and not os.environ.get(PATH_MAP_ENV)
        self.cpus = cpus
        self._client = client
        self._engine_is_podman: bool | None = None  # asked of the engine once

    def run(
        self, spec: SandboxSpec, *, tick: Tick | None = None, channel: Channel | None = None
    ) -> SandboxResult:
        client = self._connect()
        if spec.runtime not in self.images:
            raise SandboxUnavailable(f"no docker image for runtime {spec.runtime!r}")
        with contextlib.ExitStack() as stack:
            spec, own_disk = disk.on_own_disk(
                spec, stack, mount=self.mounts_run_disks, parent=spec.output_dir.parent
            )
            kwargs = container_spec(
                spec,
                image=self.images[spec.runtime],
                host_paths=self.host_paths,
                run_id=uuid.uuid4().hex,
                cpus=self.cpus,
                interactive=channel is not None,
                seccomp_profile=self._seccomp_option(spec),
            )
            stack.enter_context(_output_for(spec.output_dir, RUNTIME_UID))
            container = _create(client, kwargs)
            stack.callback(_remove, container)
            tick = launch.until_finished(tick, channel, so_far=lambda: of_docker(watch))
            watch = Watch(container, spec, tick, api=getattr(client, "api", None))
            watch.disk_full = own_disk.full
            if channel is not None:
                bridge = Bridge(attach(container), channel, watch.stderr_so_far)
                stack.callback(bridge.close)
                watch.detach = bridge.close
                bridge.start()
            watch.log_stdout = channel is None  # an interactive run's stdout is its answers
            result = watch.run()
        return result

    def _connect(self) -> Any:
        if self._client is not None:
            return self._client
        try:
            import docker  # type: ignore[import-not-found,unused-ignore]  # noqa: F401
        except ImportError as exc:
            raise SandboxUnavailable("the docker Python SDK is not installed") from exc
        try:
            client, facts = docker_engine.connected(timeout=30)
        except Exception as exc:  # the SDK raises several unrelated types here
            raise SandboxUnavailable(f"no Docker engine answers: {exc}") from exc
        # A worker killed mid-run on this host left its container running.
        remove_orphans(client)
        self._client = client
        self._engine_is_podman = facts.is_podman
        return client

    def _seccomp_option(self, spec: SandboxSpec) -> str | None:
        """What follows "seccomp=": Docker takes the profile itself, podman a file's path.

        The engine reads that path on its host, so the file lies in the run's own
        folder (worker-owned, not mounted into the container), seen through the
        path map when the worker itself runs in a container.
        """
        if self._engine_is_podman is None:
            self._engine_is_podman = _is_podman(self._connect())
        if not self._engine_is_podman:
            return None
        path = spec.output_dir.parent / "seccomp.json"
        path.write_text(seccomp.docker_profile())
        path.chmod(0o644)
        return str(self.host_paths(path))


def _is_podman(client: Any) -> bool:
    """Of a client given to the backend (its own connection asks ``docker_engine``)."""
    with contextlib.suppress(Exception):
        return docker_engine.look(client).is_podman
    return False


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


def _remove(container: Any) -> None:
    with contextlib.suppress(Exception):  # already gone is fine
        container.remove(force=True, v=True)
