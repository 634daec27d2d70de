"""Writes on courses: making one, its instructors, who is enrolled (by join code
or a roster of addresses), its steps, and its announcements."""

from __future__ import annotations

import csv
import datetime as dt
import io
import secrets
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.db.models.functions import Lower
from django.utils.text import slugify

from server.accounts.models import User
from server.competitions.models import Challenge, Extension, Phase
from server.competitions.services import ChangeRefused, extension_grant_to
from server.courses.models import Announcement, Course, CourseChallenge, Enrollment, Invitation
from server.courses.selectors import announcement_recipients
from server.site.mail import send_each

ROSTER_MAX_LINES = 5000
EMAIL_COLUMNS = ("email", "e-mail", "email address", "mail", "sis login id")


class CourseRefused(Exception):
    """A course change that cannot be made; ``str(exc)`` says why."""


def _code() -> str:
    return secrets.token_urlsafe(6).replace("-", "x").replace("_", "y")


def course_create(*, by: User, title: str, description: str = "") -> Course:
    title = title.strip()
    if not title:
        raise CourseRefused("A course needs a title.")
    base = slugify(title)[:70] or "course"
    slug, n = base, 1
    while Course.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    course = Course.objects.create(
        slug=slug, title=title, description=description.strip(), join_code=_code()
    )
    course.instructors.add(by)
    return course


def course_update(*, course: Course, title: str, description: str) -> None:
    if not title.strip():
        raise CourseRefused("A course needs a title.")
    Course.objects.filter(pk=course.pk).update(title=title.strip(), description=description.strip())


def join_code_renew(*, course: Course) -> str:
    """A new code: the old one stops working (those enrolled stay)."""
    code = _code()
    Course.objects.filter(pk=course.pk).update(join_code=code)
    return code


def course_join(*, user: User, code: str) -> Course:
    course = Course.objects.filter(join_code=code.strip()).first()
    if course is None:
        raise CourseRefused("No course has that join code; check it with your instructor.")
    Enrollment.objects.get_or_create(course=course, user=user)
    return course


def enrollment_remove(*, course: Course, user_id: int) -> bool:
    deleted, _ = Enrollment.objects.filter(course=course, user_id=user_id).delete()
    return deleted > 0


def instructor_add(*, course: Course, username: str) -> User:
    user = User.objects.filter(username=username.strip()).first()
    if user is None:
        raise CourseRefused(f"There is no account named {username.strip()!r}.")
    if not (user.is_instructor or user.is_staff):
        raise CourseRefused(f"{user.username} is not an instructor; staff can make them one.")
    course.instructors.add(user)
    return user


def instructor_remove(*, course: Course, user_id: int) -> None:
    with transaction.atomic():
        Course.objects.select_for_update().filter(pk=course.pk).exists()
        if not course.instructors.exclude(pk=user_id).exists():
            raise CourseRefused("A course keeps at least one instructor.")
        course.instructors.remove(user_id)


# --- the roster ---------------------------------------------------------------------


@dataclass
class RosterResult:
    enrolled: list[str] = field(default_factory=list)  # accounts enrolled now
    already: list[str] = field(default_factory=list)  # accounts enrolled before
    invited: list[str] = field(default_factory=list)  # addresses with no account yet
    problems: list[str] = field(default_factory=list)  # "line 4: ..." for what was skipped


def _roster_addresses(text: str, result: RosterResult) -> list[str]:
    """The addresses of a roster: a CSV with an email column (Canvas's, Moodle's
    and most exports name it so), or one address a line."""
    rows = list(csv.reader(io.StringIO(text)))
    if len(rows) > ROSTER_MAX_LINES:
        raise CourseRefused(f"A roster holds at most {ROSTER_MAX_LINES} lines; split it.")
    header = [cell.strip().lower() for cell in rows[0]] if rows else []
    column = next((header.index(name) for name in EMAIL_COLUMNS if name in header), None)
    body = rows[1:] if column is not None else rows
    start = 2 if column is not None else 1
    addresses = []
    for number, row in enumerate(body, start=start):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if column is not None:
            address = cells[column] if column < len(cells) else ""
        else:
            address = next((cell for cell in cells if "@" in cell), "")
        try:
            validate_email(address)
        except ValidationError:
            result.problems.append(f"line {number}: no valid email address ({', '.join(cells)})")
            continue
        addresses.append(address.lower())
    return list(dict.fromkeys(addresses))


def roster_import(*, course: Course, text: str) -> RosterResult:
    """Enroll every account whose address is on the roster; invite the rest (they
    are enrolled when they sign up with that address)."""
    result = RosterResult()
    addresses = _roster_addresses(text, result)
    accounts: dict[str, list[User]] = {}
    found = User.objects.annotate(address=Lower("email")).filter(address__in=addresses)
    for account in found.order_by("username"):
        accounts.setdefault(account.email.lower(), []).append(account)
    with transaction.atomic():
        enrolled = set(course.enrollments.values_list("user_id", flat=True))
        for address in addresses:
            if address not in accounts:
                Invitation.objects.get_or_create(course=course, email=address)
                result.invited.append(address)
            for member in accounts.get(address, []):
                if member.pk in enrolled:
                    result.already.append(member.username)
                    continue
                Enrollment.objects.create(course=course, user=member)
                enrolled.add(member.pk)
                result.enrolled.append(member.username)
    return result


def invitations_claim(*, user: User) -> int:
    """Enroll ``user`` in every course that invited their address."""
    invitations = Invitation.objects.filter(email__iexact=user.email)
    courses = list(invitations.values_list("course_id", flat=True))
    for course_id in courses:
        Enrollment.objects.get_or_create(course_id=course_id, user=user)
    invitations.delete()
    return len(courses)


