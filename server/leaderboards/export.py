"""A board as CSV: the instructor's records (the page's export and the API's)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Protocol

from server.leaderboards.selectors import BoardRow, Scope

COLUMNS = (
    "rank",
    "participant",
    "baseline",
    "{split}_score",
    "{split}_low",
    "{split}_high",
    "tied_with_above",
    "entries",
    "best_submission_id",
    "best_submitted_at",
    "last_submitted_at",
    "team",
    "late_days",
)


class Writable(Protocol):
    def write(self, text: str, /) -> object: ...


def csv_filename(*, slug: str, scope: Scope, private: bool) -> str:
    phase = f"-phase{scope.phase.id}" if scope.phase is not None else ""
    return f"{slug}{phase}-{'private' if private else 'public'}.csv"


def write_board_csv(out: Writable, *, rows: Iterable[BoardRow], private: bool) -> None:
    split = "private" if private else "public"
    writer = csv.writer(out)
    writer.writerow([column.format(split=split) for column in COLUMNS])
    for row in rows:
        writer.writerow(
            [
                row.rank or "",
                row.participant,
                row.label if row.is_baseline else "",
                repr(row.score),
                repr(row.interval[0]) if row.interval else "",
                repr(row.interval[1]) if row.interval else "",
                "yes" if row.tied_with_above else "",
                row.entries or "",
                row.submission_id or "",
                "" if row.is_baseline else row.submitted_at.isoformat(),
                row.last_submitted_at.isoformat() if row.last_submitted_at else "",
                "yes" if row.is_team else "",
                row.late_days or "",
            ]
        )
