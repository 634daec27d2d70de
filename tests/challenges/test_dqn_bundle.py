"""The 2013 bundle: deterministic seeds kept out of the public files, a simulator
in the public data that steps exactly as the grader's gymnasium does, a valid
challenge.toml whose cheap baselines are the measured ones, and a starter kit that
is already a valid submission (scored here through the harness, without a sandbox)."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import gymnasium
import numpy as np
import pytest

from graders import LiveGraded
from server.bundles.bundle import read_bundle
from tests.support.bundles import ELSEWHERE, files_of, load_module, prepare_into, python_as
from tests.support.pipeline import CHALLENGES
from worker.interactive.direct import run_direct

BUNDLE = CHALLENGES / "2013-dqn-cartpole"


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return prepare_into(BUNDLE, tmp_path_factory.mktemp("dqn-cartpole"))


def _seeds(prepared: Path) -> dict[str, list[int]]:
    with (prepared / "hidden" / "labels.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {
        split: [int(row["label"]) for row in rows if row["split"] == split]
        for split in ("public", "private")
    }


def test_the_bundle_is_valid_and_interactive():
    bundle = read_bundle(BUNDLE)
    assert (bundle.runtime, bundle.gpu) == ("numpy", "none")
    assert bundle.grading.kind == "interactive" and isinstance(bundle.grading, LiveGraded)
    assert (bundle.grading.metric, bundle.grading.direction) == ("mean_return", "higher")
    assert bundle.grading.query_seconds < bundle.limits["wall_seconds"]
    assert bundle.baselines[-1]["name"].startswith("The reference DQN")
    assert bundle.baselines[-1]["score"] >= 475  # gymnasium's "solved" for CartPole-v1


def test_the_cheap_baselines_are_the_measured_ones_on_each_split():
    measured = load_module(BUNDLE, "reference/baselines.py").measure()
    listed = [(b["score"], b["private_score"]) for b in read_bundle(BUNDLE).baselines[:3]]
    assert listed == [measured[name][:2] for name in ("random", "lean", "pd")]


def test_the_grader_plays_the_same_episodes_on_another_cpus_kernels():
    # gymnasium's sines and cosines come from NumPy's SIMD kernels: the episodes, and
    # so the listed baselines, must not depend on which ones this CPU has.
    measure = (
        "import json, sys; sys.path.insert(0, 'challenges/2013-dqn-cartpole/reference');"
        "import baselines; print(json.dumps(baselines.measure()))"
    )
    measured = json.loads(python_as(ELSEWHERE, measure, timeout=120))
    listed = [[b["score"], b["private_score"]] for b in read_bundle(BUNDLE).baselines[:3]]
    assert listed == [measured[name][:2] for name in ("random", "lean", "pd")]


def test_preparing_twice_gives_the_same_bytes(prepared: Path, tmp_path: Path):
    assert files_of(prepare_into(BUNDLE, tmp_path)) == files_of(prepared)


def test_the_seeds_stay_hidden_and_the_public_data_is_the_simulator(prepared: Path):
    assert sorted(p.name for p in (prepared / "public").iterdir()) == ["cartpole.py"]
    public = (prepared / "public" / "cartpole.py").read_bytes()
    assert public == (BUNDLE / "simulator" / "cartpole.py").read_bytes()
    seeds = _seeds(prepared)
    assert len(seeds["public"]) == len(seeds["private"]) == 50
    every = seeds["public"] + seeds["private"]
    assert len(set(every)) == 100 and all(0 <= s < 2**31 for s in every)
    assert not [s for s in every if str(s).encode() in public]
    for folder in (BUNDLE / "starter", BUNDLE / "reference"):
        shipped = b"".join(path.read_bytes() for path in folder.rglob("*") if path.is_file())
        assert not [s for s in every if str(s).encode() in shipped]


def test_the_simulator_steps_exactly_as_gymnasium_on_random_and_held_episodes(prepared: Path):
    simulator = load_module(prepared / "public", "cartpole.py").CartPole()
    rng = np.random.default_rng(7)
    truncated_episodes = 0
    for episode in range(200):
        seed = int(rng.integers(2**31))
        gym = gymnasium.make("CartPole-v1")
        theirs, _ = gym.reset(seed=seed)
        ours = simulator.reset(seed=seed)
        assert ours.dtype == theirs.dtype == np.float32 and np.array_equal(ours, theirs)
        done = False
        while not done:
            # Odd episodes: random pushes; even ones: held up to the 500-step limit.
            held = int(ours[2] + 0.5 * ours[3] > 0)
            action = int(rng.integers(2)) if episode % 2 else held
            theirs, reward, terminated, truncated, _ = gym.step(action)
            ours, *rest = simulator.step(action)
            assert np.array_equal(ours, theirs) and rest == [reward, terminated, truncated]
            done = terminated or truncated
        truncated_episodes += bool(truncated)
    assert truncated_episodes == 100


def test_the_simulator_continues_its_own_generator_between_resets(prepared: Path):
    simulator = load_module(prepared / "public", "cartpole.py").CartPole(seed=5)
    gym = gymnasium.make("CartPole-v1")
    assert np.array_equal(simulator.reset(), gym.reset(seed=5)[0])
    assert np.array_equal(simulator.reset(), gym.reset()[0])


def test_the_reference_trains_the_same_network_twice_from_its_seed(prepared: Path):
    reference = load_module(BUNDLE, "reference/main.py")
    simulator = load_module(prepared / "public", "cartpole.py").CartPole
    config = {**reference.CONFIG, "steps": 2000, "eval_every": 1000, "eval_episodes": 2}
    first, second = (reference.train(simulator, config) for _ in range(2))
    assert first.updates == second.updates == 1001  # learning starts at step 1,000
    assert all(np.array_equal(a, b) for a, b in zip(first.params, second.params, strict=True))


def test_the_starter_kit_is_a_valid_submission(prepared: Path):
    scores = run_direct(
        spec=read_bundle(BUNDLE).grading,
        hidden_dir=prepared / "hidden",
        argv=[sys.executable, str(BUNDLE / "starter" / "main.py"), str(prepared / "public")],
    )
    assert 15 < scores.public < 35 and 15 < scores.private < 35  # a random agent


def test_the_starter_kit_ships_the_protocol_document():
    assert (BUNDLE / "starter" / "INTERACTIVE.md").read_text() == (
        CHALLENGES / "INTERACTIVE.md"
    ).read_text()
    assert "starter.zip" in (BUNDLE / "README.md").read_text()
