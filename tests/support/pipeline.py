"""Driving the real stack from a test: sign a participant in, submit files through
Django's test client, then wait for the submission's final state; or queue a
submission directly, for the worker's code to take up in this process."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from server.accounts.models import User
from server.competitions.models import Baseline
from server.submissions.models import Submission
from tests.support.paths import REPO
from tests.support.waiting import wait_for

CHALLENGES = REPO / "challenges"


def zip_of(files: Mapping[str, bytes]) -> bytes:
    """A zip archive holding ``files`` (name -> content) at its root."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def participant(username: str) -> User:
    """A new user ``username`` (with the tests' password)."""
    return User.objects.create_user(username=username, password="pw-for-tests-1")


def sign_in(client, username: str) -> User:  # type: ignore[no-untyped-def]
    """A new participant ``username``, signed in on ``client`` (Django's test client)."""
    user = participant(username)
    client.force_login(user)
    return user


def submit(client, slug: str, files: Mapping[str, bytes]) -> int:  # type: ignore[no-untyped-def]
    """Upload ``files``: a lone main.py as itself, anything more as a zip. Returns the id."""
    if list(files) == ["main.py"]:
        upload = SimpleUploadedFile("main.py", files["main.py"])
    else:
        upload = SimpleUploadedFile("submission.zip", zip_of(files))
    response = client.post(f"/challenges/{slug}/submit/", {"code": upload})
    assert response.status_code == 302, response.content[:500]
    return int(response["Location"].rstrip("/").split("/")[-1])


def submit_and_wait(  # type: ignore[no-untyped-def]
    client, slug: str, files: Mapping[str, bytes], *, timeout: float
) -> Submission:
    """``submit`` then ``wait_final``: the submission in its final state."""
    return wait_final(submit(client, slug, files), timeout=timeout)


def board_halves(submission: Submission) -> tuple[float, float]:
    """A submission's scores as the boards list a baseline's: each half's, to four decimals."""
    assert submission.public_score is not None and submission.private_score is not None
    return round(submission.public_score, 4), round(submission.private_score, 4)


def listed_halves(baseline: Baseline) -> tuple[float, float | None]:
    """A listed baseline's scores: the public half's and the private half's."""
    return baseline.score, baseline.private_score


def final_state(submission_id: int) -> Submission | None:
    submission = Submission.objects.get(id=submission_id)
    return submission if submission.is_final else None


def wait_final(submission_id: int, *, timeout: float) -> Submission:
    return wait_for(lambda: final_state(submission_id), timeout=timeout, what="a final state")


def reference_files(
    slug: str, *, budget: Mapping[str, Any] | None = None, **extra: bytes
) -> dict[str, bytes]:
    """A bundle's reference/main.py, with ``budget`` beside it as budget.json when
    given (plus ``extra`` files)."""
    files = {"main.py": (CHALLENGES / slug / "reference" / "main.py").read_bytes()}
    if budget is not None:
        files["budget.json"] = json.dumps(budget).encode()
    return {**files, **extra}


def starter_files(slug: str) -> dict[str, bytes]:
    """A bundle's starter/main.py, as a submission."""
    return {"main.py": (CHALLENGES / slug / "starter" / "main.py").read_bytes()}


def queued_submission(  # type: ignore[no-untyped-def]
    challenge, code: bytes, username: str = "ada"
) -> Submission:
    """A new participant's submission of ``code`` as main.py, queued but sent to no worker."""
    submission = Submission(
        user=participant(username),
        challenge=challenge,
        token=f"t-{username}",
        original_name="main.py",
        state="queued",
        queue="cpu-short",
    )
    submission.upload.save("main.py", ContentFile(code), save=False)
    submission.save()
    return submission
