"""Forming a team from the challenge page: create, join by code, leave. Each
posts, calls one service and returns to the page with what happened."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from server.accounts.requests import AuthenticatedRequest
from server.competitions.access import visible_or_404
from server.competitions.models import Challenge
from server.teams import services


def _act(request: AuthenticatedRequest, slug: str, act: Callable[[Challenge], str]) -> HttpResponse:
    challenge = visible_or_404(request, slug)
    try:
        messages.success(request, act(challenge))
    except services.TeamRefused as exc:
        messages.error(request, str(exc))
    return redirect(reverse("challenge", args=[slug]) + "#team")


@login_required
@require_POST
def create(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    def act(challenge: Challenge) -> str:
        name = request.POST.get("name", "")
        team = services.team_create(user=request.user, challenge=challenge, name=name)
        return f"Team {team.name} created: give its code to your teammates."

    return _act(request, slug, act)


@login_required
@require_POST
def join(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    def act(challenge: Challenge) -> str:
        code = request.POST.get("code", "")
        team = services.team_join(user=request.user, challenge=challenge, code=code)
        return f"You joined {team.name}."

    return _act(request, slug, act)


@login_required
@require_POST
def leave(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    def act(challenge: Challenge) -> str:
        services.team_leave(user=request.user, challenge=challenge)
        return "You left the team: you enter alone now."

    return _act(request, slug, act)
