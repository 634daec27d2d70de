"""The seccomp filter bubblewrap loads before it execs the program.

A deny list over an allowed default: the syscalls a submission never needs and
that widen the kernel surface it can reach (io_uring, keys, userfaultfd,
perf, bpf, ptrace and reading other processes' memory, mounts and new
namespaces, modules, kexec, reboot..., and the ioctls that type into a
terminal). They fail with EPERM, as an
unprivileged process expects; ``clone3`` fails with ENOSYS, so the C library
falls back to ``clone``, whose namespace flags are refused. Syscalls of another
architecture (i386 or x32 on x86-64) kill the process: libseccomp's default.

The filter is compiled by libseccomp (the library systemd, podman and Docker
use) into classic BPF, which bwrap reads from a file descriptor (``--seccomp``).
The Docker backend sends the engines' default profile (an allow list; the copy
in ``seccomp_containers.json`` is containers/common's, Apache-2.0) with the same
syscalls taken out of what it allows: that default lets ptrace, keyctl,
process_vm_readv and pidfd_getfd through.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import functools
import json
import os
from collections.abc import Sequence
from pathlib import Path

DENIED = (
    # kernel surface a program never needs
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "keyctl",
    "add_key",
    "request_key",
    "userfaultfd",
    "perf_event_open",
    "bpf",
    "lookup_dcookie",
    "syslog",
    # other processes: debugging, reading and stealing from them
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "pidfd_getfd",
    "kcmp",
    # mounts, roots and namespaces
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "move_mount",
    "open_tree",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "mount_setattr",
    "unshare",
    "setns",
    "open_by_handle_at",
    "name_to_handle_at",
    # the machine itself
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "reboot",
    "swapon",
    "swapoff",
    "acct",
    "quotactl",
)
# clone(2) flags that make a namespace; threads and fork never pass them.
NAMESPACE_FLAGS = (
    0x00020000,  # CLONE_NEWNS
    0x02000000,  # CLONE_NEWCGROUP
    0x04000000,  # CLONE_NEWUTS
    0x08000000,  # CLONE_NEWIPC
    0x10000000,  # CLONE_NEWUSER
    0x20000000,  # CLONE_NEWPID
    0x40000000,  # CLONE_NEWNET
)

# ioctl(2) requests that push input into a terminal as if typed (TIOCSTI) or
# paste into a console (TIOCLINUX): beside bwrap's --new-session, the sandbox
# has no way to type commands into a terminal of the worker's.
TERMINAL_INJECTION = (0x5412, 0x541C)  # TIOCSTI, TIOCLINUX
# ioctl's request is an int: only its low 32 bits are compared.
_INT_MASK = 0xFFFFFFFF

CONTAINERS_PROFILE = Path(__file__).with_name("seccomp_containers.json")
_SCMP_ACT_ALLOW = 0x7FFF0000
_SCMP_ACT_ERRNO = 0x00050000
_SCMP_CMP_MASKED_EQ = 7


class _ArgCompare(ctypes.Structure):
    _fields_ = [
        ("arg", ctypes.c_uint),
        ("op", ctypes.c_int),
        ("datum_a", ctypes.c_uint64),
        ("datum_b", ctypes.c_uint64),
    ]


class SeccompUnavailable(Exception):
    """libseccomp is missing: the sandbox runs without its filter (the worker says so)."""


@functools.cache
def _library() -> ctypes.CDLL:
    name = ctypes.util.find_library("seccomp")
    if name is None:
        raise SeccompUnavailable("libseccomp is not installed (apt: libseccomp2)")
    library = ctypes.CDLL(name, use_errno=True)
    library.seccomp_init.restype = ctypes.c_void_p
    library.seccomp_init.argtypes = [ctypes.c_uint32]
    library.seccomp_release.argtypes = [ctypes.c_void_p]
    library.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    library.seccomp_rule_add_array.argtypes = [
        ctypes.c_void_p,
        ctypes.c_uint32,
        ctypes.c_int,
        ctypes.c_uint,
        ctypes.POINTER(_ArgCompare),
    ]
    library.seccomp_export_bpf.argtypes = [ctypes.c_void_p, ctypes.c_int]
    return library


@functools.cache
def filter_program(denied: Sequence[str] = DENIED) -> bytes:
    """The compiled filter (classic BPF for this machine's architecture), made once."""
    library = _library()
    context = library.seccomp_init(_SCMP_ACT_ALLOW)
    if not context:
        raise SeccompUnavailable("seccomp_init failed")
    try:
        for name in denied:
            _deny(library, context, name, errno.EPERM)
        _deny(library, context, "clone3", errno.ENOSYS)  # glibc then uses clone
        for flag in NAMESPACE_FLAGS:
            _deny(
                library,
                context,
                "clone",
                errno.EPERM,
                _ArgCompare(0, _SCMP_CMP_MASKED_EQ, flag, flag),
            )
        for request in TERMINAL_INJECTION:
            compare = _ArgCompare(1, _SCMP_CMP_MASKED_EQ, _INT_MASK, request)
            _deny(library, context, "ioctl", errno.EPERM, compare)
        return _export(library, context)
    finally:
        library.seccomp_release(context)


def _deny(library: ctypes.CDLL, context: int, name: str, code: int, *compare: _ArgCompare) -> None:
    number = library.seccomp_syscall_resolve_name(name.encode())
    if number < 0:
        return  # unknown to this architecture (or this libseccomp): nothing to refuse
    array = (_ArgCompare * len(compare))(*compare) if compare else None
    result = library.seccomp_rule_add_array(
        context, _SCMP_ACT_ERRNO | code, number, len(compare), array
    )
    if result < 0:
        raise SeccompUnavailable(f"cannot add the rule for {name}: {os.strerror(-result)}")


def _export(library: ctypes.CDLL, context: int) -> bytes:
    fd = os.memfd_create("seccomp")
    try:
        result = library.seccomp_export_bpf(context, fd)
        if result < 0:
            raise SeccompUnavailable(f"cannot export the filter: {os.strerror(-result)}")
        os.lseek(fd, 0, os.SEEK_SET)
        chunks = []
        while chunk := os.read(fd, 65536):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


@functools.cache
def docker_profile() -> str:
    """The engines' default profile, minus what DENIED names (and clone3: ENOSYS, its default)."""
    profile = json.loads(CONTAINERS_PROFILE.read_text())
    refused = {*DENIED, "clone3", "clone"}
    for rule in profile["syscalls"]:
        if rule["action"] == "SCMP_ACT_ALLOW":
            rule["names"] = [name for name in rule["names"] if name not in refused]
    # clone only without namespace flags (Docker's own rule; podman's lets them through).
    no_namespaces = {"index": 0, "value": sum(NAMESPACE_FLAGS), "valueTwo": 0}
    profile["syscalls"].append(
        {
            "names": ["clone"],
            "action": "SCMP_ACT_ALLOW",
            "args": [{**no_namespaces, "op": "SCMP_CMP_MASKED_EQ"}],
        }
    )
    return json.dumps(profile, separators=(",", ":"))
