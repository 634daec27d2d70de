"""Nothing revealed reaches the author while it matters: programs that try to carry
the hidden text they were shown out through each channel they control (the
corpus in smugglers/, one program per channel), each run through every sandbox
backend and the interactive harness, recorded as the worker records it, then
read as its author reads it (the submission's page, its log, the API) while the
phase is open, and as its instructor does."""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from server.site import clock
from server.submissions import lifecycle, sealing
from server.submissions.models import Submission
from server.submissions.viewing import SEALED_NOTE, SEALED_REASON, submission_view
from tests.server.api.conftest import token_client
from tests.support.char_lm import Evaluation, Interact
from tests.support.factories import make_challenge, make_phase, make_submission, make_user
from worker.grading import verdict_of

pytestmark = [pytest.mark.integration, pytest.mark.django_db]
SMUGGLERS_DIR = Path(__file__).parent / "smugglers"
_BLOCK = re.compile(r"^# /// smuggler\n(?P<body>(?:#.*\n)*?)# ///$", re.MULTILINE)
HOUR = dt.timedelta(hours=1)
WINDOW = 8  # characters of hidden text: any run of them in what the author sees is a leak


@dataclass(frozen=True)
class Smuggler:
    name: str
    source: str
    channel: str
    ends: str

    def __str__(self) -> str:
        return self.name


def _load(path: Path) -> Smuggler:
    source = path.read_text()
    match = _BLOCK.search(source)
    assert match is not None, f"{path.name}: no '# /// smuggler' block"
    table = tomllib.loads("\n".join(line.removeprefix("# ") for line in match["body"].splitlines()))
    return Smuggler(path.stem, source, table["channel"], table["ends"])


SMUGGLERS = [_load(path) for path in sorted(SMUGGLERS_DIR.glob("*.py"))]


def test_the_corpus_covers_every_channel_a_program_controls():
    channels = {s.channel for s in SMUGGLERS}
    assert channels == {"log", "output", "exit_code", "failure_reason", "timing", "resources"}


def _recorded(smuggler: Smuggler, interact: Interact) -> tuple[Submission, object]:
    """The run, recorded on a submission as the worker records one."""
    verdict = verdict_of(interact(smuggler.source))
    owner = make_user("owner", instructor=True)
    challenge = make_challenge(owner=owner)
    make_phase(challenge, name="Graded", starts=-HOUR, ends=HOUR)
    ada = make_user("ada")
    submission = make_submission(user=ada, challenge=challenge, state="queued")
    started = timezone.now() - dt.timedelta(seconds=verdict.facts.wall_seconds or 0.0)
    Submission.objects.filter(pk=submission.pk).update(
        state="running", attempt=1, started_at=started
    )
    if verdict.scores is not None:
        lifecycle.finish_scored(
            submission_id=submission.pk, attempt=1, scores=verdict.scores, facts=verdict.facts
        )
    else:
        lifecycle.finish_failed(
            submission_id=submission.pk, attempt=1, reason=verdict.reason, facts=verdict.facts
        )
    return Submission.objects.select_related("challenge", "user").get(pk=submission.pk), verdict


def _as_seen_by(user, submission: Submission) -> str:  # type: ignore[no-untyped-def]
    """Everything ``user`` can read of the submission: its page, its log, the API."""
    client = Client()
    client.force_login(user)
    pages = [
        client.get(f"/submissions/{submission.pk}/").content.decode(),
        client.get(f"/submissions/{submission.pk}/status/").content.decode(),
        client.get(f"/submissions/{submission.pk}/log/").content.decode(),
        json.dumps(token_client(user).get(f"/api/submissions/{submission.pk}/").json()),
        json.dumps(token_client(user).get(f"/api/submissions/{submission.pk}/log/").json()),
    ]
    return "\n".join(pages)


def _leaks(text: str, hidden: str) -> list[str]:
    return sorted(
        {
            hidden[i : i + WINDOW]
            for i in range(len(hidden) - WINDOW)
            if hidden[i : i + WINDOW] in text
        }
    )


@pytest.mark.parametrize("smuggler", SMUGGLERS, ids=str)
def test_what_a_program_saw_never_reaches_its_author_while_the_phase_is_open(
    smuggler: Smuggler, interact: Interact, evaluation: Evaluation, platform_settings
):
    submission, verdict = _recorded(smuggler, interact)
    assert submission.sealed, "the program received a query: its run is sealed"
    assert submission.state == smuggler.ends, (submission.state, submission.failure_reason)
    author, owner = submission.user, submission.challenge.owner
    assert _leaks(_as_seen_by(author, submission), evaluation.text) == []

    seen = submission_view(user=author, submission=submission)
    assert seen.resources is None  # its time, CPU and memory, the warning it was sent
    assert seen.cut_short is None
    assert seen.state == "running" and not seen.is_final  # its end waits for its step
    assert seen.log.endswith(SEALED_NOTE + "\n")
    if submission.state == Submission.State.FAILED:
        assert seen.failure_reason in ("", SEALED_REASON)
    # Its end is shown on the grid of the wall limit, whenever it really ended.
    shown_at = sealing.end_shown_at(
        started=submission.started_at,
        ended=submission.finished_at,
        wall_limit_seconds=float(submission.challenge.limits["wall_seconds"]),
    )
    assert shown_at is not None and submission.started_at is not None
    step = sealing.step_seconds(float(submission.challenge.limits["wall_seconds"]))
    assert ((shown_at - submission.started_at).total_seconds() / step).is_integer()

    # The channel really carries it: its instructor reads what the program did.
    managed = submission_view(user=owner, submission=submission)
    assert managed.state == smuggler.ends and not managed.sealed
    expected = {
        "log": lambda: "LEAK<" in managed.log,
        "output": lambda: verdict.facts.sealed,  # /output is never read or shown for a live run
        "exit_code": lambda: "exited with code" in managed.failure_reason,
        "failure_reason": lambda: "LEAK<" in managed.failure_reason,
        "timing": lambda: managed.elapsed_seconds is not None,
        "resources": lambda: managed.resources is not None,
    }
    assert expected[smuggler.channel](), managed.failure_reason or managed.log

    # Once the phase has closed, its author reads everything too.
    with clock.travelled(to=clock.now() + 2 * HOUR):
        after = submission_view(user=author, submission=submission)
        assert not after.sealed and after.state == smuggler.ends
        assert after.log == submission.log_tail


def test_what_the_program_printed_before_its_first_query_is_its_authors(
    interact: Interact, evaluation: Evaluation, platform_settings
):
    log_smuggler = next(s for s in SMUGGLERS if s.channel == "log")
    submission, _ = _recorded(log_smuggler, interact)
    seen = submission_view(user=submission.user, submission=submission)
    assert seen.log.startswith("BEFORE: loading the model\n")
    assert "LEAK<" not in seen.log and "LEAK<" in submission.log_tail
