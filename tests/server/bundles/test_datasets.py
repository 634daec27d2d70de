"""``manage.py fetch_datasets`` and its service, against a real HTTP server on
localhost standing in for the canonical mirrors (no internet), and a local
mirror folder for ``--from``."""

from __future__ import annotations

import gzip
import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from graders.datasets import CATALOG, mnist, verify
from server.bundles.datasets import datasets_fetch, mirrors_in_datasets_layout
from tests.support.paths import REPO

SHARED = Path(os.environ.get("MILESTONES_DATASETS_DIR") or REPO.parent / "shared" / "datasets")
ALL_FILES = [raw.relative_path for files in CATALOG.values() for raw in files]
T10K_LABELS = "mnist/t10k-labels-idx1-ubyte.gz"

pytestmark = pytest.mark.skipif(
    not (SHARED / "mnist").is_dir(), reason=f"raw datasets not installed in {SHARED}"
)


class MirrorHandler(SimpleHTTPRequestHandler):
    """Serves a folder, plus paths that fail the ways real mirrors do:
    /fail500/... answers 500, /truncated/... stops halfway through the body,
    /endless/... never stops sending."""

    requests: list[str]

    def do_GET(self) -> None:
        self.requests.append(self.path)
        if self.path.startswith("/fail500/"):
            self.send_error(500, "mirror is down")
        elif self.path.startswith("/truncated/"):
            self._send_half(self.path.removeprefix("/truncated"))
        elif self.path.startswith("/endless/"):
            self._send_forever()
        else:
            super().do_GET()

    def _send_half(self, path: str) -> None:
        body = Path(self.translate_path(path)).read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[: len(body) // 2])
        self.close_connection = True

    def _send_forever(self) -> None:
        self.send_response(200)
        self.end_headers()
        try:
            while True:
                self.wfile.write(bytes(1 << 16))
        except OSError:
            pass  # the client hung up, as it should

    def log_message(self, format: str, *args: object) -> None:
        pass


class Mirror:
    def __init__(self, root: Path) -> None:
        self.requests: list[str] = []
        handler = type("Handler", (MirrorHandler,), {"requests": self.requests})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(root)))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def serve() -> Iterator:  # type: ignore[type-arg]
    mirrors: list[Mirror] = []

    def start(root: Path) -> Mirror:
        mirrors.append(Mirror(root))
        return mirrors[-1]

    yield start
    for mirror in mirrors:
        mirror.close()


def _closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # nothing listens there any more


def _copy_of_shared(target: Path) -> Path:
    shutil.copytree(SHARED, target)
    for path in target.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    target.chmod(0o755)
    return target


def _same_as_shared(datasets_dir: Path, relative: str) -> bool:
    return (datasets_dir / relative).read_bytes() == (SHARED / relative).read_bytes()


def _leftovers(datasets_dir: Path) -> list[str]:
    return [p.name for p in datasets_dir.rglob("*") if p.name.endswith(".part")]


def test_fetches_every_file_from_a_mirror_then_downloads_nothing_again(serve, tmp_path: Path):
    mirror = serve(SHARED)
    target = tmp_path / "datasets"
    outcomes = datasets_fetch(datasets_dir=target, mirrors=mirrors_in_datasets_layout([mirror.url]))
    assert [(o.path, o.action) for o in outcomes] == [(path, "fetched") for path in ALL_FILES]
    assert all(_same_as_shared(target, path) for path in ALL_FILES)
    assert _leftovers(target) == []
    served = len(mirror.requests)
    again = datasets_fetch(datasets_dir=target, mirrors=mirrors_in_datasets_layout([mirror.url]))
    assert [o.action for o in again] == ["present"] * len(ALL_FILES)
    assert len(mirror.requests) == served  # idempotent: nothing was downloaded


def test_failing_mirrors_are_skipped_for_the_next_one_in_order(serve, tmp_path: Path):
    mirror = serve(SHARED)
    bases = [
        f"{mirror.url}/fail500/mnist/",
        f"{mirror.url}/nowhere/",
        f"{_closed_port_url()}/",
        f"{mirror.url}/truncated/mnist/",
        f"{mirror.url}/mnist/",
    ]
    outcomes = datasets_fetch(datasets_dir=tmp_path, datasets=["mnist"], mirrors={"mnist": bases})
    assert [o.action for o in outcomes] == ["fetched"] * 4
    detail = outcomes[0].detail
    assert detail.startswith(f"from {mirror.url}/mnist/")
    assert "HTTP 500" in detail and "HTTP 404" in detail and "cannot connect" in detail
    assert "the download stopped after" in detail
    assert all(_same_as_shared(tmp_path, raw.relative_path) for raw in mnist.RAW_FILES)
    assert _leftovers(tmp_path) == []


