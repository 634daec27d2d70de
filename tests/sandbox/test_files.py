"""The host-side files of a run: the log (trimmed, tail decoded leniently) and /output
(measured without following links, sparse files and empty-file swarms counted)."""

from __future__ import annotations

import os
from pathlib import Path

from worker.sandbox import logs, outputs
from worker.sandbox.monitor import tree_rss_bytes

MiB = 1024 * 1024


def test_trimming_the_log_keeps_its_end_and_appends_continue_after_it(tmp_path: Path):
    path = tmp_path / "log"
    fd = logs.open_log(path)
    os.write(fd, b"a" * 10_000 + b"last line\n")
    logs.trim(path, keep=100)
    os.write(fd, b"after\n")
    os.close(fd)
    content = path.read_bytes()
    assert content.startswith(logs.TRIM_NOTICE)
    assert content.endswith(b"last line\nafter\n")
    assert len(content) < 200


def test_the_log_tail_is_the_last_bytes_decoded_leniently(tmp_path: Path):
    path = tmp_path / "log"
    path.write_bytes(b"x" * 100 + b"\xff\xfeend\n")
    assert logs.read_tail(path, keep=6) == "\ufffd\ufffdend\n"
    assert logs.read_tail(tmp_path / "missing", keep=6) == ""


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
