"""Fixtures of the worker's and the operations' tests: participants and
submissions in any state, and a broker emptied around each test so no message
outlives it. Registered by tests/conftest.py."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from django.core.files.base import ContentFile

from server.accounts.models import User
from server.submissions.models import Submission
from tests.support.programs import reference_code
from worker.queues import SUBMISSION_QUEUES, Queue

_numbers = itertools.count()


@pytest.fixture
def broker(platform_settings) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """The test session's Redis as the broker, emptied of our keys before and after."""
    from worker import broker as broker_module

    client = broker_module.client()
    _empty(client)  # also of what a test without this fixture left behind
    yield client
    _empty(client)


def _empty(client) -> None:  # type: ignore[no-untyped-def]
    keys = [key for key in client.scan_iter(match="milestones:*")]
    client.delete(*SUBMISSION_QUEUES, Queue.MAINTENANCE, *keys)


@pytest.fixture
def make_user(db):  # type: ignore[no-untyped-def]
    def make(name: str = "") -> User:
        name = name or f"student{next(_numbers)}"
        return User.objects.create_user(username=name, password="pw-for-tests-1")

    return make


@pytest.fixture
def make_submission(xor_challenge):  # type: ignore[no-untyped-def]
    """A submission of ``code`` (default: the XOR reference) in ``state``."""

    def make(
        user: User, *, state: str = "pending", code: bytes | None = None, challenge=None
    ) -> Submission:  # type: ignore[no-untyped-def]
        number = next(_numbers)
        submission = Submission(
            user=user,
            challenge=challenge or xor_challenge,
            token=f"t{number}-{user.pk}",
            original_name="main.py",
            state=state,
            queue="cpu-short" if state in ("queued", "running") else "",
        )
        content = code if code is not None else reference_code()
        submission.upload.save("main.py", ContentFile(content), save=False)
        submission.save()
        return submission

    return make
