"""The sandbox contract, run against every backend: what a program may do, what it
may not, and how each way of ending becomes a status. Each run is a real one."""

from __future__ import annotations

import socket
import time
import uuid

import pytest

from tests.support.paths import REPO
from tests.support.sandbox import RunDirs, Runner, processes_running, runtime_missing
from worker.runtimes.build import RUNTIMES
from worker.sandbox import Status

MiB = 1024 * 1024


# Long enough for a backend that samples its measures (docker: the engine's stats,
# whose cgroup goes with the container) to take one: see worker/sandbox/README.md.
MEASURABLE = "import time; time.sleep(0.5)"


def test_a_program_that_writes_its_predictions_is_ok(run_program: Runner, run_dirs: RunDirs):
    result = run_program(f"""
        import pathlib
        rows = pathlib.Path("/data/train.csv").read_text().splitlines()
        pathlib.Path("/output/predictions.csv").write_text(f"rows,{{len(rows)}}\\n")
        {MEASURABLE}
        print("done")
    """)
    assert result.status is Status.OK, result.log_tail
    assert result.exit_code == 0 and result.signal is None
    assert (run_dirs.output / "predictions.csv").read_text() == "rows,2\n"
    assert "done" in result.log_tail
    assert result.wall_seconds > 0 and result.peak_memory_bytes > 0


def test_sibling_modules_are_importable(run_program: Runner, run_dirs: RunDirs):
    (run_dirs.code / "helper.py").write_text("ANSWER = 42\n")
    (run_dirs.code / "helper.py").chmod(0o644)
    result = run_program("import helper\nprint('answer', helper.ANSWER)\n")
    assert result.status is Status.OK, result.log_tail
    assert "answer 42" in result.log_tail


def test_a_crash_is_crashed_with_its_traceback_in_the_log(run_program: Runner):
    result = run_program("print('before')\n1 / 0\n")
    assert result.status is Status.CRASHED
    assert result.exit_code == 1
    assert "Traceback" in result.log_tail and "ZeroDivisionError" in result.log_tail


def test_an_infinite_loop_hits_the_wall_clock(run_program: Runner):
    began = time.monotonic()
    result = run_program("while True:\n    pass\n", wall_seconds=2, cpu_seconds=30)
    assert result.status is Status.TIME_LIMIT
    assert result.limit_hit == "wall"
    assert time.monotonic() - began < 2 + 2.5


@pytest.mark.serial  # times a run that must get its second of CPU at once
def test_cpu_time_is_limited_even_before_the_wall_clock(run_program: Runner):
    began = time.monotonic()
    result = run_program("while True:\n    pass\n", wall_seconds=10, cpu_seconds=1)
    assert result.status is Status.TIME_LIMIT, result
    assert result.limit_hit == "cpu"
    assert time.monotonic() - began < 5


def test_sleeping_forever_hits_the_wall_clock(run_program: Runner):
    began = time.monotonic()
    result = run_program("import time\ntime.sleep(3600)\n", wall_seconds=2)
    assert result.status is Status.TIME_LIMIT
    assert result.limit_hit == "wall"
    # It does not catch SIGTERM: it was never sent the warning, and ran to the limit.
    assert result.warned_of is None and result.wall_seconds >= 2
    assert time.monotonic() - began < 2 + 2.5


# A program that catches the warning (SIGTERM, a tenth of a limit under 300 s before
# it: worker/sandbox/warning.py), writes its predictions and ends, as the starters do.
CATCHES_THE_WARNING = """
    import pathlib, signal, sys, time
    def time_up(signum, frame):
        pathlib.Path("/output/predictions.csv").write_text("id,label\\n0,1\\n")
        print("warned: wrote what I had", flush=True)
        sys.exit(0)
    signal.signal(signal.SIGTERM, time_up)
    print("listening", flush=True)
"""


def test_a_program_that_catches_the_warning_before_the_wall_limit_writes_and_is_ok(
    run_program: Runner, run_dirs: RunDirs
):
    result = run_program(
        CATCHES_THE_WARNING + "    time.sleep(3600)\n", wall_seconds=15, cpu_seconds=15
    )
    assert result.status is Status.OK, result
    assert result.warned_of == "wall" and result.limit_hit is None
    assert "warned: wrote what I had" in result.log_tail
    assert (run_dirs.output / "predictions.csv").read_text() == "id,label\n0,1\n"
    assert 13.5 - 0.5 <= result.wall_seconds < 15  # warned 1.5 s before the 15 s limit


