"""A course's gradebook: a row per enrolled student, per challenge the final and
best scores (public and private), the rank on the private board, whether the
result to beat was beaten, the days late and the grade; as a page and as CSV.

"Final" is the submission the private board ranks for the student's entrant (a
team's shared by its members): the best private score among those marked final,
or among the ``max_final`` best by public score when none is marked. The grade
reads its private score (its public one when the challenge has no private split)."""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from django.db.models import Q

from server.accounts.models import User
from server.competitions.models import Challenge, Disqualification, Phase
from server.courses.grades import GradeRule
from server.courses.models import Course, CourseChallenge
from server.courses.selectors import steps_of
from server.leaderboards.selectors import Scope, board_rows
from server.submissions.entrants import entrant_key
from server.submissions.models import Submission
from server.teams.models import Membership


@dataclass(frozen=True)
class Cell:
    final_public: float | None
    final_private: float | None
    best_public: float | None
    best_private: float | None
    rank: int | None  # on the private board of the graded phase
    beat: bool  # the final score reaches the result to beat
    late_days: int  # of the final submission
    grade: float | None  # None: the step has no grading rule
    submission_id: int | None  # the final submission
    team: str  # the team's name, when the student entered in one
    disqualified: bool


@dataclass(frozen=True)
class Column:
    step: CourseChallenge
    phase: Phase | None
    rule: GradeRule | None

    @property
    def challenge(self) -> Challenge:
        return self.step.challenge

    @property
    def heading(self) -> str:
        return f"{self.challenge.title} ({self.challenge.slug})"


@dataclass(frozen=True)
class Row:
    username: str
    email: str
    name: str
    cells: list[Cell]

    @property
    def total(self) -> float:
        return round(sum(c.grade or 0.0 for c in self.cells), 2)


@dataclass(frozen=True)
class Gradebook:
    course: Course
    columns: list[Column]
    rows: list[Row]

    @property
    def points(self) -> int:
        return sum(c.rule.points for c in self.columns if c.rule is not None)


def graded_phase(step: CourseChallenge) -> Phase | None:
    """The step's phase, else the challenge's last one (None without phases)."""
    if step.phase is not None:
        return step.phase
    phases = sorted(step.challenge.phases.all(), key=lambda p: p.starts_at)
    return phases[-1] if phases else None


def rule_of(step: CourseChallenge) -> GradeRule | None:
    """The step's scores, else the challenge's first listed result (no points) and
    its result to beat (every point), never a bound, each as the private board
    shows it (the board the grades read); None when they do not differ."""
    if step.zero_at is not None and step.full_at is not None:
        return GradeRule(step.zero_at, step.full_at, step.points)
    challenge = step.challenge
    results = challenge.listed_results()
    best = challenge.baseline_to_beat
    if not results or best is None:
        return None
    zero, full = results[0].score_on(private=True), best.score_on(private=True)
    return None if zero == full else GradeRule(zero, full, step.points)


def _better(score: float, than: float, direction: str) -> bool:
    return score <= than if direction == "lower" else score >= than


def _best(values: Iterable[float | None], direction: str) -> float | None:
    found = [v for v in values if v is not None and not math.isnan(v)]
    if not found:
        return None
    return min(found) if direction == "lower" else max(found)


