"""The "queue and workers" page (instructors and staff only), its live part,
and the health check the deployment's load balancer and compose file call."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from server.accounts.decorators import instructor_required
from server.operations.health import platform_problems
from server.operations.selectors import snapshot


@instructor_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "operations/dashboard.html", {"snap": snapshot(user=request.user)})


@instructor_required
@never_cache
def live(request: HttpRequest) -> HttpResponse:
    """The part of the page htmx fetches every few seconds."""
    return render(request, "operations/_live.html", {"snap": snapshot(user=request.user)})


@never_cache
def health(request: HttpRequest) -> HttpResponse:
    """200 when the database and Redis answer, 503 otherwise; says nothing more."""
    problems = platform_problems()
    return HttpResponse(
        "ok\n" if not problems else "unavailable\n",
        status=503 if problems else 200,
        content_type="text/plain",
    )
