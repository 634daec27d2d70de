"""Rows for the site's tests, made directly (no bundle, no prepare.py): a
challenge whose data folder holds small downloads, users of each role, and
submissions in any state at any time."""

from __future__ import annotations

import datetime as dt
import itertools
import zipfile
from typing import Any

from django.core.files.base import ContentFile

from server.accounts.models import User
from server.bundles.bundle import default_limits
from server.competitions.models import Baseline, Challenge, Phase
from server.leaderboards import standings
from server.site import clock
from server.submissions.models import Submission

PASSWORD = "pw-for-tests-1"
_tokens = itertools.count(1)


def make_user(username: str, *, instructor: bool = False, staff: bool = False) -> User:
    return User.objects.create_user(
        username=username, password=PASSWORD, is_instructor=instructor, is_staff=staff
    )


def make_challenge(
    slug: str = "1986-test-challenge",
    *,
    owner: User | None = None,
    direction: str = "higher",
    published: bool = True,
    year: int = 1986,
    baselines: tuple[tuple[str, float], ...] = (("Chance", 0.5), ("Historic result", 0.9)),
    **fields: Any,
) -> Challenge:
    challenge = Challenge.objects.create(
        slug=slug,
        title=f"Challenge {slug}",
        year=year,
        idea="An idea that changed the field.",
        entrypoint="main.py",
        limits=default_limits(),
        grading={"metric": "accuracy", "direction": direction, "output": "predictions.csv"},
        description_html="<h1>The story</h1><p>Read the data, write predictions.</p>",
        bundle_dir="",
        data_status=Challenge.DataStatus.READY,
        owner=owner,
        is_published=published,
        **{"runtime": "numpy", **fields},
    )
    Baseline.objects.bulk_create(
        Baseline(challenge=challenge, name=name, score=score, position=i)
        for i, (name, score) in enumerate(baselines)
    )
    challenge.data_dir.mkdir(parents=True, exist_ok=True)
    for name, member in (("public.zip", "train.csv"), ("starter.zip", "main.py")):
        with zipfile.ZipFile(challenge.data_dir / name, "w") as archive:
            archive.writestr(member, "id,label\n")
    return challenge


def make_phase(
    challenge: Challenge, *, name: str, starts: dt.timedelta, ends: dt.timedelta
) -> Phase:
    """A phase from ``now + starts`` to ``now + ends`` on the site's clock."""
    now = clock.now()
    return Phase.objects.create(
        challenge=challenge, name=name, starts_at=now + starts, ends_at=now + ends
    )


def make_submission(
    *,
    user: User,
    challenge: Challenge,
    state: str = Submission.State.SCORED,
    public: float | None = None,
    private: float | None = None,
    created_at: dt.datetime | None = None,
    selected: bool = False,
    code: bytes = b"print('hello')\n",
    **fields: Any,
) -> Submission:
    submission = Submission(
        user=user,
        challenge=challenge,
        token=f"t{next(_tokens):08d}",
        original_name="main.py",
        state=state,
        public_score=public,
        private_score=private if private is not None else public,
        created_at=created_at or clock.now(),
        selected=selected,
        **fields,
    )
    submission.upload.save("main.py", ContentFile(code), save=False)
    submission.save()
    if submission.state == Submission.State.SCORED:  # on the boards, as a scoring would put it
        standings.rebuild(challenge=challenge)
    return submission
