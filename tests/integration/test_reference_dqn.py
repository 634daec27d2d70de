"""The 2013 milestone through the real stack: a signed-in student submits the
reference DQN (on a small budget) -> Redis -> a real Celery worker -> the
bubblewrap sandbox, where it trains in the simulator of /data and then plays the
grader's hidden episodes of gymnasium's CartPole-v1 -> scored in mean return. And
a program that answers an action that is no action fails with a plain reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.pipeline import reference_files, sign_in, submit_and_wait

SLUG = "2013-dqn-cartpole"
# The full reference's code path, shrunk: 5,000 steps instead of 100,000 (about
# 2 s of CPU here). A random policy scores about 23, pushing the way the pole
# leans about 43; this budget's greedy policy already does better (94 here).
BUDGET = {"steps": 5000, "eval_every": 2500, "eval_episodes": 5, "epsilon_steps": 4000}
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def dqn_challenge(load_challenge, settings):  # type: ignore[no-untyped-def]
    if not (Path(settings.RUNTIMES_DIR) / "numpy" / "bin" / "python").exists():
        pytest.skip("the numpy runtime is not built")
    return load_challenge(SLUG)


def test_the_reference_dqn_is_scored_in_mean_return(client, dqn_challenge, start_worker):
    start_worker()
    sign_in(client, "mnih")
    submission = submit_and_wait(client, SLUG, reference_files(SLUG, budget=BUDGET), timeout=180)

    assert submission.state == "scored", (submission.failure_reason, submission.log_tail)
    assert submission.public_score > 60 and submission.private_score > 60
    assert "kept the weights that scored" in submission.log_tail
    assert "[grader] ready after" in submission.log_tail
    assert (dqn_challenge.metric, dqn_challenge.direction) == ("mean_return", "higher")


def test_an_action_that_is_no_action_fails_with_a_plain_reason(client, dqn_challenge, start_worker):
    start_worker()
    sign_in(client, "lefty")
    code = (
        b"import json, sys\n"
        b"print(json.dumps({'ready': True}), flush=True)\n"
        b"for line in sys.stdin:\n"
        b"    query = json.loads(line)\n"
        b"    actions = ['left'] * len(query['observations'])\n"
        b"    print(json.dumps({'query': query['query'], 'actions': actions}), flush=True)\n"
    )
    submission = submit_and_wait(client, SLUG, {"main.py": code}, timeout=120)

    assert submission.state == "failed"
    assert "action 0 must be 0 (push left) or 1 (push right), got 'left'" in (
        submission.failure_reason
    )
