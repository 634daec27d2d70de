from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from server.competitions.models import Challenge
from server.competitions.selectors import challenge_get, challenge_list
from server.leaderboards.selectors import best_scores_of
from server.submissions.forms import SubmissionForm
from server.submissions.selectors import submissions_of, submissions_used_today


def _challenge_or_404(slug: str) -> Challenge:
    try:
        return challenge_get(slug=slug)
    except Challenge.DoesNotExist as exc:
        raise Http404("No such challenge") from exc


def home(request: HttpRequest) -> HttpResponse:
    challenges = list(challenge_list())
    mine = best_scores_of(user=request.user, challenges=challenges)
    cards = [(challenge, mine.get(challenge.id)) for challenge in challenges]
    return render(request, "competitions/home.html", {"cards": cards})


def challenge_detail(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = _challenge_or_404(slug)
    context: dict[str, object] = {"challenge": challenge, "form": SubmissionForm()}
    if request.user.is_authenticated:
        from django.conf import settings

        used = submissions_used_today(user=request.user, challenge=challenge)
        context["remaining"] = max(settings.SUBMISSIONS_PER_DAY - used, 0)
        context["submissions"] = submissions_of(user=request.user, challenge=challenge)[:20]
    return render(request, "competitions/detail.html", context)


def download_data(request: HttpRequest, slug: str) -> FileResponse:
    return _download(_challenge_or_404(slug), "public.zip", f"{slug}-data.zip")


def download_starter(request: HttpRequest, slug: str) -> FileResponse:
    return _download(_challenge_or_404(slug), "starter.zip", f"{slug}-starter.zip")


def _download(challenge: Challenge, name: str, filename: str) -> FileResponse:
    path = challenge.data_dir / name
    if challenge.data_status != Challenge.DataStatus.READY or not path.is_file():
        raise Http404("This challenge's data is not installed yet.")
    return FileResponse(path.open("rb"), as_attachment=True, filename=filename)
