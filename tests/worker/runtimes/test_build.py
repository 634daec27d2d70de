"""worker.runtimes.build: a venv per runtime, rebuilt only when its package list changes."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from worker.runtimes import build as runtimes


def test_a_runtime_is_built_once_then_left_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(runtimes.RUNTIMES, "bare", ())
    assert runtimes.build(root=tmp_path, name="bare") is True
    venv = tmp_path / "bare"
    assert (venv / "bin" / "python").exists()
    assert json.loads((venv / runtimes.MARKER).read_text())["packages"] == []
    assert runtimes.read_installed(venv) == []  # pip put nothing in
    assert runtimes.build(root=tmp_path, name="bare") is False


def test_a_runtime_built_before_markers_listed_packages_gets_its_list_unbuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setitem(runtimes.RUNTIMES, "bare", ())
    runtimes.build(root=tmp_path, name="bare")
    marker_path = tmp_path / "bare" / runtimes.MARKER
    old = json.loads(marker_path.read_text())
    del old[runtimes.INSTALLED]
    marker_path.write_text(json.dumps(old))
    (tmp_path / "bare" / "kept").write_text("not rebuilt")
    assert runtimes.read_installed(tmp_path / "bare") is None
    assert runtimes.build(root=tmp_path, name="bare") is False
    assert runtimes.read_installed(tmp_path / "bare") == []
    assert (tmp_path / "bare" / "kept").exists()


def test_a_changed_package_list_rebuilds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(runtimes.RUNTIMES, "bare", ())
    runtimes.build(root=tmp_path, name="bare")
    commands: list[list[str]] = []
    monkeypatch.setitem(runtimes.RUNTIMES, "bare", ("tinypkg==1.0",))
    real_run = runtimes._run

    def record(argv):  # the venv is really made; pip is only recorded
        commands.append(list(argv))
        if "pip" not in argv:
            real_run(argv)

    monkeypatch.setattr(runtimes, "_run", record)
    assert runtimes.build(root=tmp_path, name="bare") is True
    pip = next(argv for argv in commands if "pip" in argv)
    assert pip[pip.index("--python") + 1].endswith("/bin/python")
    assert pip[-1] == "tinypkg==1.0"
    marker = json.loads((tmp_path / "bare" / runtimes.MARKER).read_text())
    assert marker["packages"] == ["tinypkg==1.0"]


def test_a_runtime_is_readable_by_everyone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(runtimes.RUNTIMES, "bare", ())
    runtimes.build(root=tmp_path, name="bare")
    for path in (tmp_path / "bare").rglob("*"):
        if not path.is_symlink():
            mode = path.stat().st_mode
            assert mode & stat.S_IROTH and not mode & stat.S_IWOTH, path


def test_the_numpy_runtime_is_based_on_the_system_python_without_torch(runtimes_dir: Path):
    marker = json.loads((runtimes_dir / "numpy" / runtimes.MARKER).read_text())
    assert marker["python"] == "/usr/bin/python3"
    assert marker["packages"] == ["numpy==2.3.5"]
    assert runtimes.read_installed(runtimes_dir / "numpy") == ["numpy==2.3.5"]
    site = runtimes_dir / "numpy" / "lib"
    assert not list(site.glob("python3*/site-packages/torch"))


def test_the_torch_runtime_lists_torchvision_and_every_dependency(runtimes_dir: Path):
    installed = runtimes.read_installed(runtimes_dir / "torch")
    if installed is None:
        pytest.skip("the torch runtime is not built here")
    for pin in runtimes.RUNTIMES["torch"]:
        assert pin in installed
    names = {line.split("==")[0].lower() for line in installed}
    assert {"pillow", "sympy"} <= names  # dependencies, not only the pins
