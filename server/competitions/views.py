"""Public pages of challenges: the timeline, a challenge, its downloads."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render

from server.accounts.roles import can_manage
from server.competitions.access import visible_or_404
from server.competitions.deadlines import acceptance
from server.competitions.downloads import download_response
from server.competitions.models import Challenge
from server.competitions.selectors import challenge_list, phase_state
from server.competitions.timeline import timeline
from server.courses.selectors import announcements_for_challenge, lock_reason
from server.leaderboards.selectors import best_scores_of, entrants_on_boards
from server.site import clock
from server.submissions import compute
from server.submissions.allowance import allowance_of, barred_reason
from server.submissions.entrants import entrant_of
from server.submissions.forms import SubmissionForm
from server.submissions.selectors import submissions_of
from server.teams.selectors import team_view
from server.teams.services import teams_lock_at
from worker import api as worker_api


def home(request: HttpRequest) -> HttpResponse:
    challenges = list(challenge_list().prefetch_related("phases"))
    context = {
        "items": timeline(challenges),
        "mine": best_scores_of(user=request.user, challenges=challenges),
        "on_boards": entrants_on_boards(challenges=challenges),
        "states": {c.id: phase_state(challenge=c) for c in challenges},
    }
    return render(request, "competitions/home.html", context)


def challenge_detail(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = visible_or_404(request, slug)
    context: dict[str, object] = {
        "challenge": challenge,
        "runtime": worker_api.runtime_facts(challenge.runtime, gpu_mode=challenge.gpu),
        "time_warning": {
            "wall": worker_api.warning_seconds(float(challenge.limits.get("wall_seconds", 60))),
            "cpu": worker_api.warning_seconds(float(challenge.limits.get("cpu_seconds", 60))),
        },
        "largest_file_bytes": worker_api.largest_file_bytes(
            output_mb=int(challenge.limits.get("output_mb", 16)),
            tmp_mb=int(challenge.limits.get("tmp_mb", 256)),
        ),
        "form": SubmissionForm(),
        "manages": can_manage(request.user, challenge),
        "announcements": announcements_for_challenge(challenge=challenge, user=request.user),
        **_phase_context(request, challenge),
    }
    if request.user.is_authenticated:
        user = request.user
        entrant = entrant_of(user=user, challenge=challenge)
        context["allowance"] = allowance_of(user=user, challenge=challenge)
        context["submissions"] = submissions_of(user=user, challenge=challenge)[:10]
        context["barred"] = barred_reason(entrant=entrant, challenge=challenge)
        context["locked"] = lock_reason(user=user, challenge=challenge)
        context["budget"] = compute.budget_of(entrant=entrant, challenge=challenge, as_seen=True)
        context["team"] = team_view(user=user, challenge=challenge)
        lock = teams_lock_at(challenge)
        context["teams_lock_at"] = lock
        context["teams_fixed"] = lock is not None and clock.now() >= lock
    return render(request, "competitions/detail.html", context)


def _phase_context(request: HttpRequest, challenge: Challenge) -> dict[str, object]:
    """The phase, and for a signed-in participant what they may do now: their
    own deadline (an extension), or the late window they are in."""
    now = clock.now()
    context: dict[str, object] = {"phase": phase_state(challenge=challenge, at=now)}
    if request.user.is_authenticated:
        team = entrant_of(user=request.user, challenge=challenge).team_id
        context["accepted"] = acceptance(
            challenge=challenge, user_id=request.user.pk, team_id=team, at=now
        )
    return context


def phase_box(request: HttpRequest, slug: str) -> HttpResponse:
    """The phase and countdown box, polled by htmx so the countdown stays current."""
    challenge = visible_or_404(request, slug)
    context = {"challenge": challenge, **_phase_context(request, challenge)}
    return render(request, "competitions/_phase.html", context)


def download_data(request: HttpRequest, slug: str) -> FileResponse:
    return download_response(challenge=visible_or_404(request, slug), kind="data")


def download_starter(request: HttpRequest, slug: str) -> FileResponse:
    return download_response(challenge=visible_or_404(request, slug), kind="starter")