def test_a_corrupted_file_on_the_mirror_is_refused_and_the_others_still_install(
    serve, tmp_path: Path
):
    root = _copy_of_shared(tmp_path / "mirror")
    (root / T10K_LABELS).write_bytes(gzip.compress(bytes(10008), mtime=0))
    mirror = serve(root)
    target = tmp_path / "datasets"
    outcomes = {
        o.path: o
        for o in datasets_fetch(
            datasets_dir=target, mirrors=mirrors_in_datasets_layout([mirror.url])
        )
    }
    assert outcomes[T10K_LABELS].action == "failed"
    assert "not the published file: SHA-256" in outcomes[T10K_LABELS].detail
    assert not (target / T10K_LABELS).exists()  # never installed, not even for a moment
    assert [p for p, o in outcomes.items() if o.action == "fetched"] == [
        path for path in ALL_FILES if path != T10K_LABELS
    ]
    assert _leftovers(target) == []


def test_the_command_reports_each_file_and_fails_when_one_could_not_be_fetched(
    serve, tmp_path: Path
):
    root = _copy_of_shared(tmp_path / "mirror")
    (root / T10K_LABELS).unlink()
    mirror = serve(root)
    out = StringIO()
    with pytest.raises(CommandError, match="1 of 5 files could not be installed"):
        call_command(
            "fetch_datasets", "--mirror", mirror.url, "--dir", str(tmp_path / "d"), stdout=out
        )
    lines = out.getvalue().splitlines()
    assert sum(line.strip().startswith("fetched") for line in lines) == 4
    failed = [line for line in lines if line.strip().startswith("failed")]
    assert len(failed) == 1 and T10K_LABELS in failed[0] and "HTTP 404" in failed[0]


def test_a_corrupted_local_file_is_replaced_by_a_verified_one(serve, tmp_path: Path):
    mirror = serve(SHARED)
    damaged = tmp_path / T10K_LABELS
    damaged.parent.mkdir(parents=True)
    damaged.write_bytes(b"half a download")
    outcomes = datasets_fetch(
        datasets_dir=tmp_path, datasets=["mnist"], mirrors=mirrors_in_datasets_layout([mirror.url])
    )
    by_path = {o.path: o for o in outcomes}
    assert by_path[T10K_LABELS].action == "fetched"
    assert "not the published one, replacing it" in by_path[T10K_LABELS].detail
    assert _same_as_shared(tmp_path, T10K_LABELS)


def test_a_download_larger_than_the_published_file_is_cut_off(serve, tmp_path: Path):
    mirror = serve(SHARED)
    outcomes = datasets_fetch(
        datasets_dir=tmp_path,
        datasets=["tinyshakespeare"],
        mirrors={"tinyshakespeare": [f"{mirror.url}/endless/"]},
    )
    assert outcomes[0].action == "failed"
    assert "larger than the published file" in outcomes[0].detail
    assert not (tmp_path / "tinyshakespeare" / "input.txt").exists()
    assert _leftovers(tmp_path) == []


def test_from_copies_a_local_mirror_folder_verified(tmp_path: Path):
    out = StringIO()
    call_command("fetch_datasets", "--from", str(SHARED), "--dir", str(tmp_path), stdout=out)
    assert out.getvalue().count("fetched") == len(ALL_FILES)
    assert "All datasets are installed" in out.getvalue()
    for files in CATALOG.values():
        for raw in files:
            verify(raw.path(tmp_path), raw)
    again = StringIO()
    call_command("fetch_datasets", "--from", str(SHARED), "--dir", str(tmp_path), stdout=again)
    assert again.getvalue().count("present") == len(ALL_FILES)


def test_from_a_folder_with_a_bad_copy_refuses_it(tmp_path: Path):
    source = _copy_of_shared(tmp_path / "source")
    (source / "tinyshakespeare" / "input.txt").write_text("To be, or not to be", encoding="utf-8")
    out = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "fetch_datasets", "--from", str(source), "--dir", str(tmp_path / "d"), stdout=out
        )
    assert "19 bytes, the published file's 1115394" in out.getvalue()
    assert not (tmp_path / "d" / "tinyshakespeare" / "input.txt").exists()


def test_the_command_exits_non_zero_with_a_clear_message(tmp_path: Path):
    (tmp_path / "empty").mkdir()
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "fetch_datasets",
            "--dataset",
            "tinyshakespeare",
            "--from",
            str(tmp_path / "empty"),
            "--dir",
            str(tmp_path / "d"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "failed  tinyshakespeare/input.txt" in result.stdout
    assert "No such file" in result.stdout
    assert "1 of 1 files could not be installed" in result.stderr
