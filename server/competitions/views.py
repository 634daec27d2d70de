"""Public pages of challenges: the timeline, a challenge, its downloads."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from server.accounts.roles import can_manage
from server.competitions.models import Challenge
from server.competitions.selectors import (
    challenge_list,
    challenge_visible,
    disqualification_of,
    participant_counts,
    phase_state,
)
from server.competitions.timeline import timeline
from server.leaderboards.selectors import best_scores_of
from server.submissions.forms import SubmissionForm
from server.submissions.selectors import allowance_of, submissions_of


def visible_or_404(request: HttpRequest, slug: str) -> Challenge:
    try:
        return challenge_visible(slug=slug, user=request.user)
    except Challenge.DoesNotExist as exc:
        raise Http404("No such challenge") from exc


def home(request: HttpRequest) -> HttpResponse:
    challenges = list(challenge_list().prefetch_related("phases"))
    context = {
        "items": timeline(challenges),
        "mine": best_scores_of(user=request.user, challenges=challenges),
        "participants": participant_counts(challenges=challenges),
        "states": {c.id: phase_state(challenge=c) for c in challenges},
    }
    return render(request, "competitions/home.html", context)


def challenge_detail(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = visible_or_404(request, slug)
    context: dict[str, object] = {
        "challenge": challenge,
        "phase": phase_state(challenge=challenge),
        "form": SubmissionForm(),
        "manages": can_manage(request.user, challenge),
    }
    if request.user.is_authenticated:
        context["allowance"] = allowance_of(user=request.user, challenge=challenge)
        context["submissions"] = submissions_of(user=request.user, challenge=challenge)[:10]
        context["disqualified"] = disqualification_of(challenge=challenge, user=request.user)
    return render(request, "competitions/detail.html", context)


def phase_box(request: HttpRequest, slug: str) -> HttpResponse:
    """The phase and countdown box, polled by htmx so the countdown stays current."""
    challenge = visible_or_404(request, slug)
    context = {"challenge": challenge, "phase": phase_state(challenge=challenge)}
    return render(request, "competitions/_phase.html", context)


def download_data(request: HttpRequest, slug: str) -> FileResponse:
    return _download(visible_or_404(request, slug), "public.zip", f"{slug}-data.zip")


def download_starter(request: HttpRequest, slug: str) -> FileResponse:
    return _download(visible_or_404(request, slug), "starter.zip", f"{slug}-starter.zip")


def _download(challenge: Challenge, name: str, filename: str) -> FileResponse:
    path = challenge.data_dir / name
    if challenge.data_status != Challenge.DataStatus.READY or not path.is_file():
        raise Http404("This challenge's data is not installed yet.")
    return FileResponse(path.open("rb"), as_attachment=True, filename=filename)
