from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from server.competitions.models import Challenge
from server.competitions.selectors import challenge_get
from server.leaderboards.selectors import leaderboard_rows


def leaderboard(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        challenge = challenge_get(slug=slug)
    except Challenge.DoesNotExist as exc:
        raise Http404("No such challenge") from exc
    rows = leaderboard_rows(challenge=challenge)
    return render(request, "leaderboards/leaderboard.html", {"challenge": challenge, "rows": rows})
