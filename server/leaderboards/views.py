"""The leaderboard page (public or private board, per phase, with its chart)
and the instructor's CSV export."""

from __future__ import annotations

import csv
import datetime as dt

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from server import clock
from server.accounts.roles import can_manage
from server.competitions.models import Challenge
from server.competitions.views import visible_or_404
from server.leaderboards.chart import Chart, build_chart
from server.leaderboards.selectors import (
    BoardRow,
    Scope,
    board_scope,
    board_scopes,
    private_board,
    progressions,
    public_board,
    record_progression,
)

CHART_PARTICIPANTS = 8
ROWS_PER_PAGE = 100


def _phase_id(request: HttpRequest) -> int | None:
    value = request.GET.get("phase", "")
    return int(value) if value.isdigit() else None


def leaderboard(request: HttpRequest, slug: str) -> HttpResponse:
    challenge = visible_or_404(request, slug)
    now = clock.now()
    scope = board_scope(challenge=challenge, phase_id=_phase_id(request), at=now)
    manages = can_manage(request.user, challenge)
    private = request.GET.get("board") == "private"
    may_see_private = manages or scope.revealed(now)
    context: dict[str, object] = {
        "challenge": challenge,
        "scope": scope,
        "scopes": board_scopes(challenge=challenge, at=now),
        "private": private,
        "may_see_private": may_see_private,
        "manages": manages,
        "you": request.user.username if request.user.is_authenticated else "",
    }
    if private:
        rows = private_board(challenge=challenge, scope=scope) if may_see_private else []
    else:
        rows = public_board(challenge=challenge, scope=scope, at=now)
        context["chart"] = _chart(challenge, scope, rows, str(context["you"]), now)
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    at = next((i for i, row in enumerate(rows) if row.participant == context["you"]), None)
    context.update(page=page, rows=page.object_list,
                   mine=rows[at] if at is not None else None,
                   mine_page=at // ROWS_PER_PAGE + 1 if at is not None else None)  # fmt: skip
    return render(request, "leaderboards/leaderboard.html", context)


def _chart(
    challenge: Challenge, scope: Scope, rows: list[BoardRow], you: str, now: dt.datetime
) -> Chart | None:
    leaders = [row.participant for row in rows if row.rank is not None][:CHART_PARTICIPANTS]
    if you and you not in leaders and any(row.participant == you for row in rows):
        leaders.append(you)
    return build_chart(
        record=record_progression(challenge=challenge, scope=scope),
        series=progressions(challenge=challenge, scope=scope, participants=leaders),
        baselines=[(b.name, b.score) for b in challenge.baselines.all()],
        now=now,
        you=you or None,
    )


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
    rows = (
        private_board(challenge=challenge, scope=scope)
        if private
        else public_board(challenge=challenge, scope=scope, at=now)
    )
    split = "private" if private else "public"
    phase = f"-phase{scope.phase.id}" if scope.phase is not None else ""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}{phase}-{split}.csv"'
    _write_csv(response, rows, split)
    return response


def _write_csv(response: HttpResponse, rows: list[BoardRow], split: str) -> None:
    writer = csv.writer(response)
    writer.writerow(["rank", "participant", "baseline", f"{split}_score", "entries",
                     "best_submission_id", "best_submitted_at", "last_submitted_at"])  # fmt: skip
    for row in rows:
        writer.writerow([
            row.rank or "", row.participant, row.label if row.is_baseline else "",
            repr(row.score), row.entries or "", row.submission_id or "",
            "" if row.is_baseline else row.submitted_at.isoformat(),
            row.last_submitted_at.isoformat() if row.last_submitted_at else "",
        ])  # fmt: skip