# serial: at one CPU second per second, as a run on a worker's own cores gets; with
# every core shared by the other tests, the warning's exec waits its turn.
@pytest.mark.serial
def test_a_program_burning_cpu_is_warned_before_the_cpu_limit(
    run_program: Runner, run_dirs: RunDirs
):
    # 16 s of CPU: warned 1.6 s of CPU before it (at one CPU second per second), time
    # enough for the docker backend's exec in the container on a busy machine.
    result = run_program(
        CATCHES_THE_WARNING + "    while True:\n        pass\n", wall_seconds=120, cpu_seconds=16
    )
    assert result.status is Status.OK, result
    assert result.warned_of == "cpu"
    assert "warned: wrote what I had" in result.log_tail
    assert (run_dirs.output / "predictions.csv").exists()
    assert result.cpu_seconds < 16


def test_a_program_that_ignores_the_warning_is_stopped_at_the_limit(run_program: Runner):
    began = time.monotonic()
    result = run_program(
        """
        import signal, time
        signal.signal(signal.SIGTERM, lambda *_: print("warned; carrying on", flush=True))
        while True:
            time.sleep(0.05)
    """,
        wall_seconds=10,
    )
    assert result.status is Status.TIME_LIMIT, result
    assert result.warned_of == "wall" and result.limit_hit == "wall"
    assert "warned; carrying on" in result.log_tail
    assert result.wall_seconds >= 10 and time.monotonic() - began < 10 + 2.5


def test_the_kept_log_holds_its_head_and_its_end(run_program: Runner):
    result = run_program(
        """
        import sys, time
        print("FIRST LINE", flush=True)
        time.sleep(1.5)  # a training loop's first lines, then a long run of output
        line = "x" * 99 + "\\n"
        for _ in range(50_000):  # 5 MB: trimmed, or rotated by the engine
            sys.stdout.write(line)
        print("LAST LINE")
    """,
        wall_seconds=30,
    )
    assert result.status is Status.OK, result.log_tail[-500:]
    assert result.log_tail.startswith("FIRST LINE\n"), result.log_tail[:200]
    assert result.log_tail.endswith("LAST LINE\n")
    assert "bytes of the log left out here ...]" in result.log_tail
    assert len(result.log_tail) <= 8 * 1024  # FAST's log_bytes


def test_a_memory_bomb_hits_the_memory_limit(run_program: Runner):
    result = run_program(
        """
        chunks = []
        while True:
            chunks.append(b"x" * (8 * 1024 * 1024))  # filled, so really resident
    """,
        memory_bytes=128 * MiB,
    )
    assert result.status is Status.MEMORY_LIMIT, result
    assert result.peak_memory_bytes >= 100 * MiB


