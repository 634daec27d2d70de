"""A request body over its route's limit is refused from its declared size, before
any of it is read or written anywhere."""

from __future__ import annotations

import socket
import tempfile
import time
from pathlib import Path

import pytest

from server.site.limits import body_limit

pytestmark = pytest.mark.django_db(transaction=True)


def _post_declaring(server_url: str, path: str, declared: int, sent: bytes) -> tuple[int, float]:
    """POST ``path`` with a Content-Length of ``declared`` but only ``sent`` bytes
    of body; return the status and how long the answer took."""
    host, port = server_url.removeprefix("http://").split(":")
    started = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=30) as conn:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {declared}\r\n"
            "Content-Type: multipart/form-data; boundary=x\r\nConnection: close\r\n\r\n"
        )
        conn.sendall(head.encode() + sent)
        answer = conn.recv(4096).decode(errors="replace")
    return int(answer.split()[1]), time.monotonic() - started


def _temp_bytes() -> int:
    root = Path(tempfile.gettempdir())
    return sum(p.stat().st_size for p in root.glob("*.upload*") if p.is_file())


def test_an_anonymous_gigabyte_upload_is_refused_before_a_byte_is_written(live_server):
    before = _temp_bytes()
    status, _ = _post_declaring(
        live_server.url, "/challenges/x/submit/", 1 << 30, b"--x\r\n" * 1000
    )
    assert status == 413
    assert _temp_bytes() - before < 1 << 20


def test_a_body_within_the_limit_goes_on_to_the_view(live_server):
    status, _ = _post_declaring(live_server.url, "/challenges/x/submit/", 10, b"--x--\r\n\r\n.")
    assert status != 413


def test_bundle_uploads_may_be_larger_than_submissions(settings):
    assert body_limit("/instructor/upload/") > settings.BUNDLE_UPLOAD_MAX_BYTES
    assert body_limit("/challenges/x/submit/") > settings.SUBMISSION_MAX_UPLOAD_BYTES
    assert body_limit("/challenges/x/submit/") < settings.BUNDLE_UPLOAD_MAX_BYTES
