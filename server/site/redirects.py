"""Where a page may send its visitor back to: only somewhere on this site."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, fallback: str) -> str:
    """``next`` (query or form) when it is a path on this site, else ``fallback``:
    no open redirect, and no name Django would try to read as a view."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    on_site = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return (
        target if on_site and target.startswith("/") and not target.startswith("//") else fallback
    )
