"""podman as the container engine where no Docker daemon runs: its configuration.

Every podman command of this project (image builds, the Docker-API service the
tests start) reads the ``containers.conf`` written here, through ``CONTAINERS_CONF``.
It makes podman 4.3 (Debian bookworm) behave as Docker does where the two differ
in what the sandbox relies on:

- runc as the OCI runtime: crun refuses hosts with a hybrid cgroup v1 hierarchy;
  cgroupfs as the cgroup manager and a file as the event log: no systemd needed;
  netavark (with aardvark-dns) for networks: compose's services find each other
  by name, as on Docker (podman's CNI backend has no DNS without a plugin).
- Resource limits no higher than the engine's own (``engine/runc-within-limits``).
  podman 4.3 gives every container 1048576 open files and processes, which a root
  without CAP_SYS_RESOURCE (root in a container or a VM sandbox) cannot grant:
  runc then refuses to start it. Docker lets containers inherit its own limits;
  podman 5 lowers its defaults to them. The wrapper lowers every rlimit of the
  spec to runc's own hard limit before runc runs; the sandbox's own (cpu,
  fsize, core) are far below and pass unchanged.
- OOM kills reported (``engine/conmon-in-bundle``). podman 4.3 looks for conmon's
  OOM marker in the container's bundle folder, conmon 2.1 writes it into its
  working folder, so ``OOMKilled`` was never true (podman#13102, fixed in podman
  5). The wrapper starts conmon in the bundle folder.
- Docker's seccomp rules for namespaces and mounts. podman's default profile
  allows ``unshare``, ``setns``, ``mount`` and namespace flags of ``clone`` to
  everyone (for nested containers): a sandboxed program could make a user
  namespace and hold every capability in it. Docker allows them only with
  CAP_SYS_ADMIN (which no sandbox has) and refuses the kernel keyring calls;
  the profile written here is podman's own with those rules.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CONF_ENV = "CONTAINERS_CONF"
ENGINE_DIR = Path(__file__).resolve().parent / "engine"
PODMAN_SECCOMP = Path("/usr/share/containers/seccomp.json")

# Docker's default profile: allowed only with CAP_SYS_ADMIN.
SYS_ADMIN_ONLY = [
    "bpf",
    "clone",
    "clone3",
    "fanotify_init",
    "fsconfig",
    "fsmount",
    "fsopen",
    "fspick",
    "lookup_dcookie",
    "mount",
    "mount_setattr",
    "move_mount",
    "open_tree",
    "perf_event_open",
    "quotactl",
    "quotactl_fd",
    "setdomainname",
    "sethostname",
    "setns",
    "syslog",
    "umount",
    "umount2",
    "unshare",
]
REFUSED = ["add_key", "keyctl", "request_key"]  # not in Docker's profile at all
# CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET
CLONE_NEW_NAMESPACES = 0x7E020000
ENOSYS = 38  # clone3 "does not exist": the C library falls back to clone


def docker_seccomp_rules(profile: dict[str, Any]) -> dict[str, Any]:
    """``profile`` (podman's default) with Docker's rules for the syscalls above."""
    gated = {*SYS_ADMIN_ONLY, *REFUSED}
    rules = []
    for rule in profile["syscalls"]:
        unconditional = rule["action"] == "SCMP_ACT_ALLOW" and not (rule.get("includes") or {}).get(
            "caps"
        )
        names = [name for name in rule["names"] if not (unconditional and name in gated)]
        if names:
            rules.append({**rule, "names": names})
    sys_admin = {"caps": ["CAP_SYS_ADMIN"]}
    rules += [
        {"names": SYS_ADMIN_ONLY, "action": "SCMP_ACT_ALLOW", "includes": sys_admin},
        {  # clone without new namespaces
            "names": ["clone"],
            "action": "SCMP_ACT_ALLOW",
            "args": [{"index": 0, "value": CLONE_NEW_NAMESPACES, "op": "SCMP_CMP_MASKED_EQ"}],
            "excludes": sys_admin,
        },
        {
            "names": ["clone3"],
            "action": "SCMP_ACT_ERRNO",
            "errnoRet": ENOSYS,
            "excludes": sys_admin,
        },
    ]
    return {**profile, "syscalls": rules}


def containers_conf(*, seccomp: Path) -> str:
    return (
        "# Written by worker/runtimes/podman.py; see its docstring.\n"
        "[containers]\n"
        f'seccomp_profile = "{seccomp}"\n'
        "\n[network]\n"
        'network_backend = "netavark"\n'
        "\n[engine]\n"
        'runtime = "runc"\n'
        'cgroup_manager = "cgroupfs"\n'
        'events_logger = "file"\n'
        f'conmon_path = ["{ENGINE_DIR / "conmon-in-bundle"}"]\n'
        "\n[engine.runtimes]\n"
        f'runc = ["{ENGINE_DIR / "runc-within-limits"}"]\n'
    )


def write_containers_conf(path: Path) -> Path:
    """Write (or refresh) the configuration at ``path`` and the seccomp profile
    beside it; returns the configuration's path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    seccomp = path.with_name("seccomp.json")
    profile = docker_seccomp_rules(json.loads(PODMAN_SECCOMP.read_text()))
    _write(seccomp, json.dumps(profile, indent=1) + "\n")
    _write(path, containers_conf(seccomp=seccomp))
    return path


def _write(path: Path, text: str) -> None:
    # Only when changed, and whole: a podman reading it meanwhile never sees half.
    if not path.exists() or path.read_text() != text:
        staging = path.with_name(f".{path.name}.new")
        staging.write_text(text)
        staging.chmod(0o644)
        staging.replace(path)
