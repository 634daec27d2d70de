"""Values every page needs."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    """The time zone the pages show times in (MILESTONES_TIME_ZONE), and whether
    they listen for changes (MILESTONES_LIVE_PUSH) or only poll."""
    return {
        "TIME_ZONE": settings.TIME_ZONE,
        "LIVE_PUSH": settings.LIVE_PUSH,
        "DRY_RUN_SECONDS": settings.DRY_RUN_SECONDS,
    }