def test_peak_memory_is_the_programs_not_the_workers(run_program: Runner):
    # A worker that has itself grown large (torch loaded, big scores) must not
    # lend its size to the runs it starts.
    ballast = bytearray(400 * MiB)
    ballast[::4096] = b"x" * (len(ballast) // 4096)  # one byte a page: resident, not reserved
    result = run_program(f"{MEASURABLE}\nprint('small')\n")
    assert result.status is Status.OK, result.log_tail
    assert 0 < result.peak_memory_bytes < 200 * MiB


def test_too_much_output_is_an_output_limit(run_program: Runner):
    result = run_program(
        """
        with open("/output/big.bin", "wb") as out:
            for _ in range(4):
                out.write(b"x" * 1024 * 1024)
    """,
        output_bytes=1 * MiB,
    )
    assert result.status is Status.OUTPUT_LIMIT, result


def test_endless_output_is_stopped(run_program: Runner, run_dirs: RunDirs):
    began = time.monotonic()
    result = run_program(
        """
        with open("/output/big.bin", "wb") as out:
            while True:
                out.write(b"x" * 1024 * 1024)
    """,
        output_bytes=1 * MiB,
        wall_seconds=20,
    )
    assert result.status is Status.OUTPUT_LIMIT, result
    assert time.monotonic() - began < 5
    # It was written on the run's own disk; past the limit, none of it is copied out.
    assert not (run_dirs.output / "big.bin").exists()


def test_a_swarm_of_empty_files_is_an_output_limit(run_program: Runner):
    result = run_program(
        """
        for i in range(20000):
            open(f"/output/f{i}", "w").close()
    """,
        wall_seconds=60,
        cpu_seconds=60,
    )  # a busy disk creates files slowly
    assert result.status is Status.OUTPUT_LIMIT, result


def test_there_is_no_network(run_program: Runner):
    host_ip = _host_address()
    result = run_program(f"""
        import socket
        for host, port in [("127.0.0.1", 6379), ("127.0.0.1", 5432), ("{host_ip}", 6379),
                           ("{host_ip}", 5432), ("1.1.1.1", 53)]:
            try:
                socket.create_connection((host, port), timeout=2).close()
                print("CONNECTED", host, port)
            except OSError as exc:
                print("BLOCKED", host, port, exc)
    """)
    assert result.status is Status.OK, result.log_tail
    assert "CONNECTED" not in result.log_tail
    assert result.log_tail.count("BLOCKED") == 5


def test_redis_and_postgres_do_answer_outside_the_sandbox():
    # The control for test_there_is_no_network: they are there to be reached.
    for port in (6379, 5432):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
        except OSError:
            pytest.skip(f"nothing listens on 127.0.0.1:{port} here")


def test_hidden_data_and_the_platform_are_not_visible(run_program: Runner, run_dirs: RunDirs):
    secret_paths = [run_dirs.hidden, run_dirs.hidden / "labels.csv", REPO, REPO / "var"]
    result = run_program(f"""
        import os
        for path in {[str(p) for p in secret_paths]!r}:
            print("VISIBLE" if os.path.exists(path) else "absent", path)
        try:
            open("/etc/shadow").read()
            print("VISIBLE /etc/shadow")
        except OSError as exc:
            print("unreadable /etc/shadow", exc)
    """)
    assert result.status is Status.OK, result.log_tail
    assert "VISIBLE" not in result.log_tail
    assert result.log_tail.count("absent") == len(secret_paths)


def test_code_and_data_are_read_only(run_program: Runner, run_dirs: RunDirs):
    result = run_program("""
        for path in ["/submission/main.py", "/submission/new.py", "/data/train.csv", "/data/x"]:
            try:
                open(path, "a").write("tampered")
                print("WROTE", path)
            except OSError as exc:
                print("refused", path, exc.strerror)
    """)
    assert result.status is Status.OK, result.log_tail
    assert "WROTE" not in result.log_tail
    assert (run_dirs.data / "train.csv").read_text() == "x,y\n1,2\n"


def test_the_environment_is_cleared(run_program: Runner, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MILESTONES_TEST_SECRET", "hunter2")
    monkeypatch.setenv("DATABASE_URL", "postgres://admin:hunter2@db/milestones")
    result = run_program("""
        import os
        print(sorted(os.environ))
        print("SECRET" if "hunter2" in repr(dict(os.environ)) else "clean")
    """)
    assert result.status is Status.OK, result.log_tail
    assert "clean" in result.log_tail and "MILESTONES_TEST_SECRET" not in result.log_tail


def test_the_program_is_not_root(run_program: Runner):
    result = run_program("""
        import os
        print("uid", os.getuid(), "euid", os.geteuid())
        assert os.getuid() != 0 and os.geteuid() != 0
    """)
    assert result.status is Status.OK, result.log_tail


def test_a_double_forked_daemon_does_not_survive_the_run(run_program: Runner, run_dirs: RunDirs):
    entrypoint = f"daemon_{uuid.uuid4().hex[:8]}.py"
    result = run_program(
        """
        import os, time
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                open("/output/daemon-started", "w").close()
                while True:
                    time.sleep(0.05)
            os._exit(0)
        time.sleep(0.5)
        print("parent leaves")
    """,
        entrypoint=entrypoint,
    )
    assert result.status is Status.OK, result.log_tail
    assert (run_dirs.output / "daemon-started").exists()
    time.sleep(0.3)
    assert processes_running(entrypoint) == []


def test_a_fork_bomb_ends_and_leaves_nothing(run_program: Runner):
    entrypoint = f"bomb_{uuid.uuid4().hex[:8]}.py"
    began = time.monotonic()
    result = run_program(
        """
        import os
        while True:
            try:
                os.fork()
            except OSError:
                pass
    """,
        entrypoint=entrypoint,
        wall_seconds=3,
        processes=16,
    )
    assert result.status in (Status.TIME_LIMIT, Status.CRASHED), result
    assert time.monotonic() - began < 3 + 3
    time.sleep(0.3)
    assert processes_running(entrypoint) == []


def test_the_numpy_runtime_has_numpy_and_not_torch(run_program: Runner):
    result = run_program("""
        import numpy
        print("numpy", numpy.__version__, numpy.arange(4).sum())
        try:
            import torch
            print("TORCH", torch.__file__)
        except ImportError:
            print("no torch")
    """)
    assert result.status is Status.OK, result.log_tail
    assert "numpy 2.3.5 6" in result.log_tail and "no torch" in result.log_tail


def test_a_stdout_flood_keeps_the_end_of_the_log(run_program: Runner):
    result = run_program(
        """
        import sys
        line = "flood " * 16 + "\\n"
        for _ in range(1_000_000):  # about 100 MB, more than any file may grow
            sys.stdout.write(line)
        print("THE END")
    """,
        wall_seconds=30,
        log_bytes=4096,
    )
    assert result.status is Status.OK, result.log_tail[-500:]
    assert result.log_tail.endswith("THE END\n")
    assert len(result.log_tail.encode()) <= 4096


@pytest.mark.serial  # times the cancel: the engine's kill waits for its turn on shared cores
def test_tick_is_called_and_false_cancels_the_run(run_program: Runner):
    calls: list[float] = []

    def tick() -> bool:
        calls.append(time.monotonic())
        return len(calls) < 3

    began = time.monotonic()
    result = run_program("import time\ntime.sleep(60)\n", tick=tick, wall_seconds=30)
    assert result.status is Status.CANCELLED
    assert len(calls) == 3
    assert time.monotonic() - began < 3


def _host_address() -> str:
    """This machine's address on its default route (what a sandbox could try to reach)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent for UDP connect
            return str(probe.getsockname()[0])
        except OSError:
            return "127.0.0.1"


def test_the_torch_runtime_trains_a_tiny_model(run_program: Runner, backend, runtimes_dir):
    if reason := runtime_missing(backend, "torch", runtimes_dir):
        pytest.skip(reason)
    result = run_program(
        """
        import torch
        torch.manual_seed(0)
        x = torch.randn(64, 3)
        y = x @ torch.tensor([1.0, -2.0, 0.5])
        w = torch.zeros(3, requires_grad=True)
        optimizer = torch.optim.SGD([w], lr=0.1)
        for _ in range(200):
            optimizer.zero_grad()
            loss = ((x @ w - y) ** 2).mean()
            loss.backward()
            optimizer.step()
        print("torch", torch.__version__.split("+")[0], "loss", round(loss.item(), 4))
    """,
        runtime="torch",
        memory_bytes=1024 * MiB,
        wall_seconds=30,
        cpu_seconds=30,
    )
    assert result.status is Status.OK, result.log_tail
    assert f"{_pinned('torch')} loss 0.0" in result.log_tail


def _pinned(name: str) -> str:
    """'torch 2.14.1': ``name`` and its version as the torch runtime pins it."""
    pin = next(p for p in RUNTIMES["torch"] if p.startswith(f"{name}=="))
    return pin.replace("==", " ")


def test_torchvision_transforms_work_within_the_smallest_torch_memory_limit(
    run_program: Runner, backend, runtimes_dir
):
    """torchvision beside its torch (the pair the runtime pins), a transform on a
    uint8 digit as a student's Dataset applies it, under 2048 MB (the smallest
    memory_mb of the torch challenges); importing the pair maps about 1.1 GB of
    CUDA libraries even on a CPU-only machine."""
    if reason := runtime_missing(backend, "torch", runtimes_dir):
        pytest.skip(reason)
    result = run_program(
        """
        import numpy as np
        import torch, torchvision
        from torchvision import transforms
        digit = np.arange(28 * 28, dtype=np.uint8).reshape(28, 28)
        pipeline = transforms.Compose([
            transforms.ToTensor(),
            transforms.Resize(64, antialias=True),
            transforms.Normalize((0.5,), (0.5,)),
        ])
        image = pipeline(digit)
        print("torch", torch.__version__.split("+")[0], "torchvision",
              torchvision.__version__.split("+")[0], tuple(image.shape), image.dtype)
    """,
        runtime="torch",
        memory_bytes=2048 * MiB,
        wall_seconds=60,
        cpu_seconds=60,
    )
    assert result.status is Status.OK, result.log_tail
    assert f"{_pinned('torch')} {_pinned('torchvision')} (1, 64, 64) torch.float32" in (
        result.log_tail
    )
    print(f"peak memory: {result.peak_memory_bytes / MiB:.0f} MiB")


def test_only_stdin_stdout_and_stderr_are_inherited(run_program: Runner):
    # An inherited directory fd would let openat(fd, "..") walk the host's tree.
    result = run_program("""
        import os
        fds = sorted(int(fd) for fd in os.listdir("/proc/self/fd"))
        print("fds", [fd for fd in fds if os.path.exists(f"/proc/self/fd/{fd}")])
    """)
    assert result.status is Status.OK, result.log_tail
    assert "fds [0, 1, 2]" in result.log_tail
