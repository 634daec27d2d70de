"""Reads on courses: who sees which, each step's lock for a student, the
announcements a page shows and whom they are emailed to."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Q, QuerySet, When

from server.accounts.models import User
from server.competitions.models import Challenge, Extension
from server.courses.models import Announcement, Course, CourseChallenge, Enrollment
from server.submissions.models import RegradeRequest, Submission


def courses_taught(*, user: Any) -> QuerySet[Course]:
    if not user.is_authenticated:
        return Course.objects.none()
    rows = Course.objects.all() if user.is_staff else Course.objects.filter(instructors=user)
    return rows.prefetch_related("instructors")


def courses_enrolled(*, user: Any) -> QuerySet[Course]:
    if not user.is_authenticated:
        return Course.objects.none()
    return Course.objects.filter(enrollments__user=user)


def course_for(*, slug: str, user: Any) -> Course:
    """The course if the user teaches it, is enrolled in it or is staff; raises
    Course.DoesNotExist otherwise (a course's existence does not leak)."""
    course = Course.objects.prefetch_related("instructors").get(slug=slug)
    if not user.is_authenticated:
        raise Course.DoesNotExist(slug)
    if user.is_staff or course.instructors.filter(pk=user.pk).exists():
        return course
    if Enrollment.objects.filter(course=course, user=user).exists():
        return course
    raise Course.DoesNotExist(slug)


def steps_of(*, course: Course) -> list[CourseChallenge]:
    return list(
        course.steps.select_related("challenge", "prerequisite__challenge", "phase")
        .prefetch_related("challenge__baselines")
        .order_by("position", "id")
    )


# --- locks ----------------------------------------------------------------------------


def _mine(user: User) -> Q:
    """A participant's submissions, and their teams'."""
    return Q(user=user) | Q(team__memberships__user=user)


def met(*, user: User, step: CourseChallenge) -> bool:
    """Whether ``user`` has done what ``step`` asks of those who come after it:
    a scored submission on its challenge or, for "beat", one that reaches the
    challenge's result to beat (a challenge without one asks for a score)."""
    challenge = step.challenge
    rows = Submission.objects.filter(
        _mine(user), challenge=challenge, state=Submission.State.SCORED
    ).exclude(public_score__isnull=True)
    target = challenge.baseline_to_beat
    if step.unlock == CourseChallenge.Unlock.BEAT and target is not None:
        beats = "public_score__lte" if challenge.direction == "lower" else "public_score__gte"
        rows = rows.filter(**{beats: target.score})
    return rows.exists()


def step_lock(*, user: User, step: CourseChallenge) -> str | None:
    """Why ``step`` is locked for ``user``, or None once its prerequisite is met."""
    before = step.prerequisite
    if before is None or met(user=user, step=before):
        return None
    target = before.challenge.baseline_to_beat
    if before.unlock == CourseChallenge.Unlock.BEAT and target is not None:
        goal = f"beat {target.name} ({target.score:g}) on {before.challenge.title}"
    else:
        goal = f"have a scored submission on {before.challenge.title}"
    return f"In {step.course.title}, this challenge unlocks once you {goal}."


def lock_reason(*, user: User, challenge: Challenge) -> str | None:
    """Why ``user`` may not submit to ``challenge`` yet: a course they are enrolled
    in holds it behind a prerequisite they have not met. None otherwise (and for
    everyone not enrolled in such a course: the challenge is public)."""
    steps = CourseChallenge.objects.filter(
        challenge=challenge, prerequisite__isnull=False, course__enrollments__user=user
    ).select_related("course", "prerequisite__challenge")
    for step in steps:
        reason = step_lock(user=user, step=step)
        if reason is not None:
            return reason
    return None


@dataclass(frozen=True)
class StepView:
    """One step of a course as one student sees it."""

    step: CourseChallenge
    locked: str | None  # why, when locked
    best: float | None  # the student's (or their team's) best public score
    beaten: bool  # that best reaches the result to beat


def steps_for(*, course: Course, user: User) -> list[StepView]:
    views = []
    for step in steps_of(course=course):
        challenge = step.challenge
        scores = Submission.objects.filter(
            _mine(user), challenge=challenge, state=Submission.State.SCORED
        ).values_list("public_score", flat=True)
        found = [s for s in scores if s is not None]
        lower = challenge.direction == "lower"
        best = (min(found) if lower else max(found)) if found else None
        target = challenge.baseline_to_beat
        beaten = (
            best is not None
            and target is not None
            and (best <= target.score if lower else best >= target.score)
        )
        views.append(StepView(step, step_lock(user=user, step=step), best, beaten))
    return views


# --- announcements --------------------------------------------------------------------


def announcements_for_course(*, course: Course) -> QuerySet[Announcement]:
    return Announcement.objects.filter(course=course).select_related("created_by")


def announcements_for_challenge(*, challenge: Challenge, user: Any) -> list[Announcement]:
    """The challenge's own, and those of the courses holding it that the viewer
    is enrolled in or teaches: newest first."""
    rows = Q(challenge=challenge)
    if user.is_authenticated:
        courses = Course.objects.filter(steps__challenge=challenge).filter(
            Q(enrollments__user=user) | Q(instructors=user)
        )
        rows |= Q(course__in=courses)
    return list(
        Announcement.objects.filter(rows).select_related("course", "created_by").distinct()[:5]
    )


def announcement_recipients(announcement: Announcement) -> list[str]:
    """A course's enrolled students; for a challenge, everyone who submitted to it
    and the students of the courses holding it."""
    if announcement.course_id is not None:
        users = User.objects.filter(enrollments__course_id=announcement.course_id)
    else:
        users = User.objects.filter(
            Q(submissions__challenge_id=announcement.challenge_id)
            | Q(enrollments__course__steps__challenge_id=announcement.challenge_id)
        )
    return sorted(set(users.exclude(email="").values_list("email", flat=True)))


def extensions_of(*, course: Course) -> QuerySet[Extension]:
    return (
        Extension.objects.filter(phase__challenge__course_steps__course=course)
        .select_related("phase__challenge", "user", "team", "granted_by")
        .order_by("phase__challenge__year", "phase__starts_at", "ends_at")
    )


def regrades_of(*, course: Course) -> QuerySet[RegradeRequest]:
    """Requests from the course's students on its challenges, open ones first."""
    return (
        RegradeRequest.objects.filter(
            submission__challenge__course_steps__course=course,
            user__enrollments__course=course,
        )
        .select_related("submission__challenge", "user", "answered_by")
        .order_by(Case(When(state=RegradeRequest.State.OPEN, then=0), default=1), "-created_at")
        .distinct()
    )


def challenges_to_add(*, course: Course, user: Any) -> list[Challenge]:
    """What an instructor may add to a course: published challenges and the drafts
    they manage, not already in it."""
    rows = Challenge.objects.exclude(course_steps__course=course)
    if not user.is_staff:
        rows = rows.filter(Q(is_published=True) | Q(owner=user))
    return list(rows.order_by("year", "slug"))
