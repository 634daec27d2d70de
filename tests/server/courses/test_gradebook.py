"""The gradebook: finals and bests per student and challenge, the rank, the
result to beat, days late and the grade from the rule; its CSVs read back."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from server.competitions.services import participant_disqualify, phase_create
from server.courses.gradebook import gradebook, write_detail_csv, write_import_csv
from server.courses.grades import GradeRule
from server.courses.services import StepRules, course_create, course_join, step_add, step_update
from server.site import clock
from server.teams.services import team_create, team_join
from tests.support.factories import make_challenge, make_submission, make_user

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def test_the_rule_is_linear_capped_and_penalised_per_day():
    rule = GradeRule(zero_at=0.5, full_at=0.9, points=100)
    assert [rule.grade(s) for s in (None, 0.4, 0.5, 0.7, 0.9, 0.99)] == [0, 0, 0, 50, 100, 100]
    assert rule.grade(0.7, late_days=2, penalty_percent=10) == 40.0
    assert rule.grade(0.9, late_days=20, penalty_percent=10) == 0.0
    lower = GradeRule(zero_at=2.0, full_at=1.0, points=10)  # lower is better
    assert (lower.grade(2.5), lower.grade(1.5), lower.grade(0.5)) == (0.0, 5.0, 10.0)


@pytest.fixture
def course(site):  # type: ignore[no-untyped-def]
    prof = make_user("prof", instructor=True)
    course = course_create(by=prof, title="DL")
    xor = make_challenge("1986-xor", team_size=2, baselines=(("Chance", 0.5), ("1986", 0.9)))
    now = clock.now()
    phase = phase_create(
        challenge=xor,
        name="Graded",
        starts_at=now - 5 * DAY,
        ends_at=now - 3 * DAY,
        late_until=now + DAY,
        late_penalty_percent=10,
    )
    lstm = make_challenge(
        "1997-lstm", year=1997, direction="lower", baselines=(("Unigram", 4.0), ("1997", 2.0))
    )
    step_add(course=course, challenge=xor)
    second = step_add(course=course, challenge=lstm)
    step_update(
        step=second,
        rules=StepRules(
            prerequisite_id=None, unlock="beat", phase_id=None, zero_at=3.0, full_at=2.0, points=10
        ),
    )
    students = {}
    for name in ("ada", "bob", "cy", "dan", "eve"):
        students[name] = make_user(name)
        students[name].email = f"{name}@example.org"
        students[name].save()
        course_join(user=students[name], code=course.join_code)
    with clock.travelled(to=now - 4 * DAY):
        team = team_create(user=students["bob"], challenge=xor, name="Pair")
        team_join(user=students["cy"], challenge=xor, code=team.code)
    on_time = now - 4 * DAY
    make_submission(
        user=students["ada"],
        challenge=xor,
        public=0.8,
        private=0.85,
        created_at=on_time,
        phase=phase,
    )
    make_submission(
        user=students["ada"],
        challenge=xor,
        public=0.95,
        private=0.9,
        created_at=on_time,
        phase=phase,
    )
    make_submission(
        user=students["cy"],
        challenge=xor,
        public=0.7,
        private=0.7,
        team=team,
        created_at=now - DAY,
        phase=phase,
        late_days=2,
    )
    make_submission(
        user=students["eve"],
        challenge=xor,
        public=0.99,
        private=0.99,
        created_at=on_time,
        phase=phase,
    )
    participant_disqualify(challenge=xor, username="eve", reason="copied", by=prof)
    make_submission(user=students["ada"], challenge=lstm, public=2.5, private=2.4)
    return course


def test_each_student_gets_their_entrants_final_best_rank_and_grade(course):
    book = gradebook(course=course)
    assert [c.challenge.slug for c in book.columns] == ["1986-xor", "1997-lstm"]
    rows = {row.username: row for row in book.rows}
    assert list(rows) == ["ada", "bob", "cy", "dan", "eve"]
    ada_xor, ada_lstm = rows["ada"].cells
    assert (ada_xor.final_public, ada_xor.final_private) == (0.95, 0.9)
    assert (ada_xor.best_public, ada_xor.best_private) == (0.95, 0.9)
    assert (ada_xor.rank, ada_xor.beat, ada_xor.late_days, ada_xor.grade) == (1, True, 0, 100.0)
    assert (ada_lstm.final_private, ada_lstm.grade, ada_lstm.beat) == (2.4, 6.0, False)
    for name in ("bob", "cy"):  # one team, one entry: both get it
        cell = rows[name].cells[0]
        assert (cell.team, cell.final_private, cell.rank, cell.late_days) == ("Pair", 0.7, 2, 2)
        assert cell.grade == 40.0  # 50 points, less 2 days at 10%
    assert rows["dan"].cells[0].grade == 0.0 and rows["dan"].cells[0].rank is None
    eve = rows["eve"].cells[0]
    assert eve.disqualified and eve.final_private is None and eve.grade == 0.0
    assert rows["ada"].total == 106.0 and book.points == 110


def test_the_import_csv_is_canvas_shaped_and_reads_back_cell_by_cell(course):
    out = io.StringIO()
    write_import_csv(out, gradebook(course=course))
    lines = list(csv.reader(io.StringIO(out.getvalue())))
    assert lines[0] == [
        "Student",
        "ID",
        "SIS User ID",
        "SIS Login ID",
        "Section",
        "Challenge 1986-xor (1986-xor)",
        "Challenge 1997-lstm (1997-lstm)",
        "Total",
    ]
    assert lines[1] == ["Points Possible", "", "", "", "", "100", "10", "110"]
    assert lines[2] == ["ada", "", "ada", "ada@example.org", "DL", "100.00", "6.00", "106.00"]
    assert lines[3] == ["bob", "", "bob", "bob@example.org", "DL", "40.00", "0.00", "40.00"]
    assert len(lines) == 7


def test_the_detail_csv_holds_every_field(course):
    out = io.StringIO()
    write_detail_csv(out, gradebook(course=course))
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    cy = next(r for r in rows if r["username"] == "cy")
    assert cy["1986-xor final_private"] == "0.7" and cy["1986-xor late_days"] == "2"
    assert cy["1986-xor team"] == "Pair" and cy["1986-xor beat"] == "no"
    assert cy["1986-xor grade"] == "40.00" and cy["total"] == "40.00"


def test_the_default_rule_runs_to_the_result_to_beat_on_the_private_board_never_a_bound(site):
    from server.competitions.models import Baseline
    from server.courses.gradebook import rule_of

    prof = make_user("prof", instructor=True)
    course = course_create(by=prof, title="DL")
    xor = make_challenge("1986-xor", baselines=())
    rows = [
        ("Linear", 0.51, 0.49, False),
        ("2-2-1 network", 0.95, 0.94, False),
        ("Bayes rule", 0.97, 0.96, True),
    ]
    for position, (name, public, private, bound) in enumerate(rows):
        Baseline.objects.create(
            challenge=xor,
            name=name,
            score=public,
            private_score=private,
            bound=bound,
            position=position,
        )
    rule = rule_of(step_add(course=course, challenge=xor))
    assert rule is not None and (rule.zero_at, rule.full_at) == (0.49, 0.94)
