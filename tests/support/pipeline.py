"""Driving the real stack from a test: submit files as a signed-in participant
through Django's test client, then wait for the submission's final state."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from server.submissions.models import Submission
from tests.support.waiting import wait_for

REPO = Path(__file__).resolve().parents[2]
CHALLENGES = REPO / "challenges"


def zip_of(files: Mapping[str, bytes]) -> bytes:
    """A zip archive holding ``files`` (name -> content) at its root."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def submit(client, slug: str, files: Mapping[str, bytes]) -> int:  # type: ignore[no-untyped-def]
    """Upload ``files``: a lone main.py as itself, anything more as a zip. Returns the id."""
    if list(files) == ["main.py"]:
        upload = SimpleUploadedFile("main.py", files["main.py"])
    else:
        upload = SimpleUploadedFile("submission.zip", zip_of(files))
    response = client.post(f"/challenges/{slug}/submit/", {"code": upload})
    assert response.status_code == 302, response.content[:500]
    return int(response["Location"].rstrip("/").split("/")[-1])


def final_state(submission_id: int) -> Submission | None:
    submission = Submission.objects.get(id=submission_id)
    return submission if submission.is_final else None


def wait_final(submission_id: int, *, timeout: float) -> Submission:
    return wait_for(lambda: final_state(submission_id), timeout=timeout, what="a final state")


def reference_files(slug: str, **extra: bytes) -> dict[str, bytes]:
    """A bundle's reference/main.py (plus ``extra`` files, e.g. budget.json)."""
    files = {"main.py": (CHALLENGES / slug / "reference" / "main.py").read_bytes()}
    return {**files, **extra}