def _cells(column: Column, students: list[User]) -> dict[int, Cell]:
    challenge = column.challenge
    scope = Scope(column.phase)
    board = {
        row.key: row
        for row in board_rows(challenge=challenge, scope=scope, private=True)
        if not row.is_baseline
    }
    ids = [u.pk for u in students]
    teams: dict[int, tuple[int | None, str]] = {
        m.user_id: (m.team_id, m.team.name)
        for m in Membership.objects.filter(challenge=challenge, user_id__in=ids).select_related(
            "team"
        )
    }
    barred = set(
        Disqualification.objects.filter(challenge=challenge).values_list("user_id", flat=True)
    )
    team_members: dict[int, set[int]] = {}
    for member, its_team in Membership.objects.filter(challenge=challenge).values_list(
        "user_id", "team_id"
    ):
        team_members.setdefault(its_team, set()).add(member)
    scored = scope.restrict(
        Submission.objects.filter(challenge=challenge, state=Submission.State.SCORED)
    ).filter(Q(user_id__in=ids) | Q(team_id__in=[t for t, _ in teams.values()]))
    per_key: dict[str, list[tuple[float | None, float | None]]] = {}
    publics: dict[int, float | None] = {}
    for sid, username, scored_team, public, private in scored.values_list(
        "id", "user__username", "team_id", "public_score", "private_score"
    ):
        key = entrant_key(username=username, team_id=scored_team)
        per_key.setdefault(key, []).append((public, private))
        publics[sid] = public
    target = challenge.baseline_to_beat
    penalty = column.phase.late_penalty_percent if column.phase is not None else 0
    cells = {}
    for student in students:
        team_id, team_name = teams.get(student.pk, (None, ""))
        key = entrant_key(username=student.username, team_id=team_id)
        final = board.get(key)
        mine = per_key.get(key, [])
        members = team_members.get(team_id, {student.pk}) if team_id is not None else {student.pk}
        score = final.score if final is not None else None
        late = final.late_days if final is not None else 0
        cells[student.pk] = Cell(
            final_public=publics.get(final.submission_id)
            if final and final.submission_id
            else None,
            final_private=score,
            best_public=_best((p for p, _ in mine), challenge.direction),
            best_private=_best((q for _, q in mine), challenge.direction),
            rank=final.rank if final is not None else None,
            beat=score is not None
            and target is not None
            and _better(score, target.score, challenge.direction),
            late_days=late,
            grade=column.rule.grade(score, late_days=late, penalty_percent=penalty)
            if column.rule is not None
            else None,
            submission_id=final.submission_id if final is not None else None,
            team=team_name,
            disqualified=bool(members & barred),
        )
    return cells


def gradebook(*, course: Course) -> Gradebook:
    columns = [
        Column(step=step, phase=graded_phase(step), rule=rule_of(step))
        for step in steps_of(course=course)
    ]
    students = list(
        User.objects.filter(enrollments__course=course).order_by(
            "last_name", "first_name", "username"
        )
    )
    cells = [_cells(column, students) for column in columns]
    rows = [
        Row(
            username=s.username,
            email=s.email,
            name=s.get_full_name() or s.username,
            cells=[column_cells[s.pk] for column_cells in cells],
        )
        for s in students
    ]
    return Gradebook(course=course, columns=columns, rows=rows)


# --- CSV --------------------------------------------------------------------------


class Writable(Protocol):
    def write(self, text: str, /) -> object: ...


def write_import_csv(out: Writable, book: Gradebook) -> None:
    """Grades only, in the layout of a Canvas gradebook export, which Canvas
    imports back and Moodle's CSV import reads (map "SIS Login ID" to the email
    address): the identity columns, a column per challenge, a "Points Possible"
    row, a row per student."""
    writer = csv.writer(out)
    identity = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    writer.writerow([*identity, *(c.heading for c in book.columns), "Total"])
    writer.writerow(
        ["Points Possible", "", "", "", ""]
        + [str(c.rule.points) if c.rule else "" for c in book.columns]
        + [str(book.points)]
    )
    for row in book.rows:
        grades = ["" if c.grade is None else f"{c.grade:.2f}" for c in row.cells]
        writer.writerow(
            [row.name, "", row.username, row.email, book.course.title, *grades, f"{row.total:.2f}"]
        )


DETAIL_FIELDS = (
    "final_public",
    "final_private",
    "best_public",
    "best_private",
    "rank",
    "beat",
    "late_days",
    "grade",
    "team",
)


def write_detail_csv(out: Writable, book: Gradebook) -> None:
    """Everything the page shows, a column per challenge and field."""
    writer = csv.writer(out)
    header = ["username", "email", "name"]
    for column in book.columns:
        header += [f"{column.challenge.slug} {field}" for field in DETAIL_FIELDS]
    writer.writerow([*header, "total"])
    for row in book.rows:
        line = [row.username, row.email, row.name]
        for cell in row.cells:
            line += [
                _score(cell.final_public),
                _score(cell.final_private),
                _score(cell.best_public),
                _score(cell.best_private),
                "" if cell.rank is None else str(cell.rank),
                "yes" if cell.beat else "no",
                str(cell.late_days),
                "" if cell.grade is None else f"{cell.grade:.2f}",
                cell.team,
            ]
        writer.writerow([*line, f"{row.total:.2f}"])


def _score(value: float | None) -> str:
    return "" if value is None else repr(value)
