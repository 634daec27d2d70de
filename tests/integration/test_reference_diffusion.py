"""The 2020 diffusion challenge through the real stack: Django's test client -> Redis ->
a real Celery worker -> the bubblewrap sandbox with the torch runtime -> the samples
grader (the GAN challenge's files: strict .npy reader, classifier features, FID,
memorization penalty).

The reference DDPM runs on a budget (``budget.json``): one pass over 6,400 training
images (100 steps of batch 64) and 10,000 samples in 2 DDIM steps, about 140 CPU
seconds alone, sampling more than half of it. Through this pipeline on two
loaded cores it took 191 and 194 CPU s in two runs and scored 206.9 / 206.3 and
228.4 / 227.7 (public / private), where uniform noise scores 356.1 and the starter 340.3: digits are only beginning
to form after 100 steps, and the sandbox gives each run its own MILESTONES_SEED.
The bound, three quarters of the noise baseline (267), asks the budget run to be
clearly past the start of learning and clearly ahead of the starter, with room for
the spread of a run this short. The full run (2 epochs, 8 DDIM steps) is
for benchmarks/references.py.
"""

from __future__ import annotations

import pytest

from tests.support.pipeline import (
    reference_files,
    sign_in,
    starter_files,
    submit_and_wait,
)

SLUG = "2020-diffusion-mnist"
BUDGET = {"epochs": 1, "train_limit": 6400, "sampling_steps": 2}
BOUND = 0.75  # the budget run must score below three quarters of the noise baseline
pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_reference_ddpm_on_a_budget_beats_noise_by_far(client, load_challenge, start_worker):
    challenge = load_challenge(SLUG)
    assert challenge.data_status == "ready", challenge.data_problem
    start_worker()
    sign_in(client, "jonathan")
    submission = submit_and_wait(client, SLUG, reference_files(SLUG, budget=BUDGET), timeout=1500)

    assert submission.state == "scored", (submission.failure_reason, submission.log_tail)
    assert "6400 training images, 1 epochs" in submission.log_tail
    assert "(2 DDIM steps)" in submission.log_tail
    print(
        f"budget run: {submission.cpu_seconds:.0f} CPU s, {submission.wall_seconds:.0f} s "
        f"wall, scores {submission.public_score:.2f} / {submission.private_score:.2f}"
    )
    noise = challenge.baselines.get(name="Uniform noise").score
    assert submission.public_score < noise * BOUND, submission.log_tail
    assert submission.private_score < noise * BOUND, submission.log_tail
    assert submission.cpu_seconds < challenge.limits["cpu_seconds"]


def test_starter_kit_runs_as_downloaded_and_scores_weakly(client, load_challenge, start_worker):
    challenge = load_challenge(SLUG)
    start_worker()
    sign_in(client, "ada")
    submission = submit_and_wait(client, SLUG, starter_files(SLUG), timeout=600)
    assert submission.state == "scored", (submission.failure_reason, submission.log_tail)
    # Smudges: better than noise, worse than the mean-image blur (measured 340.3 outside the sandbox; noise 356.1).
    blur = challenge.baselines.get(name="Mean-image blur").score
    noise = challenge.baselines.get(name="Uniform noise").score
    assert blur < submission.public_score < noise
