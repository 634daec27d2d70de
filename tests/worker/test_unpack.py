from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

import pytest

from tests.support.bad_zips import BAD_ZIPS
from worker.unpack import UnpackRejected, unpack_submission


def _zip(entries: dict[str, bytes], *, link: str | None = None) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
        if link:
            info = zipfile.ZipInfo(link)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    buffer.seek(0)
    return buffer


def _unpack(source: io.BytesIO, target: Path, name: str = "code.zip") -> None:
    unpack_submission(
        source, name=name, target=target, entrypoint="main.py", max_bytes=10_000, max_files=10
    )


def test_zip_is_unpacked_with_readable_permissions(tmp_path):
    _unpack(_zip({"main.py": b"print(1)", "pkg/util.py": b"X = 1"}), tmp_path / "code")
    assert (tmp_path / "code" / "pkg" / "util.py").read_text() == "X = 1"
    assert (tmp_path / "code" / "main.py").stat().st_mode & 0o004


def test_a_zip_that_lies_about_its_size_is_stopped_while_extracting(tmp_path):
    source = _zip({"main.py": b"", "bomb.bin": b"\0" * 50_000})
    with pytest.raises(UnpackRejected, match="size limit"):
        _unpack(source, tmp_path / "code")


def test_links_in_a_zip_are_refused(tmp_path):
    with pytest.raises(UnpackRejected, match="link"):
        _unpack(_zip({"main.py": b""}, link="passwd"), tmp_path / "code")


def test_absolute_paths_are_refused(tmp_path):
    with pytest.raises(UnpackRejected, match="unsafe path"):
        _unpack(_zip({"main.py": b"", "/etc/cron.d/x": b"x"}), tmp_path / "code")


def test_plain_python_upload_becomes_the_entrypoint(tmp_path):
    _unpack(io.BytesIO(b"print('hi')"), tmp_path / "code", name="upload-abc.py")
    assert (tmp_path / "code" / "main.py").read_bytes() == b"print('hi')"


@pytest.mark.parametrize("kind", list(BAD_ZIPS))
def test_a_zip_that_cannot_be_unpacked_is_refused_in_one_line(kind: str, tmp_path: Path):
    make, words = BAD_ZIPS[kind]
    with pytest.raises(UnpackRejected) as refused:
        _unpack(io.BytesIO(make([("main.py", b"print(1)\n")])), tmp_path / "code")
    reason = str(refused.value)
    assert "\n" not in reason and (words in reason or "cannot be unpacked" in reason), reason
