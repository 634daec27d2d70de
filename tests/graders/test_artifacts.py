"""A challenge's grader-artifact checksum: one SHA-256 over a sorted manifest of its
hidden files' names and bytes, which sha256sum can reproduce; and shipped files are
read only when they are the ones recorded."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from graders.artifacts import checksum, file_sha256, manifest, read_shipped

NETWORK = b"\x00\x01network"


@pytest.fixture
def hidden_dir(tmp_path: Path) -> Path:
    root = tmp_path / "hidden"
    (root / "sub").mkdir(parents=True)
    (root / "labels.csv").write_text("id,label,split\n0,1,public\n", encoding="utf-8")
    (root / "b.npz").write_bytes(NETWORK)
    (root / "sub" / "codes.npz").write_bytes(b"codes")
    return root


def test_the_checksum_is_the_sha256_of_the_sorted_manifest(hidden_dir: Path):
    lines = [
        f"{hashlib.sha256(NETWORK).hexdigest()}  b.npz\n",
        f"{file_sha256(hidden_dir / 'labels.csv')}  labels.csv\n",
        f"{hashlib.sha256(b'codes').hexdigest()}  sub/codes.npz\n",
    ]
    assert manifest(hidden_dir) == "".join(lines)
    assert checksum(hidden_dir) == hashlib.sha256("".join(lines).encode()).hexdigest()


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="no sha256sum")
def test_an_operator_can_recompute_it_with_sha256sum(hidden_dir: Path):
    pipeline = "find . -type f -printf '%P\\n' | LC_ALL=C sort | xargs sha256sum | sha256sum"
    found = subprocess.run(
        ["sh", "-c", pipeline], cwd=hidden_dir, capture_output=True, text=True, check=True
    )
    assert found.stdout.split()[0] == checksum(hidden_dir)


def test_the_same_files_written_in_another_order_have_the_same_checksum(hidden_dir, tmp_path):
    other = tmp_path / "other"
    (other / "sub").mkdir(parents=True)
    for name in ("sub/codes.npz", "b.npz", "labels.csv"):
        (other / name).write_bytes((hidden_dir / name).read_bytes())
    os.utime(other / "b.npz", (0, 0))  # times and modes are not content
    assert checksum(other) == checksum(hidden_dir)


def test_a_changed_byte_or_name_or_an_added_file_changes_it(hidden_dir: Path):
    before = checksum(hidden_dir)
    (hidden_dir / "b.npz").write_bytes(b"\x00\x02network")
    changed = checksum(hidden_dir)
    (hidden_dir / "b.npz").rename(hidden_dir / "c.npz")
    renamed = checksum(hidden_dir)
    (hidden_dir / "empty").write_bytes(b"")
    assert len({before, changed, renamed, checksum(hidden_dir)}) == 4


def test_links_are_refused_and_a_missing_folder_is_not_found(hidden_dir, tmp_path):
    with pytest.raises(FileNotFoundError):
        checksum(tmp_path / "nowhere")
    (hidden_dir / "link").symlink_to(hidden_dir / "b.npz")
    with pytest.raises(ValueError, match="not a regular file"):
        checksum(hidden_dir)


def test_a_shipped_file_is_read_only_when_it_has_the_recorded_checksum(tmp_path: Path):
    path = tmp_path / "classifier.npz"
    path.write_bytes(b"weights")
    assert read_shipped(path, hashlib.sha256(b"weights").hexdigest()) == b"weights"
    with pytest.raises(ValueError, match="not the shipped file's"):
        read_shipped(path, hashlib.sha256(b"other weights").hexdigest())
