"""The API holds to its OpenAPI schema: schemathesis generates requests from
/api/schema/ for every operation (valid and invalid query strings and bodies,
path parameters that name real objects or none) and checks that no answer is a
server error and that every answer matches the schema: its status code, its
content type, its headers and its body.

The caller is the challenge's owner, who also has submissions and a dry run of
their own, so the participants' and the instructors' endpoints both answer. Bounded: a
fixed number of examples per operation, derandomized, so the run is the same
every time and short."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from server.accounts.tokens import token_create
from server.competitions.models import Disqualification
from tests.support.dry_runs import make_dry_run, offer_dry_runs
from tests.support.factories import make_challenge, make_phase, make_submission, make_user

pytestmark = pytest.mark.django_db
HOUR = dt.timedelta(hours=1)
EXAMPLES_PER_OPERATION = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def django_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """Django's WSGI application, less the closing of database connections at each
    request's start and end (as in Django's test client): the test's transaction
    holds its rows, and closing its connection would lose them."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        response = WSGIHandler()(environ, start_response)
        body = b"".join(response)
        response.close()  # type: ignore[attr-defined]
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    return [body]


# Loaded when the module is collected: the schema view touches no database.
schema = schemathesis.openapi.from_wsgi("/api/schema/", django_app)
# The objects of the running test that path parameters may name (see the hook).
REAL: dict[str, Any] = {}


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> Any:
    """Half of the time, path parameters that name the objects of ``token``."""
    if not path_parameters:
        return st.just(path_parameters)
    named = {key: REAL.get(key, value) for key, value in path_parameters.items()}
    return st.sampled_from([named, path_parameters])


@pytest.fixture
def token(site) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The owner's token, and the objects of their challenge in ``REAL``."""
    owner = make_user("owner", instructor=True)
    student = make_user("student")
    challenge = make_challenge(owner=owner)
    make_phase(challenge, name="Practice", starts=-30 * HOUR, ends=-20 * HOUR)
    make_phase(challenge, name="Graded", starts=-HOUR, ends=10 * HOUR)
    mine = make_submission(user=owner, challenge=challenge, public=0.7, log_tail="epoch 1\n")
    make_submission(user=owner, challenge=challenge, state="pending")
    make_submission(user=student, challenge=challenge, public=0.9)
    offer_dry_runs(challenge)
    dry_run = make_dry_run(user=owner, challenge=challenge, state="failed", reason="No output.")
    barred = Disqualification.objects.create(challenge=challenge, user=student, reason="copied")
    REAL.update(slug=challenge.slug, submission_id=mine.id, disqualification_id=barred.id)
    REAL.update(dry_run_id=dry_run.id)
    _, token = token_create(user=owner, name="schemathesis", lifetime_days=7)
    yield token
    REAL.clear()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_as_its_schema_says(case, token: str):  # type: ignore[no-untyped-def]
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
