"""Reading dry runs: the pages and the API ask here, so both keep one rule."""

from __future__ import annotations

from server.accounts.models import User
from server.dry_runs.models import DryRun


def dry_run_of(*, user: User, dry_run_id: int) -> DryRun | None:
    """The dry run, if ``user`` made it: it is a private check, never a result, so
    no one else sees it (not staff, not the challenge's instructor)."""
    return DryRun.objects.select_related("challenge").filter(pk=dry_run_id, user_id=user.pk).first()
