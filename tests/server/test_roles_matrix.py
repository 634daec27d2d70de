"""Every URL of the site, for every role, with the expected outcome of each
cell. A URL added without a row here fails the coverage test below.

Roles: anonymous; the student who made the submission; another student; an
instructor who does not own the challenge; its owner (an instructor); staff."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from server.competitions.models import Disqualification, Extension
from server.courses.models import Invitation
from server.courses.services import course_create, course_join, step_add
from server.submissions.services import regrade_request
from tests.support.dry_runs import make_dry_run
from tests.support.factories import make_challenge, make_phase, make_submission, make_user
from tests.support.matrix import ROLES, Case, every, named_routes, users_of_each_role

pytestmark = pytest.mark.django_db
OK, LOGIN, REDIRECT, FORBIDDEN, MISSING = "200", "login", "redirect", "403", "404"
HOUR = dt.timedelta(hours=1)


SIGNED_IN = (LOGIN, OK, OK, OK, OK, OK)
INSTRUCTORS = (LOGIN, FORBIDDEN, FORBIDDEN, OK, OK, OK)
MANAGERS_GET = (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK)
MANAGERS_POST = (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, REDIRECT)
DRAFT = (MISSING, MISSING, MISSING, MISSING, OK, OK)
DRAFT_MANAGE = (LOGIN, FORBIDDEN, FORBIDDEN, MISSING, OK, OK)  # 403 before any lookup
SUBMISSION_READ = (LOGIN, OK, MISSING, MISSING, OK, OK)
AUTHOR_POST = (LOGIN, REDIRECT, MISSING, MISSING, FORBIDDEN, FORBIDDEN)
RESCORE = (LOGIN, FORBIDDEN, MISSING, MISSING, REDIRECT, REDIRECT)
# A dry run is a private check: its author sees it, nobody else (staff included).
DRY_RUN_READ = (LOGIN, OK, MISSING, MISSING, MISSING, MISSING)
PHASE = {"name": "Extra", "starts_at": "2099-01-01T00:00", "ends_at": "2099-02-01T00:00"}
SIGNED_IN_POST = (LOGIN, *(REDIRECT,) * 5)
COURSE_READ = (LOGIN, OK, MISSING, MISSING, OK, OK)  # its students and instructors
COURSE_GET = (LOGIN, FORBIDDEN, FORBIDDEN, MISSING, OK, OK)  # 403 before any lookup
COURSE_POST = (LOGIN, FORBIDDEN, FORBIDDEN, MISSING, REDIRECT, REDIRECT)
LATER = {"ends_at": "2099-01-01T00:00"}

CASES = [
    Case("home", (), every(OK)),
    Case("signup", (), (OK, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)),
    Case("login", (), every(OK)),
    Case("logout", (), every(REDIRECT), method="post"),
    Case("password-reset", (), every(OK)),
    Case(
        "password-reset",
        (),
        every(REDIRECT),
        method="post",
        data={"email": "x@example.org"},
        label="password-reset-post",
    ),
    Case("password-reset-done", (), every(OK)),
    Case("password-reset-confirm", ("uid", "reset_token"), every(OK)),  # a bad token: "expired"
    Case("password-reset-complete", (), every(OK)),
    Case("challenge", ("slug",), every(OK)),
    Case("challenge", ("draft",), DRAFT, label="challenge-draft"),
    Case("challenge-phase", ("slug",), every(OK)),
    Case("challenge-data", ("slug",), every(OK)),
    Case("challenge-starter", ("slug",), every(OK)),
    Case("challenge-data", ("draft",), DRAFT, label="challenge-data-draft"),
    Case(
        "submit",
        ("slug",),
        (LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
        method="post",
    ),
    Case(
        "submit",
        ("draft",),
        (LOGIN, MISSING, MISSING, MISSING, REDIRECT, REDIRECT),
        method="post",
        label="submit-draft",
    ),
    Case("dry-run-start", ("slug",), (LOGIN, *(REDIRECT,) * 5), method="post"),
    Case("dry-run", ("dry_run",), DRY_RUN_READ),
    Case("dry-run-status", ("dry_run",), DRY_RUN_READ),
    Case("leaderboard", ("slug",), every(OK)),
    Case("leaderboard", ("slug",), every(OK), query="?board=private", label="leaderboard-private"),
    Case("leaderboard", ("draft",), DRAFT, label="leaderboard-draft"),
    Case("leaderboard-csv", ("slug",), MANAGERS_GET),
    Case("my-submissions", (), SIGNED_IN),
    Case("profile", (), SIGNED_IN),
    Case(
        "profile",
        (),
        (LOGIN, *(REDIRECT,) * 5),
        method="post",
        data={"name": "laptop", "lifetime_days": "30"},
        label="profile-token-create",
    ),
    Case("token-revoke", ("token",), (LOGIN, *(REDIRECT,) * 5), method="post"),
    Case("submission", ("submission",), SUBMISSION_READ),
    Case("submission-status", ("submission",), SUBMISSION_READ),
    Case("submission-events", ("submission",), SUBMISSION_READ),
    Case("submission-live", ("submission",), SUBMISSION_READ),
    Case("submission-log", ("submission",), SUBMISSION_READ),
    Case("submission-code", ("submission",), SUBMISSION_READ),
    Case("submission-cancel", ("submission",), AUTHOR_POST, method="post"),
    Case("submission-select", ("submission",), AUTHOR_POST, method="post", data={"selected": "1"}),
    Case("submission-rescore", ("submission",), RESCORE, method="post"),
    Case("submission-release", ("submission",), RESCORE, method="post"),
    Case("submission-disqualify", ("submission",), RESCORE, method="post"),
    Case("instructor-dashboard", (), INSTRUCTORS),
    Case("challenge-upload", (), INSTRUCTORS),
    Case("manage-challenge", ("slug",), MANAGERS_GET),
    Case("manage-challenge", ("draft",), DRAFT_MANAGE, label="manage-challenge-draft"),
    Case("manage-submissions", ("slug",), MANAGERS_GET),
    Case("manage-preparation", ("slug",), MANAGERS_GET),
    Case("manage-preparation", ("draft",), DRAFT_MANAGE, label="manage-preparation-draft"),
    Case(
        "manage-rules",
        ("slug",),
        MANAGERS_POST,
        method="post",
        data={"daily_limit": "5", "max_final": "2", "is_published": "on"},
    ),
    Case("manage-phase-add", ("slug",), MANAGERS_POST, method="post", data=PHASE),
    Case("manage-phase-delete", ("slug", "phase"), MANAGERS_POST, method="post"),
    Case("manage-rescore-all", ("slug",), MANAGERS_POST, method="post", data={"confirm": "on"}),
    Case(
        "manage-disqualify",
        ("slug",),
        MANAGERS_POST,
        method="post",
        data={"username": "other_student", "reason": "copied code"},
    ),
    Case("manage-reinstate", ("slug", "disqualification"), MANAGERS_POST, method="post"),
    Case(
        "manage-announce", ("slug",), MANAGERS_POST, method="post", data={"title": "T", "body": "B"}
    ),
    Case(
        "manage-extension-grant",
        ("slug",),
        MANAGERS_POST,
        method="post",
        data_args={"extension-phase": "phase"},
        data={"extension-username": "student", "extension-ends_at": "2099-01-01T00:00"},
    ),
    Case("manage-extension-revoke", ("slug", "extension"), MANAGERS_POST, method="post"),
    Case(
        "manage-regrade-answer",
        ("slug", "regrade"),
        MANAGERS_POST,
        method="post",
        data={"answer": "It stands."},
    ),
    Case("submission-regrade", ("submission",), AUTHOR_POST, method="post", data={"text": "why?"}),
    Case("profile-notifications", (), SIGNED_IN_POST, method="post"),
    Case("team-create", ("slug",), SIGNED_IN_POST, method="post", data={"name": "Pair"}),
    Case("team-join", ("slug",), SIGNED_IN_POST, method="post", data={"code": "nope"}),
    Case("team-leave", ("slug",), SIGNED_IN_POST, method="post"),
    Case("courses", (), SIGNED_IN),
    Case("course-join", (), SIGNED_IN_POST, method="post", data={"code": "nope"}),
    Case("course-create", (), INSTRUCTORS),
    Case("course", ("course",), COURSE_READ),
    Case("course-manage", ("course",), COURSE_GET),
    Case("course-settings", ("course",), COURSE_POST, method="post", data={"title": "DL 2"}),
    Case("course-code", ("course",), COURSE_POST, method="post"),
    Case(
        "course-instructor-add",
        ("course",),
        COURSE_POST,
        method="post",
        data={"username": "instructor"},
    ),
    Case("course-instructor-remove", ("course", "owner_id"), COURSE_POST, method="post"),
    Case(
        "course-step-add",
        ("course",),
        COURSE_POST,
        method="post",
        data={"challenge": "1998-draft-challenge"},
    ),
    Case("course-step-save", ("course", "step"), COURSE_POST, method="post"),
    Case("course-step-move", ("course", "step"), COURSE_POST, method="post"),
    Case("course-step-remove", ("course", "step"), COURSE_POST, method="post"),
    Case(
        "course-announce", ("course",), COURSE_POST, method="post", data={"title": "T", "body": "B"}
    ),
    Case("course-roster", ("course",), COURSE_GET),
    Case("course-student-remove", ("course", "student_id"), COURSE_POST, method="post"),
    Case("course-invitation-delete", ("course", "invitation"), COURSE_POST, method="post"),
    Case("course-extensions", ("course",), COURSE_GET),
    Case(
        "course-extensions",
        ("course",),
        COURSE_POST,
        method="post",
        data_args={"phase": "phase"},
        data={"username": "student", **LATER},
        label="course-extension-grant",
    ),
    Case("course-extension-revoke", ("course", "extension"), COURSE_POST, method="post"),
    Case("course-regrades", ("course",), COURSE_GET),
    Case(
        "course-regrade-answer",
        ("course", "regrade"),
        COURSE_POST,
        method="post",
        data={"answer": "It stands."},
    ),
    Case("course-gradebook", ("course",), COURSE_GET),
    Case("course-gradebook-csv", ("course",), COURSE_GET),
    Case("course-gradebook-detail-csv", ("course",), COURSE_GET),
    Case("operations-dashboard", (), INSTRUCTORS),
    Case("operations-live", (), INSTRUCTORS),
    Case("admin:index", (), (REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, OK)),
]
# Django's admin is Django's: its index stands for it. The health check answers
# 200 or 503 (whether the broker answers), the same for every role.
NOT_IN_MATRIX = {"operations-health"}


@pytest.fixture
def world(site):  # type: ignore[no-untyped-def]
    """One published challenge with an open phase, a draft, a scored submission."""
    users = users_of_each_role()
    challenge = make_challenge(owner=users["owner"])
    draft = make_challenge("1998-draft-challenge", owner=users["owner"], published=False)
    phase = make_phase(challenge, name="Graded", starts=-HOUR, ends=10 * HOUR)
    submission = make_submission(user=users["student"], challenge=challenge, public=0.8)
    barred = Disqualification.objects.create(
        challenge=challenge, user=make_user("cheater"), reason="copied"
    )
    course = course_create(by=users["owner"], title="DL")
    course_join(user=users["student"], code=course.join_code)
    step = step_add(course=course, challenge=challenge)
    Invitation.objects.create(course=course, email="later@example.org")
    extension = Extension.objects.create(
        phase=phase, user=users["student"], ends_at=phase.ends_at + HOUR, granted_by=users["owner"]
    )
    regrade = regrade_request(user=users["student"], submission=submission, text="Why so low?")
    checked = make_dry_run(user=users["student"], challenge=challenge, state="passed")
    objects = {
        "slug": challenge.slug,
        "draft": draft.slug,
        "phase": str(phase.id),
        "submission": str(submission.id),
        "disqualification": str(barred.id),
        "uid": "MQ",
        "reset_token": "not-a-token",
        "token": "mst_unknown",  # revoking a token one does not hold changes nothing
        "course": course.slug,
        "step": str(step.id),
        "invitation": str(Invitation.objects.get().id),
        "extension": str(extension.id),
        "regrade": str(regrade.id),
        "dry_run": str(checked.id),
        "owner_id": str(users["owner"].id),
        "student_id": str(users["student"].id),
    }
    return users, objects


def _outcome(response) -> str:  # type: ignore[no-untyped-def]
    if response.status_code in (301, 302):
        return LOGIN if "/accounts/login/" in response["Location"] else REDIRECT
    return str(response.status_code)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_role_sees_the_expected_outcome(client, world, case: Case, role: str):
    users, objects = world
    if role != "anonymous":
        client.force_login(users[role])
    url = reverse(case.name, args=[objects[arg] for arg in case.args]) + case.query
    data = dict(case.data) | {key: objects[name] for key, name in case.data_args.items()}
    if case.name in ("submit", "dry-run-start"):
        data["code"] = SimpleUploadedFile("main.py", b"print('matrix')\n")
    response = getattr(client, case.method)(url, data) if case.method == "post" else client.get(url)
    assert _outcome(response) == case.outcome_for(role), f"{role} {case.method.upper()} {url}"


def test_every_named_url_is_in_the_matrix():
    # The API's URLs have a matrix of their own (tests/server/api/test_roles_matrix.py).
    named = {name for name in named_routes() if not name.startswith(("admin:", "api:"))}
    covered = {case.name for case in CASES} | NOT_IN_MATRIX
    assert named - covered == set(), "add these URLs to the role matrix"
