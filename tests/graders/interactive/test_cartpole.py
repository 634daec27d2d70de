"""The CartPole environment: gymnasium's CartPole-v1 reset on each hidden seed,
observations of the running episodes only, actions checked strictly, returns
scored per split, and a broken seed file the platform's error, not the student's."""

from __future__ import annotations

from pathlib import Path

import gymnasium
import numpy as np
import pytest

from graders import LiveGraded, load_spec
from graders.interactive import ProtocolViolation
from graders.interactive.cartpole import MAX_STEPS, CartPole
from graders.splits import PRIVATE, PUBLIC, write_hidden_labels

SEEDS = [11, 22, 33, 44, 55, 66]
SPLITS = [PUBLIC, PRIVATE, PUBLIC, PRIVATE, PUBLIC, PRIVATE]


@pytest.fixture
def hidden(tmp_path: Path) -> Path:
    write_hidden_labels(tmp_path / "labels.csv", ids=range(6), labels=SEEDS, splits=SPLITS)
    return tmp_path


def _open(hidden: Path) -> CartPole:
    return CartPole(hidden_dir=hidden, options={})


def _play(environment: CartPole, policy) -> int:  # type: ignore[no-untyped-def]
    queries = 0
    while (query := environment.next_query()) is not None:
        environment.take_answer({"actions": policy(np.array(query["observations"]))})
        queries += 1
    return queries


def test_the_first_query_shows_each_episode_as_gymnasium_resets_it_on_its_seed(hidden: Path):
    query = _open(hidden).next_query()
    assert query is not None and query["episodes"] == list(range(6))
    for seed, observation in zip(SEEDS, query["observations"], strict=True):
        expected, _ = gymnasium.make("CartPole-v1").reset(seed=seed)
        assert np.array_equal(np.array(observation, dtype=np.float32), expected)
        # Each number the shortest decimal of its float32, not the float32's long expansion.
        assert all(value == float(str(np.float32(value))) for value in observation)
        assert observation != np.float32(observation).astype(np.float64).tolist()


def test_an_episode_leaves_the_queries_when_its_pole_falls_and_its_return_is_its_steps(
    hidden: Path,
):
    environment = _open(hidden)
    queries = _play(environment, lambda observations: [0] * len(observations))  # all left
    lengths = []
    for seed in SEEDS:
        env = gymnasium.make("CartPole-v1")
        env.reset(seed=seed)
        steps, done = 0, False
        while not done:
            _, _, terminated, truncated, _ = env.step(0)
            steps, done = steps + 1, terminated or truncated
        lengths.append(steps)
    assert queries == max(lengths) < 20
    assert list(environment.returns) == lengths
    scores = environment.scores()
    assert scores.public == pytest.approx(np.mean(lengths[::2]))
    assert scores.private == pytest.approx(np.mean(lengths[1::2]))
    assert (scores.n_public, scores.n_private) == (3, 3)
    assert scores.public_interval is not None
    assert scores.public_interval[0] <= scores.public <= scores.public_interval[1]


def test_a_pole_held_to_the_time_limit_scores_the_best_possible_return(hidden: Path):
    environment = _open(hidden)
    queries = _play(environment, lambda obs: (obs[:, 2] + 0.5 * obs[:, 3] > 0).astype(int).tolist())
    assert queries == MAX_STEPS == environment.total_queries
    scores = environment.scores()
    assert (scores.public, scores.private) == (500.0, 500.0) == (environment.score_range[1],) * 2


def test_later_queries_hold_only_the_running_episodes(hidden: Path):
    environment = _open(hidden)
    policy_by_episode = {0: 0, 1: 1}  # episodes 0 and 1 pushed one way fall; the rest held
    seen: list[list[int]] = []
    while (query := environment.next_query()) is not None:
        seen.append(query["episodes"])
        observations = np.array(query["observations"])
        held = (observations[:, 2] + 0.5 * observations[:, 3] > 0).astype(int)
        actions = [
            policy_by_episode.get(e, int(a)) for e, a in zip(query["episodes"], held, strict=True)
        ]
        environment.take_answer({"actions": actions})
    assert seen[0] == [0, 1, 2, 3, 4, 5] and seen[-1] == [2, 3, 4, 5]
    assert len(seen) == MAX_STEPS and list(environment.returns[2:]) == [500.0] * 4


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ({"actions": [0] * 5}, " must give one action per observation (6), got 5 actions"),
        ({"actions": "010101"}, " must give one action per observation (6), got str"),
        (
            {"actions": [0, 1, 2, 0, 1, 0]},
            ": action 2 must be 0 (push left) or 1 (push right), got 2",
        ),
        (
            {"actions": [0, True, 0, 0, 1, 0]},
            ": action 1 must be 0 (push left) or 1 (push right), got True",
        ),
        (
            {"actions": [0, 1.0, 0, 0, 1, 0]},
            ": action 1 must be 0 (push left) or 1 (push right), got 1.0",
        ),
        ({"action": [0] * 6}, ' must hold "actions" (and "query"), not action'),
    ],
)
def test_a_bad_answer_is_a_protocol_violation_with_a_plain_reason(
    hidden: Path, answer: dict[str, object], reason: str
):
    environment = _open(hidden)
    environment.next_query()
    with pytest.raises(ProtocolViolation) as caught:
        environment.take_answer(answer)
    assert str(caught.value) == f"the answer to query 0{reason}"


@pytest.mark.parametrize(
    ("seeds", "splits"),
    [([1, 2], [PUBLIC, PUBLIC]), ([1.5, 2], [PUBLIC, PRIVATE]), ([-1, 2], [PUBLIC, PRIVATE])],
)
def test_a_broken_seed_file_is_the_platforms_error(tmp_path: Path, seeds, splits):  # type: ignore[no-untyped-def]
    write_hidden_labels(tmp_path / "labels.csv", ids=[0, 1], labels=seeds, splits=splits)
    with pytest.raises(ValueError):
        _open(tmp_path)


def test_the_grading_table_names_the_environment_and_takes_no_other_keys():
    spec = load_spec({"kind": "interactive", "environment": "cartpole"})
    assert isinstance(spec, LiveGraded)
    assert (spec.metric, spec.direction) == ("mean_return", "higher")
    with pytest.raises(Exception, match="unknown key 'steps'"):
        load_spec({"kind": "interactive", "environment": "cartpole", "steps": 3})
