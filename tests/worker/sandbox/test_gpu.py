"""A granted GPU: what the bubblewrap sandbox binds for it (fake device nodes, any
machine), and that it is visible alone inside (real GPU only, skipped elsewhere).
The lead's check on a GPU host: benchmarks/gpu_sandbox_check.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.sandbox import Runner, limits
from worker.sandbox import SandboxSpec, Status
from worker.sandbox.gpu import gpu_access
from worker.sandbox.layout import GpuAccess, base_interpreter_prefix, bwrap_argv


def _fake_dev(root: Path) -> Path:
    dev = root / "dev"
    (dev / "nvidia-caps").mkdir(parents=True)
    for name in (
        "nvidia0",
        "nvidia1",
        "nvidiactl",
        "nvidia-uvm",
        "nvidia-uvm-tools",
        "nvidia-modeset",
        "nvidia-caps/nvidia-cap1",
    ):
        (dev / name).touch()
    return dev


def _argv(tmp_path: Path, gpu: GpuAccess | None, runtime_dir: Path | None = None) -> list[str]:
    spec = SandboxSpec(
        code_dir=tmp_path / "code",
        data_dir=tmp_path / "data",
        output_dir=tmp_path / "out",
        runtime="torch",
        limits=limits(),
        gpu=1,
    )
    return bwrap_argv(
        spec,
        bwrap="/opt/bwrap/usr/bin/bwrap",
        runtime_dir=runtime_dir or tmp_path / "rt",
        status_fd=7,
        etc_fds={},
        gpu=gpu,
    )


def _pairs(argv: list[str], flag: str) -> list[tuple[str, str]]:
    return [(argv[i + 1], argv[i + 2]) for i, arg in enumerate(argv) if arg == flag]


def test_a_grant_binds_its_device_the_control_nodes_and_outside_driver_libraries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    driver = tmp_path / "driver"  # a driver outside /usr: a link and the file it names
    driver.mkdir()
    (driver / "libcuda.so.550.54").touch()
    (driver / "libcuda.so.1").symlink_to("libcuda.so.550.54")
    listing = (
        f"\tlibcuda.so.1 (libc6,x86-64) => {driver}/libcuda.so.1\n"
        "\tlibnvidia-ml.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1\n"
        "\tlibm.so.6 (libc6,x86-64) => /opt/other/libm.so.6\n"
    )
    monkeypatch.setattr("worker.sandbox.gpu._ldconfig", lambda: listing)
    access = gpu_access(1, dev=_fake_dev(tmp_path))
    argv = _argv(tmp_path, access)

    bound = [dest for _, dest in _pairs(argv, "--dev-bind")]
    assert bound == [
        "/dev/nvidiactl",
        "/dev/nvidia-uvm",
        "/dev/nvidia-uvm-tools",
        "/dev/nvidia-caps",
        "/dev/nvidia1",
    ]
    read_only = _pairs(argv, "--ro-bind")
    for library in (driver / "libcuda.so.1", driver / "libcuda.so.550.54"):
        assert (str(library), str(library)) in read_only
    assert not any("libnvidia-ml" in src or "libm.so" in src for src, _ in read_only)
    # Bound into the /dev that --dev made, before /dev is made read-only.
    first_bind = argv.index("--dev-bind")
    assert argv.index("--dev") < first_bind
    remount_dev = next(
        i for i, a in enumerate(argv) if a == "--remount-ro" and argv[i + 1] == "/dev"
    )
    assert first_bind < remount_dev
    env = dict(_pairs(argv, "--setenv"))
    assert env["CUDA_VISIBLE_DEVICES"] == "0"  # the one device it sees, whatever its host index


def test_without_a_grant_no_nvidia_node_is_bound(tmp_path: Path):
    argv = _argv(tmp_path, None)
    assert "--dev-bind" not in argv
    assert not any(arg.startswith("/dev/nvidia") for arg in argv)
    assert "CUDA_VISIBLE_DEVICES" not in dict(_pairs(argv, "--setenv"))


def test_a_runtime_made_from_a_python_outside_usr_gets_that_python_read_only(tmp_path: Path):
    conda = tmp_path / "opt" / "conda"
    (conda / "bin").mkdir(parents=True)
    runtime = tmp_path / "runtimes" / "torch"
    runtime.mkdir(parents=True)
    (runtime / "pyvenv.cfg").write_text(
        f"home = {conda}/bin\ninclude-system-site-packages = true\n"
    )
    assert base_interpreter_prefix(runtime) == conda
    assert (str(conda), str(conda)) in _pairs(_argv(tmp_path, None, runtime), "--ro-bind")


@pytest.mark.parametrize("home", ["/usr/bin", "/usr/local/bin", "/opt/bin", "/bin", "relative/bin"])
def test_a_python_under_usr_or_at_the_top_is_not_bound_again(tmp_path: Path, home: str):
    (tmp_path / "pyvenv.cfg").write_text(f"home = {home}\n")
    assert base_interpreter_prefix(tmp_path) is None


@pytest.fixture
def needs_a_gpu() -> None:
    if not Path("/dev/nvidia0").exists():
        pytest.skip("no NVIDIA GPU here (/dev/nvidia0 is missing)")


@pytest.mark.gpu
@pytest.mark.usefixtures("needs_a_gpu")
def test_the_granted_gpu_and_only_it_is_visible(run_program: Runner):
    result = run_program(
        """
        import glob, os
        print("devices", sorted(glob.glob("/dev/nvidia*")))
        print("visible", os.environ.get("CUDA_VISIBLE_DEVICES"))
        os.close(os.open("/dev/nvidiactl", os.O_RDWR))
        os.close(os.open("/dev/nvidia0", os.O_RDWR))
        print("opened")
    """,
        gpu=0,
    )
    assert result.status is Status.OK, result.log_tail
    assert "opened" in result.log_tail and "visible 0" in result.log_tail
    assert "/dev/nvidia1'" not in result.log_tail


@pytest.mark.gpu
@pytest.mark.usefixtures("needs_a_gpu")
def test_torch_sees_exactly_one_cuda_device(run_program: Runner, runtimes_dir: Path):
    if not (runtimes_dir / "torch" / "bin" / "python").exists():
        pytest.skip("the torch runtime is not built (python -m worker.runtimes.build torch)")
    result = run_program(
        """
        import torch
        print("version", torch.__version__)
        print("cuda", torch.cuda.is_available(), torch.cuda.device_count())
        print((torch.ones(4, device="cuda") * 2).sum().item())
    """,
        runtime="torch",
        gpu=0,
        memory_bytes=8 << 30,
        wall_seconds=60,
        cpu_seconds=60,
    )
    if "cuda False" in result.log_tail and "+cpu" in result.log_tail:
        pytest.skip("the torch runtime here is a CPU build")
    assert result.status is Status.OK, result.log_tail
    assert "cuda True 1" in result.log_tail and "8.0" in result.log_tail
