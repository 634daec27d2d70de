"""The leaderboard page (public or private board, per phase, with its chart)
and the instructor's CSV export."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from server.accounts.roles import can_manage
from server.competitions.access import visible_or_404
from server.competitions.models import Challenge
from server.leaderboards.chart import Chart, build_chart
from server.leaderboards.export import csv_filename, write_board_csv
from server.leaderboards.selectors import (
    BoardRow,
    Scope,
    board_for,
    board_rows,
    board_scope,
    leaders,
    progressions,
    record_progression,
)
from server.site import clock
from server.submissions.entrants import entrant_of

CHART_PARTICIPANTS = 8


def _phase_id(request: HttpRequest) -> int | None:
    value = request.GET.get("phase", "")
    # isascii: "²".isdigit() is true, and int("²") raises.
    return int(value) if value.isascii() and value.isdecimal() else None


def leaderboard(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = visible_or_404(request, slug)
    now = clock.now()
    you = _entrant_key(request, challenge)
    board = board_for(
        user=request.user,
        challenge=challenge,
        phase_id=_phase_id(request),
        private=request.GET.get("board") == "private",
        at=now,
        page=request.GET.get("page"),
        viewer=you,
    )
    context: dict[str, object] = {
        "challenge": challenge,
        "scope": board.scope,
        "scopes": board.scopes,
        "private": board.private,
        "may_see_private": board.may_see_private,
        "revealed": board.revealed,
        "manages": can_manage(request.user, challenge),
        "you": you,
        "page": board.page,
        "rows": board.rows,
        "mine": board.page.mine,
        "mine_page": board.page.mine_page,
        "changes_known": board.page.changes_known,
    }
    if not board.private:
        context["chart"] = _chart(challenge, board.scope, board.page.mine, you, now)
    return render(request, "leaderboards/leaderboard.html", context)


def _chart(
    challenge: Challenge, scope: Scope, mine: BoardRow | None, you: str, now: dt.datetime
) -> Chart | None:
    shown = leaders(challenge=challenge, scope=scope, n=CHART_PARTICIPANTS)
    if mine is not None and all(row.key != mine.key for row in shown):
        shown.append(mine)
    return build_chart(
        record=record_progression(challenge=challenge, scope=scope),
        series=progressions(challenge=challenge, scope=scope, participants=[r.key for r in shown]),
        baselines=[(b.name, b.score) for b in challenge.baselines.all()],
        now=now,
        you=you or None,
        labels={row.key: row.participant for row in shown},
    )


def _entrant_key(request: HttpRequest, challenge: Challenge) -> str:
    """The viewer's row on the boards: their own, or their team's."""
    if not request.user.is_authenticated:
        return ""
    return entrant_of(user=request.user, challenge=challenge).key


def export_csv(request: HttpRequest, slug: str) -> HttpResponse:
    """A board as CSV (the instructor's records: private boards at any time)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    challenge = visible_or_404(request, slug)
    if not can_manage(request.user, challenge):
        raise PermissionDenied("Only the challenge's instructor and staff export its boards.")
    now = clock.now()
    scope = board_scope(challenge=challenge, phase_id=_phase_id(request), at=now)
    private = request.GET.get("board") == "private"
    rows = board_rows(challenge=challenge, scope=scope, private=private)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = csv_filename(slug=slug, scope=scope, private=private)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    write_board_csv(response, rows=rows, private=private)
    return response
