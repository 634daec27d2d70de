"""The 2014 GAN challenge through the real stack: Django's test client -> Redis -> a
real Celery worker -> the bubblewrap sandbox with the torch runtime -> the samples
grader (strict .npy reader, classifier features, FID, memorization penalty).

The reference DCGAN runs on a budget (``budget.json``): one pass over 20,480
training images, 320 rounds of the game, about 80 CPU seconds. Measured outside
the sandbox, 300 rounds already scored 38.7 (public) where uniform noise scores
377 (a ratio near 10), and 100 rounds, a third of the budget, scored about 113
(a ratio near 3). The bound, a quarter of the noise baseline, thus asks the budget
run to be clearly past the start of learning while leaving room for the run-to-run
spread of GAN training. The full run (5 epochs) is for benchmarks/references.py.
"""

from __future__ import annotations

import pytest

from tests.support.pipeline import (
    reference_files,
    sign_in,
    starter_files,
    submit,
    submit_and_wait,
    wait_final,
)

SLUG = "2014-gan"
BUDGET = {"epochs": 1, "train_limit": 20480}
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_reference_dcgan_on_a_budget_beats_noise_by_far(client, load_challenge, start_worker):
    challenge = load_challenge(SLUG)
    assert challenge.data_status == "ready", challenge.data_problem
    start_worker()
    sign_in(client, "ian")
    submission = submit_and_wait(client, SLUG, reference_files(SLUG, budget=BUDGET), timeout=420)

    assert submission.state == "scored", (submission.failure_reason, submission.log_tail)
    assert "20480 training images, 1 epochs" in submission.log_tail
    print(
        f"budget run: {submission.cpu_seconds:.0f} CPU s, {submission.wall_seconds:.0f} s "
        f"wall, scores {submission.public_score:.2f} / {submission.private_score:.2f}"
    )
    noise = challenge.baselines.get(name="Uniform noise").score
    assert submission.public_score < noise / 4, submission.log_tail
    assert submission.private_score < noise / 4, submission.log_tail
    assert submission.cpu_seconds < challenge.limits["cpu_seconds"]


def test_starter_kit_scores_weakly_and_float_images_fail_with_a_reason(
    client, load_challenge, start_worker
):
    """Two submissions on one prepared challenge (preparing it is the slow part)."""
    challenge = load_challenge(SLUG)
    start_worker()
    sign_in(client, "ada")
    # Images in [0, 1] as float64, the likeliest mistake: 63 MB, within the output limit.
    floats = b"import numpy as np\nnp.save('/output/samples.npy', np.zeros((10000, 28, 28)))\n"
    starter_id = submit(client, SLUG, starter_files(SLUG))
    floats_id = submit(client, SLUG, {"main.py": floats})

    submission = wait_final(starter_id, timeout=300)
    assert submission.state == "scored", (submission.failure_reason, submission.log_tail)
    # Blobs: better than noise, worse than the mean-image blur (measured 183).
    blur = challenge.baselines.get(name="Mean-image blur").score
    noise = challenge.baselines.get(name="Uniform noise").score
    assert blur < submission.public_score < noise
    # Each score is stored with its 95% bootstrap interval (graders/samples/resampling.py).
    for score, interval in (
        (submission.public_score, submission.public_interval),
        (submission.private_score, submission.private_interval),
    ):
        assert interval is not None and interval[0] < score < interval[1], interval

    failed = wait_final(floats_id, timeout=120)
    assert failed.state == "failed"
    assert failed.failure_reason.startswith(
        "samples.npy: dtype is float64 ('<f8'), expected uint8"
    ), failed.failure_reason
