"""Every URL of the site, for every role, with the expected outcome of each
cell. A URL added without a row here fails the coverage test below.

Roles: anonymous; the student who made the submission; another student; an
instructor who does not own the challenge; its owner (an instructor); staff."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from server.competitions.models import Disqualification
from tests.server.factories import make_challenge, make_phase, make_submission, make_user

pytestmark = pytest.mark.django_db
ROLES = ("anonymous", "student", "other_student", "instructor", "owner", "staff")
OK, LOGIN, REDIRECT, FORBIDDEN, MISSING = "200", "login", "redirect", "403", "404"
HOUR = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Case:
    name: str
    args: tuple[str, ...]  # names of objects of the world, resolved per test
    expected: tuple[str, ...]  # one outcome per role, in ROLES order
    method: str = "get"
    data: dict[str, str] = field(default_factory=dict)
    query: str = ""
    label: str = ""

    @property
    def id(self) -> str:
        return self.label or self.name


def every(outcome: str) -> tuple[str, ...]:
    return (outcome,) * len(ROLES)


SIGNED_IN = (LOGIN, OK, OK, OK, OK, OK)
INSTRUCTORS = (LOGIN, FORBIDDEN, FORBIDDEN, OK, OK, OK)
MANAGERS_GET = (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK)
MANAGERS_POST = (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT, REDIRECT)
DRAFT = (MISSING, MISSING, MISSING, MISSING, OK, OK)
DRAFT_MANAGE = (LOGIN, FORBIDDEN, FORBIDDEN, MISSING, OK, OK)  # 403 before any lookup
SUBMISSION_READ = (LOGIN, OK, MISSING, MISSING, OK, OK)
AUTHOR_POST = (LOGIN, REDIRECT, MISSING, MISSING, FORBIDDEN, FORBIDDEN)
RESCORE = (LOGIN, FORBIDDEN, MISSING, MISSING, REDIRECT, REDIRECT)
PHASE = {"name": "Extra", "starts_at": "2099-01-01T00:00", "ends_at": "2099-02-01T00:00"}

CASES = [
    Case("home", (), every(OK)),
    Case("signup", (), (OK, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)),
    Case("login", (), every(OK)),
    Case("logout", (), every(REDIRECT), method="post"),
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
    Case("leaderboard", ("slug",), every(OK)),
    Case("leaderboard", ("slug",), every(OK), query="?board=private", label="leaderboard-private"),
    Case("leaderboard", ("draft",), DRAFT, label="leaderboard-draft"),
    Case("leaderboard-csv", ("slug",), MANAGERS_GET),
    Case("my-submissions", (), SIGNED_IN),
    Case("submission", ("submission",), SUBMISSION_READ),
    Case("submission-status", ("submission",), SUBMISSION_READ),
    Case("submission-log", ("submission",), SUBMISSION_READ),
    Case("submission-code", ("submission",), SUBMISSION_READ),
    Case("submission-cancel", ("submission",), AUTHOR_POST, method="post"),
    Case("submission-select", ("submission",), AUTHOR_POST, method="post", data={"selected": "1"}),
    Case("submission-rescore", ("submission",), RESCORE, method="post"),
    Case("instructor-dashboard", (), INSTRUCTORS),
    Case("challenge-upload", (), INSTRUCTORS),
    Case("manage-challenge", ("slug",), MANAGERS_GET),
    Case("manage-challenge", ("draft",), DRAFT_MANAGE, label="manage-challenge-draft"),
    Case("manage-submissions", ("slug",), MANAGERS_GET),
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
    users = {
        "student": make_user("student"),
        "other_student": make_user("other_student"),
        "instructor": make_user("instructor", instructor=True),
        "owner": make_user("owner", instructor=True),
        "staff": make_user("staff", staff=True),
    }
    challenge = make_challenge(owner=users["owner"])
    draft = make_challenge("1998-draft-challenge", owner=users["owner"], published=False)
    phase = make_phase(challenge, name="Graded", starts=-HOUR, ends=10 * HOUR)
    submission = make_submission(user=users["student"], challenge=challenge, public=0.8)
    barred = Disqualification.objects.create(
        challenge=challenge, user=make_user("cheater"), reason="copied"
    )
    objects = {
        "slug": challenge.slug,
        "draft": draft.slug,
        "phase": str(phase.id),
        "submission": str(submission.id),
        "disqualification": str(barred.id),
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
    data = dict(case.data)
    if case.name == "submit":
        data["code"] = SimpleUploadedFile("main.py", b"print('matrix')\n")
    response = getattr(client, case.method)(url, data) if case.method == "post" else client.get(url)
    expected = case.expected[ROLES.index(role)]
    assert _outcome(response) == expected, f"{role} {case.method.upper()} {url}"


def _named_urls(resolver: URLResolver, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _named_urls(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_named_url_is_in_the_matrix():
    named = {name for name in _named_urls(get_resolver()) if not name.startswith("admin:")}
    covered = {case.name for case in CASES} | NOT_IN_MATRIX
    assert named - covered == set(), "add these URLs to the role matrix"