def invitation_delete(*, course: Course, invitation_id: int) -> bool:
    deleted, _ = Invitation.objects.filter(course=course, id=invitation_id).delete()
    return deleted > 0


# --- steps: the course's challenges -------------------------------------------------


def step_add(*, course: Course, challenge: Challenge) -> CourseChallenge:
    last = course.steps.aggregate(last=Max("position"))["last"]
    try:
        with transaction.atomic():
            return CourseChallenge.objects.create(
                course=course, challenge=challenge, position=(last or 0) + 1
            )
    except IntegrityError:
        raise CourseRefused(f"{challenge.title} is already in this course.") from None


@dataclass(frozen=True)
class StepRules:
    prerequisite_id: int | None
    unlock: str
    phase_id: int | None
    zero_at: float | None
    full_at: float | None
    points: int


def step_update(*, step: CourseChallenge, rules: StepRules) -> None:
    prerequisite = None
    if rules.prerequisite_id is not None:
        prerequisite = step.course.steps.filter(id=rules.prerequisite_id).first()
        if prerequisite is None or prerequisite.pk == step.pk:
            raise CourseRefused("The prerequisite must be another challenge of this course.")
        if _unlocks_through(prerequisite, step):
            raise CourseRefused(
                f"{prerequisite.challenge.title} already waits for this one: that would lock both."
            )
    if rules.unlock not in CourseChallenge.Unlock.values:
        raise CourseRefused("Unknown unlock rule.")
    phase = None
    if rules.phase_id is not None:
        phase = Phase.objects.filter(id=rules.phase_id, challenge=step.challenge).first()
        if phase is None:
            raise CourseRefused("The graded phase must be one of the challenge's phases.")
    if (rules.zero_at is None) != (rules.full_at is None):
        raise CourseRefused("Give both scores of the grading rule, or neither.")
    if rules.zero_at is not None and rules.zero_at == rules.full_at:
        raise CourseRefused("The scores for no points and for every point must differ.")
    if not 1 <= rules.points <= 1000:
        raise CourseRefused("Points must be between 1 and 1000.")
    CourseChallenge.objects.filter(pk=step.pk).update(
        prerequisite=prerequisite,
        unlock=rules.unlock,
        phase=phase,
        zero_at=rules.zero_at,
        full_at=rules.full_at,
        points=rules.points,
    )


def _unlocks_through(start: CourseChallenge, target: CourseChallenge) -> bool:
    """Whether ``start`` already (transitively) waits for ``target``."""
    seen: set[int] = set()
    step: CourseChallenge | None = start
    while step is not None and step.pk not in seen:
        if step.pk == target.pk:
            return True
        seen.add(step.pk)
        step = step.prerequisite
    return False


def step_move(*, step: CourseChallenge, by: int) -> None:
    """Move a step ``by`` places (-1: earlier, 1: later), renumbering all of them."""
    steps = list(step.course.steps.order_by("position", "id"))
    index = next(i for i, s in enumerate(steps) if s.pk == step.pk)
    target = min(max(index + by, 0), len(steps) - 1)
    steps.insert(target, steps.pop(index))
    with transaction.atomic():
        for position, row in enumerate(steps, start=1):
            if row.position != position:
                CourseChallenge.objects.filter(pk=row.pk).update(position=position)


def step_remove(*, course: Course, step_id: int) -> bool:
    deleted, _ = CourseChallenge.objects.filter(course=course, id=step_id).delete()
    return deleted > 0


# --- announcements ------------------------------------------------------------------


def announcement_post(
    *,
    by: User,
    title: str,
    body: str,
    course: Course | None = None,
    challenge: Challenge | None = None,
) -> Announcement:
    """Shown on the course's (or the challenge's) pages and emailed to its people."""
    if not title.strip() or not body.strip():
        raise CourseRefused("An announcement needs a title and a text.")
    announcement = Announcement.objects.create(
        course=course, challenge=challenge, title=title.strip(), body=body.strip(), created_by=by
    )
    where = course.title if course is not None else challenge.title if challenge else ""

    def send() -> None:
        sent = send_each(
            subject=f"[{where}] {announcement.title}",
            body=f"{announcement.body}\n\n— {by.get_full_name() or by.username}, {where}",
            to=announcement_recipients(announcement),
        )
        Announcement.objects.filter(pk=announcement.pk).update(emailed_to=sent)

    transaction.on_commit(send)
    return announcement


# --- extensions for a course's students ---------------------------------------------


def course_extension_grant(
    *,
    course: Course,
    phase: int,
    username: str,
    ends_at: dt.datetime,
    reason: str,
    by: User,
) -> str:
    """A later deadline for an enrolled student in a phase of one of the course's
    challenges; a student in a team there gets it through the team. Returns whom."""
    found = (
        Phase.objects.filter(id=phase, challenge__course_steps__course=course)
        .select_related("challenge")
        .first()
    )
    if found is None:
        raise CourseRefused("Pick a phase of one of this course's challenges.")
    if not course.enrollments.filter(user__username=username.strip()).exists():
        raise CourseRefused(f"No student of this course is named {username.strip()!r}.")
    try:
        return extension_grant_to(
            phase=found, username=username, ends_at=ends_at, reason=reason, by=by
        )
    except ChangeRefused as exc:
        raise CourseRefused(str(exc)) from None


def course_extension_revoke(*, course: Course, extension_id: int) -> bool:
    deleted, _ = Extension.objects.filter(
        id=extension_id, phase__challenge__course_steps__course=course
    ).delete()
    return deleted > 0
