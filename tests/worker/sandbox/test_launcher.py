"""The launcher (launcher.c) that starts bwrap instead of a preexec_fn: its options,
each step it takes for real, that a failing step starts nothing, that only a
folder of our own holds it, and that a run without it holds the same limits."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.sandbox import UID_BASE, RunDirs, limits
from worker.sandbox import SandboxSpec, Status, launch, launcher
from worker.sandbox.bubblewrap import BubblewrapBackend
from worker.sandbox.cgroups import create_run_cgroups
from worker.sandbox.uids import Identity

needs_compiler = pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler")
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="only root drops to another uid")
# What a launched program reports of itself (the host's python: any uid reads it).
REPORT = (
    "import json, os, resource\n"
    "print(json.dumps({'ids': [os.getresuid(), os.getresgid(), os.getgroups()],"
    " 'files': resource.getrlimit(resource.RLIMIT_NOFILE),"
    " 'cores': sorted(os.sched_getaffinity(0)), 'cgroup': open('/proc/self/cgroup').read()}))\n"
)


def test_the_options_take_the_preexec_steps_in_order():
    files = resource.RLIMIT_NOFILE
    dedicated = Identity(uid=61003, gid=61003, dedicated=True)
    argv = launcher.argv(
        "/x/launch",
        join_files=["/cg/memory/run/tasks", "/cg/pids/run/tasks"],
        limits={files: (100, 100)},
        identity=dedicated,
        affinity=[3, 1, 3],
    )
    assert argv == [
        "/x/launch",
        *("-j", "/cg/memory/run/tasks", "-j", "/cg/pids/run/tasks"),
        *("-r", f"{files}:100:100"),
        *("-c", "1", "-c", "3"),
        *("-u", "61003", "-g", "61003"),
        "--",
    ]
    ourselves = Identity(uid=1000, gid=1000, dedicated=False)
    plain = launcher.argv("/x/launch", join_files=[], limits={}, identity=ourselves)
    assert plain == ["/x/launch", "--"]  # never a uid it would not drop to


@needs_compiler
@needs_root
def test_the_launcher_joins_limits_pins_and_drops_before_exec(tmp_path: Path):
    tool = launcher.built(tmp_path / "bin")
    assert tool is not None
    cgroups = create_run_cgroups()
    if not cgroups.enabled:
        pytest.skip("no cgroups to join here")
    core = sorted(os.sched_getaffinity(0))[-1]
    uid = UID_BASE + 250
    try:
        steps = launcher.argv(
            tool,
            join_files=cgroups.join_files(),
            limits={resource.RLIMIT_NOFILE: (100, 100)},
            identity=Identity(uid=uid, gid=uid, dedicated=True),
            affinity=[core],
        )
        done = subprocess.run(
            [*steps, "/usr/bin/python3", "-c", REPORT], capture_output=True, check=True
        )
    finally:
        cgroups.remove()
    seen = json.loads(done.stdout)
    assert seen["ids"] == [[uid] * 3, [uid] * 3, []]
    assert seen["files"] == [100, 100]
    assert seen["cores"] == [core]
    name = next(iter(cgroups.dirs.values())).name
    assert seen["cgroup"].count(name) >= len(set(cgroups.dirs.values()))


@needs_compiler
def test_a_failing_step_starts_nothing(tmp_path: Path):
    tool = launcher.built(tmp_path / "bin")
    assert tool is not None
    done = subprocess.run(
        [tool, "-j", str(tmp_path / "no-such-cgroup" / "tasks"), "--", "/bin/echo", "started"],
        capture_output=True,
    )
    assert done.returncode == 126
    assert b"started" not in done.stdout and b"milestones-launch: open" in done.stderr
    for bad in (["-r", "7:x:1"], ["-u", "61000"], ["-c", "99999"], ["-x", "1"]):
        done = subprocess.run([tool, *bad, "--", "/bin/echo", "started"], capture_output=True)
        assert (done.returncode, done.stdout) == (126, b""), bad
    relative = subprocess.run([tool, "--", "echo", "started"], capture_output=True)
    assert (relative.returncode, relative.stdout) == (126, b"")


@needs_compiler
def test_only_a_folder_of_our_own_holds_the_launcher(tmp_path: Path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)  # another user could swap what root would exec
    with pytest.raises(PermissionError):
        launcher._built(shared)
    assert not list(shared.iterdir())


@needs_root
@needs_compiler
def test_a_run_holds_the_same_limits_with_or_without_the_launcher(
    run_dirs: RunDirs, runtimes_dir: Path
):
    source = (
        "import os, resource\n"
        "print([resource.getrlimit(r) for r in (resource.RLIMIT_NPROC, resource.RLIMIT_NOFILE,"
        " resource.RLIMIT_CPU, resource.RLIMIT_FSIZE, resource.RLIMIT_CORE)], os.getresuid())\n"
    )
    spec = _spec(run_dirs, source, processes=20, cpu_seconds=7, wall_seconds=20)
    tails = []
    for use in (True, False):
        backend = BubblewrapBackend(runtimes_dir=runtimes_dir, uid_base=UID_BASE, use_launcher=use)
        result = backend.run(spec)
        assert result.status is Status.OK, result.log_tail
        tails.append(result.log_tail)
    assert tails[0] == tails[1]
    assert "(22, 22)" in tails[0] and "(7, 8)" in tails[0]


def test_bwrap_leads_its_own_process_group_without_a_session_of_its_own(tmp_path: Path):
    log = os.open(tmp_path / "log", os.O_WRONLY | os.O_CREAT, 0o600)
    status = launch.status_pipe()
    started = launch.start(
        ["/bin/sleep", "30"], log_fd=log, status=status, pass_fds=[], preexec=None
    )
    try:
        pid = started.process.pid
        assert os.getpgid(pid) == pid  # killed as one group
        assert os.getsid(pid) == os.getsid(0)  # a new session is a new scheduler autogroup
    finally:
        started.stop()
        os.close(status[0])
        os.close(log)


TTY_ATTACK = """
import fcntl, os, termios
try:
    fd = os.open("/dev/tty", os.O_RDWR)
    fcntl.ioctl(fd, termios.TIOCSTI, b"x")
    print("injected into the worker's terminal")
