"""Starting a dry run through the site and waiting for its end."""

from __future__ import annotations

import re

from django.core.files.uploadedfile import SimpleUploadedFile

from server.dry_runs.models import DryRun
from tests.support.waiting import wait_for


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
