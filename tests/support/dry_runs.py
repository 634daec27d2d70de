"""Starting a dry run through the site and waiting for its end."""

from __future__ import annotations

import re
import secrets
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from server.accounts.models import User
from server.competitions.models import Challenge
from server.dry_runs.models import DryRun
from tests.support.waiting import wait_for


def offer_dry_runs(challenge: Challenge) -> None:
    """Make a factory challenge offer dry runs, as a bundle's ``prepare_dry_run`` does."""
    hidden = challenge.dry_run_dir / "hidden"
    hidden.mkdir(parents=True, exist_ok=True)
    (hidden / "labels.csv").write_text("id,label\n0,1\n")


def make_dry_run(*, user: User, challenge: Challenge, **fields: Any) -> DryRun:
    """A dry run's row, as a worker left it (no upload kept: nothing runs it)."""
    return DryRun.objects.create(
        user=user,
        challenge=challenge,
        token=secrets.token_hex(16),
        original_name="main.py",
        **fields,
    )


def dry_run(client, slug: str, code: bytes) -> int:  # type: ignore[no-untyped-def]
    response = client.post(
        f"/challenges/{slug}/dry-run/", {"code": SimpleUploadedFile("main.py", code)}
    )
    assert response.status_code == 302, response.content[:500]
    found = re.fullmatch(r"/dry-runs/(\d+)/", response["Location"])
    assert found, response["Location"]
    return int(found.group(1))


def wait_ended(dry_run_id: int, *, timeout: float) -> DryRun:
    def ended() -> DryRun | None:
        row = DryRun.objects.get(pk=dry_run_id)
        return row if row.is_final else None

    return wait_for(ended, timeout=timeout, what="the dry run to end")
