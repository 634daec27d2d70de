"""Values every page needs."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, str]:
    """The time zone the pages show times in (MILESTONES_TIME_ZONE)."""
    return {"TIME_ZONE": settings.TIME_ZONE}
