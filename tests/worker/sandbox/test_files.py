"""The host-side files of a run: the log (trimmed, tail decoded leniently) and /output
(measured without following links, sparse files and empty-file swarms counted)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from worker.sandbox import logs, outputs
from worker.sandbox.monitor import tree_rss_bytes

MiB = 1024 * 1024


def _printed(count: int) -> bytes:
    return b"".join(b"line %06d\n" % i for i in range(count))


@pytest.mark.parametrize("folder", ["/tmp", "/dev/shm"])  # ext4 here (collapse), tmpfs (punch)
def test_trimming_the_log_keeps_its_head_and_end_and_appends_continue_after_it(folder: str):
    if not Path(folder).is_dir():
        pytest.skip(f"no {folder}")
    with tempfile.TemporaryDirectory(dir=folder) as scratch:
        log = logs.RunLog(Path(scratch) / "log", keep=8192, size_limit=64 * MiB)
        fd = logs.open_log(log.path)
        written = _printed(100_000) + b"last line\n"  # 1.1 MB
        os.write(fd, written)
        log.trim()
        os.write(fd, b"after\n")
        os.close(fd)
        block = max(os.statvfs(scratch).f_bsize, os.sysconf("SC_PAGE_SIZE"))
        assert logs.allocated(log.path) <= 8192 + 3 * block  # the middle's storage is given back
        kept = log.read()
    head, end = logs.shares(8192)
    everything = written + b"after\n"
    assert kept.startswith(everything[:head].decode())
    assert kept.endswith(everything[-end:].decode())
    left_out = len(everything) - head - end
    assert f"\n[... {left_out:,} bytes of the log left out here ...]\n" in kept
    assert len(kept) <= 8192


def test_a_log_copied_over_when_it_cannot_be_cut_in_place_keeps_head_and_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # A filesystem with neither collapse nor punch (or a punched log near RLIMIT_FSIZE).
    monkeypatch.setattr(logs, "_collapse_middle", lambda fd, **_: None)
    monkeypatch.setattr(logs, "_punch_middle", lambda fd, **_: False)
    log = logs.RunLog(tmp_path / "log", keep=4096, size_limit=64 * MiB)
    fd = logs.open_log(log.path)
    written = _printed(50_000)
    os.write(fd, written)
    log.trim()
    os.write(fd, b"after\n")
    os.close(fd)
    head, end = logs.shares(4096)
    assert log.path.stat().st_size == head + end + len(b"after\n")
    kept = log.read()
    assert kept.startswith(written[:head].decode()) and kept.endswith("after\n")
    assert f"[... {len(written) + 6 - head - end:,} bytes of the log left out here ...]" in kept


def test_a_trim_remembers_a_log_at_its_size_limit_after_cutting_it_below(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # The program's next write failed (EFBIG) just before the trim; once cut, the
    # file is small again, and only the trim saw why the program then ended.
    monkeypatch.setattr(logs, "_collapse_middle", lambda fd, **_: None)
    monkeypatch.setattr(logs, "_punch_middle", lambda fd, **_: False)
    log = logs.RunLog(tmp_path / "log", keep=4096, size_limit=50_000)
    fd = logs.open_log(log.path)
    os.write(fd, b"line\n" * 9_000)  # 45,000 bytes: under the limit
    log.trim()
    assert not log.overflowed
    os.write(fd, b"x" * (50_000 - log.path.stat().st_size))  # now at it
    os.close(fd)
    log.trim()
    assert log.overflowed and log.path.stat().st_size < 50_000


def test_a_short_log_is_kept_whole_and_a_long_one_as_head_count_and_end():
    assert logs.keep_ends(b"short\n", keep=4096) == "short\n"
    raw = b"HEAD\n" + b"." * 10_000 + b"\nEND\n"
    kept = logs.keep_ends(raw, keep=2048)
    head, end = logs.shares(2048)
    assert kept.startswith("HEAD\n") and kept.endswith("\nEND\n")
    assert f"[... {len(raw) - head - end:,} bytes of the log left out here ...]" in kept
    assert len(kept) <= 2048
    # Under 1 KiB only the end is kept; the count still says what is missing.
    assert logs.keep_ends(raw, keep=200).startswith("\n[... ")


def test_the_log_tail_is_the_last_bytes_decoded_leniently(tmp_path: Path):
    path = tmp_path / "log"
    path.write_bytes(b"x" * 100 + b"\xff\xfeend\n")
    assert logs.read_tail(path, keep=6) == "\ufffd\ufffdend\n"
    assert logs.read_tail(tmp_path / "missing", keep=6) == ""
    assert logs.RunLog(tmp_path / "missing", keep=6, size_limit=MiB).read() == ""


def test_output_usage_counts_sparse_files_at_their_apparent_size(tmp_path: Path):
    with open(tmp_path / "sparse", "wb") as sparse:
        sparse.truncate(50 * MiB)
    assert outputs.usage(tmp_path, stop_above=100 * MiB).bytes >= 50 * MiB


def test_output_usage_does_not_follow_links_out_of_the_folder(tmp_path: Path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "big").write_bytes(b"x" * MiB)
    out = tmp_path / "out"
    out.mkdir()
    (out / "link").symlink_to(outside)
    assert outputs.usage(out, stop_above=10 * MiB).bytes < 64 * 1024  # the link itself only


def test_output_usage_stops_counting_a_swarm_of_files(tmp_path: Path):
    for i in range(30):
        (tmp_path / f"f{i}").touch()
    usage = outputs.usage(tmp_path, stop_above=MiB, max_entries=10)
    assert usage.entries == 11 and usage.over(max_bytes=MiB, max_entries=10)


def test_handing_output_over_and_back_restores_owner_and_mode(tmp_path: Path):
    out = tmp_path / "out"
    out.mkdir(mode=0o755)
    (out / "old").touch()
    before = out.stat()
    if os.geteuid() != 0:
        return  # only root can give a folder to another uid
    owner = outputs.hand_over(out, uid=61999, gid=61999)
    assert out.stat().st_uid == 61999 and (out / "old").stat().st_uid == 61999
    assert out.stat().st_mode & 0o777 == 0o700
    (out / "link").symlink_to("/etc/passwd")
    outputs.take_back(out, owner=owner)
    assert out.stat().st_uid == before.st_uid and out.stat().st_mode == before.st_mode
    assert (out / "link").lstat().st_uid == before.st_uid
    assert Path("/etc/passwd").stat().st_uid == 0  # the link was not followed


def test_tree_rss_sums_a_process_and_its_children():
    assert tree_rss_bytes(os.getpid()) > 1 * MiB
    assert tree_rss_bytes(2**22 + 1) == 0


def _nest(top: Path, depth: int, name: str = "d") -> int:
    """Folders ``depth`` deep under ``top`` through descriptors (past PATH_MAX if long);
    returns an fd of the deepest (the caller closes it)."""
    fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
    for _ in range(depth):
        os.mkdir(name, dir_fd=fd)
        child = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
        os.close(fd)
        fd = child
    return fd


def test_output_usage_counts_files_hidden_past_path_max(tmp_path: Path):
    bottom = _nest(tmp_path, 20, name="d" * 250)  # 5000 characters of path
    try:
        with open(os.open("big", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=bottom), "wb") as big:
            big.truncate(8 * MiB)
    finally:
        os.close(bottom)
    assert outputs.usage(tmp_path, stop_above=100 * MiB).bytes >= 8 * MiB


def test_output_nested_past_the_cap_is_over(tmp_path: Path):
    os.close(_nest(tmp_path, outputs.MAX_DEPTH))
    assert not outputs.usage(tmp_path, stop_above=MiB).over(max_bytes=MiB)
    os.close(_nest(tmp_path, outputs.MAX_DEPTH + 1, name="e"))
    assert outputs.usage(tmp_path, stop_above=MiB).over(max_bytes=MiB)


def test_taking_back_a_very_deep_output_prunes_it_and_leaves_it_removable(tmp_path: Path):
    out = tmp_path / "out"
    out.mkdir()
    os.close(_nest(out, 1500))  # past the ~1000 frames of a recursive walk
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep").write_text("keep")
    shallow = out / "/".join(["d"] * (outputs.MAX_DEPTH - 1))
    (shallow / "link").symlink_to(outside)  # at the cap: removed as a link, never followed
    owner = outputs.Owner(uid=os.getuid(), gid=os.getgid(), mode=0o755)
    outputs.take_back(out, owner=owner)
    deepest = max(len(Path(folder).relative_to(out).parts) for folder, _, _ in os.walk(out))
    assert deepest <= outputs.MAX_DEPTH
    assert (outside / "keep").read_text() == "keep"
    shutil.rmtree(out)  # what the worker does next: no RecursionError