except OSError as exc:
    print("no terminal", exc.errno)
"""


@needs_root
def test_a_run_cannot_reach_the_terminal_of_a_worker_that_has_one(
    run_dirs: RunDirs, runtimes_dir: Path
):
    # bwrap is no longer a session leader of its own; the program's session
    # (bwrap's --new-session) must still have no terminal to inject keys into.
    spec = _spec(run_dirs, TTY_ATTACK, wall_seconds=20)
    backend = BubblewrapBackend(runtimes_dir=runtimes_dir, uid_base=UID_BASE)
    master, slave = os.openpty()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # a worker whose controlling terminal is the pty
        code = 1
        try:
            os.setsid()
            os.close(os.open(os.ttyname(slave), os.O_RDWR))  # acquires it
            os.close(os.open("/dev/tty", os.O_RDWR))  # it has one
            os.write(write, backend.run(spec).log_tail.encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    tail = b""
    while chunk := os.read(read, 65536):
        tail += chunk
    assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
    for fd in (read, master, slave):
        os.close(fd)
    assert b"no terminal" in tail and b"injected" not in tail, tail


OWN_TERMINAL = """
import fcntl, os, termios
master, slave = os.openpty()
if os.fork() == 0:
    os.setsid()
    fcntl.ioctl(slave, termios.TIOCSCTTY, 0)  # a terminal of its own, its controlling one
    try:
        fcntl.ioctl(slave, termios.TIOCSTI, b"x")
        print("typed into it")
    except OSError as exc:
        print("refused", exc.errno)
    os._exit(0)
os.wait()
"""


@needs_root
def test_typing_into_a_terminal_is_refused_even_its_own(run_dirs: RunDirs, runtimes_dir: Path):
    # The second wall (seccomp) behind --new-session: TIOCSTI fails whatever the terminal.
    spec = _spec(run_dirs, OWN_TERMINAL, wall_seconds=20)
    result = BubblewrapBackend(runtimes_dir=runtimes_dir, uid_base=UID_BASE).run(spec)
    assert "refused 1" in result.log_tail, result.log_tail  # EPERM


def _spec(run_dirs: RunDirs, source: str, **changes: float) -> SandboxSpec:
    """``source`` as the entrypoint, under the limits of a challenge that sets none but ``changes``."""
    (run_dirs.code / "main.py").write_text(source)
    (run_dirs.code / "main.py").chmod(0o644)
    return SandboxSpec(
        code_dir=run_dirs.code,
        data_dir=run_dirs.data,
        output_dir=run_dirs.output,
        runtime="numpy",
        limits=limits(**changes),
    )
