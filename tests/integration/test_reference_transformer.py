"""The 2017 milestone through the real stack: a signed-in student submits the
reference transformer (on a small budget) -> Redis -> a real Celery worker ->
the bubblewrap sandbox, where it trains and then answers the grader's queries
-> scored in bits per character. And a program that breaks the protocol fails
with a plain reason and its log."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from tests.support.pipeline import reference_files, sign_in, submit_and_wait

SLUG = "2017-tiny-transformer"
# The full reference's code path, shrunk: one narrow layer, 40 steps (about 20 s
# of CPU here, 2 minutes of wall time at most on a busy machine).
BUDGET = {
    "steps": 40,
    "warmup": 5,
    "lr": 3e-3,
    "layers": 1,
    "heads": 2,
    "width": 32,
    "eval_every": 20,
    "sample_chars": 100,
}
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def transformer_challenge(load_challenge, settings):  # type: ignore[no-untyped-def]
    if not (Path(settings.DATASETS_DIR) / "tinyshakespeare" / "input.txt").is_file():
        pytest.skip("Tiny Shakespeare is not installed (manage.py fetch_datasets)")
    if not (Path(settings.RUNTIMES_DIR) / "torch" / "bin" / "python").exists():
        pytest.skip("the torch runtime is not built")
    return load_challenge(SLUG)


def test_the_reference_transformer_is_scored_in_bits_per_character(
    client, transformer_challenge, start_worker
):
    start_worker()
    sign_in(client, "vaswani")
    submission = submit_and_wait(client, SLUG, reference_files(SLUG, budget=BUDGET), timeout=240)

    assert submission.state == "scored", (submission.failure_reason, submission.log_tail)
    uniform = math.log2(65)
    # 40 small steps learn the character frequencies and a little more.
    assert submission.public_score < uniform - 0.5
    assert submission.private_score < uniform - 0.5
    assert "ROMEO:" in submission.log_tail  # the generated sample
    assert "[grader] ready after" in submission.log_tail
    assert transformer_challenge.metric == "bits_per_character"
    assert transformer_challenge.direction == "lower"


def test_a_program_that_prints_before_ready_fails_with_a_plain_reason(
    client, transformer_challenge, start_worker
):
    start_worker()
    sign_in(client, "chatty")
    code = b"import sys\nprint('epoch 1: loss 4.2')\nprint('boom', file=sys.stderr)\n"
    submission = submit_and_wait(client, SLUG, {"main.py": code}, timeout=120)

    assert submission.state == "failed"
    assert "the first line on stdout must be" in submission.failure_reason
    assert "'epoch 1: loss 4.2'" in submission.failure_reason
    assert "boom" in submission.log_tail
