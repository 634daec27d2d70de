"""Courses: joined by code or enrolled from a roster (an account made later with
a roster address is enrolled then), steps in order behind prerequisites, and
announcements emailed to a course's students."""

from __future__ import annotations

import pytest
from django.core import mail

from server.accounts.models import User
from server.courses.models import CourseChallenge, Enrollment, Invitation
from server.courses.selectors import lock_reason, steps_for
from server.courses.services import (
    CourseRefused,
    StepRules,
    announcement_post,
    course_create,
    course_join,
    instructor_remove,
    join_code_renew,
    roster_import,
    step_add,
    step_move,
    step_update,
)
from tests.support.factories import make_challenge, make_submission, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def prof(site) -> User:
    return make_user("prof", instructor=True)


def _rules(**changes) -> StepRules:  # type: ignore[no-untyped-def]
    base = {
        "prerequisite_id": None,
        "unlock": "beat",
        "phase_id": None,
        "zero_at": None,
        "full_at": None,
        "points": 100,
    }
    return StepRules(**{**base, **changes})


def test_a_course_is_joined_with_its_code_until_the_code_is_renewed(prof):
    course = course_create(by=prof, title="Deep Learning 101")
    assert course.slug == "deep-learning-101" and list(course.instructors.all()) == [prof]
    ada = make_user("ada")
    assert course_join(user=ada, code=f" {course.join_code} ") == course
    course_join(user=ada, code=course.join_code)  # twice is once
    assert Enrollment.objects.filter(course=course).count() == 1
    join_code_renew(course=course)
    with pytest.raises(CourseRefused, match="No course has that join code"):
        course_join(user=make_user("bob"), code=course.join_code)
    assert course_create(by=prof, title="Deep Learning 101").slug == "deep-learning-101-2"


def test_a_roster_enrolls_accounts_invites_the_rest_and_says_what_it_skipped(prof):
    course = course_create(by=prof, title="DL")
    ada = User.objects.create_user("ada", email="Ada@Example.org", password="x")
    roster = (
        "Name,Email address,Section\n"
        "Ada,ada@example.org,A\n"
        "Bob,bob@example.org,A\n"
        "Nobody,not-an-address,B\n"
        "\n"
        "Bob again,BOB@example.org,A\n"
    )
    result = roster_import(course=course, text=roster)
    assert result.enrolled == ["ada"] and result.invited == ["bob@example.org"]
    assert result.problems == ["line 4: no valid email address (Nobody, not-an-address, B)"]
    assert roster_import(course=course, text="ada@example.org\n").already == ["ada"]
    assert list(Invitation.objects.values_list("email", flat=True)) == ["bob@example.org"]
    bob = User.objects.create_user("bob", email="bob@EXAMPLE.org", password="x")
    assert set(Enrollment.objects.filter(course=course).values_list("user", flat=True)) == {
        ada.pk,
        bob.pk,
    }
    assert not Invitation.objects.exists()


def test_a_course_keeps_one_instructor(prof):
    course = course_create(by=prof, title="DL")
    with pytest.raises(CourseRefused, match="at least one instructor"):
        instructor_remove(course=course, user_id=prof.pk)


def test_a_step_unlocks_when_its_prerequisite_is_beaten(prof):
    course = course_create(by=prof, title="DL")
    xor = make_challenge("1986-xor", baselines=(("Chance", 0.5), ("Rumelhart 1986", 0.9)))
    lenet = make_challenge("1998-lenet", year=1998)
    first, second = step_add(course=course, challenge=xor), step_add(course=course, challenge=lenet)
    step_update(step=second, rules=_rules(prerequisite_id=first.pk))
    ada = make_user("ada")
    course_join(user=ada, code=course.join_code)
    outsider = make_user("bob")
    reason = lock_reason(user=ada, challenge=lenet)
    assert reason == (
        "In DL, this challenge unlocks once you beat Rumelhart 1986 (0.9) on Challenge 1986-xor."
    )
    assert lock_reason(user=outsider, challenge=lenet) is None  # public to the rest
    make_submission(user=ada, challenge=xor, public=0.85)
    assert lock_reason(user=ada, challenge=lenet) is not None
    make_submission(user=ada, challenge=xor, public=0.9)
    assert lock_reason(user=ada, challenge=lenet) is None
    views = steps_for(course=course, user=ada)
    assert [(v.step.challenge.slug, v.best, v.beaten, v.locked) for v in views] == [
        ("1986-xor", 0.9, True, None),
        ("1998-lenet", None, False, None),
    ]


def test_a_scored_rule_asks_only_for_a_score_and_cycles_are_refused(prof):
    course = course_create(by=prof, title="DL")
    a, b = make_challenge("1986-a"), make_challenge("1986-b")
    first, second = step_add(course=course, challenge=a), step_add(course=course, challenge=b)
    step_update(step=second, rules=_rules(prerequisite_id=first.pk))
    step_update(step=first, rules=_rules(unlock="scored"))
    with pytest.raises(CourseRefused, match="already waits for this one"):
        step_update(
            step=CourseChallenge.objects.get(pk=first.pk), rules=_rules(prerequisite_id=second.pk)
        )
    ada = make_user("ada")
    course_join(user=ada, code=course.join_code)
    make_submission(user=ada, challenge=a, public=0.1)
    assert lock_reason(user=ada, challenge=b) is None
    with pytest.raises(CourseRefused, match="already in this course"):
        step_add(course=course, challenge=a)


def test_steps_move_and_renumber(prof):
    course = course_create(by=prof, title="DL")
    steps = [step_add(course=course, challenge=make_challenge(f"1986-c{n}")) for n in range(3)]
    step_move(step=steps[2], by=-1)
    order = list(course.steps.order_by("position").values_list("challenge__slug", flat=True))
    assert order == ["1986-c0", "1986-c2", "1986-c1"]


def test_the_grading_rule_needs_both_scores(prof):
    course = course_create(by=prof, title="DL")
    step = step_add(course=course, challenge=make_challenge())
    with pytest.raises(CourseRefused, match="Give both scores"):
        step_update(step=step, rules=_rules(zero_at=0.5))


def test_an_announcement_is_emailed_to_each_student_alone(prof, django_capture_on_commit_callbacks):
    course = course_create(by=prof, title="DL")
    for name in ("ada", "bob"):
        student = User.objects.create_user(name, email=f"{name}@example.org", password="x")
        course_join(user=student, code=course.join_code)
    User.objects.create_user("eve", email="eve@example.org", password="x")  # not enrolled
    with django_capture_on_commit_callbacks(execute=True):
        post = announcement_post(by=prof, course=course, title="Lab moved", body="Room 2 today.")
    assert sorted(m.to[0] for m in mail.outbox) == ["ada@example.org", "bob@example.org"]
    assert all(len(m.to) == 1 and m.subject == "[DL] Lab moved" for m in mail.outbox)
    post.refresh_from_db()
    assert post.emailed_to == 2
