"""Every endpoint of the API, for every role, with the expected status of each
cell: the same rules as the pages (tests/server/test_roles_matrix.py), reached
with a personal token. An endpoint (or a method of one) added without a row
here fails the coverage test below.

Roles: anonymous; the student who made the submission; another student; an
instructor who does not own the challenge; its owner (an instructor); staff."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from server.competitions.models import Disqualification
from tests.server.api.conftest import token_client
from tests.support.dry_runs import make_dry_run, offer_dry_runs
from tests.support.factories import make_challenge, make_phase, make_submission, make_user
from tests.support.matrix import ROLES, Case, every, named_routes, users_of_each_role

pytestmark = pytest.mark.django_db
HOUR = dt.timedelta(hours=1)
SIGNED_IN = (401, 200, 200, 200, 200, 200)
DRAFT = (404, 404, 404, 404, 200, 200)
MANAGERS = (401, 403, 403, 403, 200, 200)
SUBMISSION_READ = (401, 200, 404, 404, 200, 200)
AUTHOR_POST = (401, 200, 404, 404, 403, 403)
AUTHOR_ONLY = (401, 200, 404, 404, 404, 404)  # a dry run: not even staff see it

CASES = [
    Case("api:schema", (), every(200)),
    Case("api:docs", (), every(200)),
    Case("api:me", (), SIGNED_IN),
    Case("api:challenges", (), every(200)),
    Case("api:challenge", ("slug",), every(200)),
    Case("api:challenge", ("draft",), DRAFT, label="challenge-draft"),
    Case("api:challenge-data", ("slug",), every(200)),
    Case("api:challenge-data", ("draft",), DRAFT, label="challenge-data-draft"),
    Case("api:challenge-starter", ("slug",), every(200)),
    Case("api:challenge-submissions", ("slug",), MANAGERS),
    Case(
        "api:challenge-submissions",
        ("draft",),
        (401, 404, 404, 404, 200, 200),
        label="challenge-submissions-draft",
    ),
    Case("api:challenge-submissions", ("slug",), (401, *(201,) * 5), method="post", label="submit"),
    Case(
        "api:challenge-submissions",
        ("draft",),
        (401, 404, 404, 404, 201, 201),
        method="post",
        label="submit-draft",
    ),
    Case("api:challenge-dry-runs", ("slug",), (401, *(201,) * 5), method="post", label="dry-run"),
    Case(
        "api:challenge-dry-runs",
        ("draft",),
        (401, 404, 404, 404, 201, 201),
        method="post",
        label="dry-run-draft",
    ),
    Case("api:dry-run", ("dry_run",), AUTHOR_ONLY),
    Case("api:leaderboard", ("slug",), every(200)),
    Case(
        "api:leaderboard",
        ("slug",),
        (403, 403, 403, 403, 200, 200),
        query="?board=private",
        label="leaderboard-private-unrevealed",
    ),
    Case("api:leaderboard", ("draft",), DRAFT, label="leaderboard-draft"),
    Case("api:leaderboard-export", ("slug",), MANAGERS),
    Case(
        "api:leaderboard-export",
        ("slug",),
        MANAGERS,
        query="?board=private",
        label="leaderboard-export-private",
    ),
    Case("api:disqualifications", ("slug",), MANAGERS),
    Case(
        "api:disqualifications",
        ("slug",),
        (401, 403, 403, 403, 201, 201),
        method="post",
        data={"username": "other_student", "reason": "copied code"},
        label="disqualify",
    ),
    Case(
        "api:disqualification",
        ("slug", "disqualification"),
        (401, 403, 403, 403, 204, 204),
        method="delete",
    ),
    Case("api:my-submissions", (), SIGNED_IN),
    Case("api:submission", ("submission",), SUBMISSION_READ),
    Case("api:submission-log", ("submission",), SUBMISSION_READ),
    Case("api:submission-final", ("submission",), AUTHOR_POST, method="post"),
    Case("api:submission-cancel", ("pending",), AUTHOR_POST, method="post"),
    Case("api:submission-rescore", ("submission",), (401, 403, 404, 404, 200, 200), method="post"),
]

UPLOADS = ("api:challenge-submissions", "api:challenge-dry-runs")


@pytest.fixture
def world(site):  # type: ignore[no-untyped-def]
    """One published challenge with an open phase, a draft (both offer dry runs), a
    scored and a pending submission of the student, their dry run, a disqualified
    participant."""
    users = users_of_each_role()
    challenge = make_challenge(owner=users["owner"])
    draft = make_challenge("1998-draft-challenge", owner=users["owner"], published=False)
    make_phase(challenge, name="Graded", starts=-HOUR, ends=10 * HOUR)
    scored = make_submission(user=users["student"], challenge=challenge, public=0.8)
    pending = make_submission(user=users["student"], challenge=challenge, state="pending")
    offer_dry_runs(challenge)
    offer_dry_runs(draft)
    dry_run = make_dry_run(user=users["student"], challenge=challenge, state="passed")
    barred = Disqualification.objects.create(
        challenge=challenge, user=make_user("cheater"), reason="copied"
    )
    objects = {
        "slug": challenge.slug,
        "draft": draft.slug,
        "submission": str(scored.id),
        "pending": str(pending.id),
        "disqualification": str(barred.id),
        "dry_run": str(dry_run.id),
    }
    return users, objects


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_role_gets_the_expected_status(world, case: Case, role: str):
    users, objects = world
    client = token_client(users.get(role))
    url = reverse(case.name, args=[objects[arg] for arg in case.args]) + case.query
    data = dict(case.data)
    if case.name in UPLOADS and case.method == "post":
        data["code"] = SimpleUploadedFile("main.py", b"print('matrix')\n")
    fmt = "multipart" if case.method == "post" else None
    response = getattr(client, case.method)(url, data, format=fmt)
    assert response.status_code == case.outcome_for(role), f"{role} {case.method.upper()} {url}"


def test_every_endpoint_and_method_is_in_the_matrix():
    methods = ("get", "post", "put", "patch", "delete")
    routes = {
        (name, method)
        for name, pattern in named_routes().items()
        if name.startswith("api:")
        for method in methods
        if hasattr(getattr(pattern.callback, "view_class", None), method)
    }
    covered = {(case.name, case.method) for case in CASES}
    assert routes - covered == set(), "add these to the API's role matrix"
