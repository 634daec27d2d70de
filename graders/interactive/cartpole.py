"""CartPole, graded interactively by the mean return over episodes on hidden seeds.

The grader owns the simulator: gymnasium's ``CartPole-v1`` (classic control),
one instance per episode, each reset with its hidden seed. Query ``t`` holds the
observation of every episode still running after ``t`` steps (and which episodes
they are); the answer gives one action per observation, 0 (push left) or 1 (push
right). Only then does every running episode move one step. An episode ends when
the pole falls past 12 degrees or the cart leaves the track (terminated), or
after 500 steps (truncated); its return is its number of steps (one reward per
step). The evaluation ends when every episode has ended.

Observations are sent as gymnasium returns them (float32), each number written
in the shortest decimal that reads back as the same float32.

Hidden files (written by the challenge's prepare.py):
- ``labels.csv``: one row per episode, ``id,label,split``, the label being the
  seed its environment is reset with.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from graders.hidden import read_hidden_labels
from graders.interactive.environment import Environment
from graders.interactive.protocol import ProtocolViolation
from graders.scores import Scores
from graders.splits import PUBLIC

ENVIRONMENT_ID = "CartPole-v1"
MAX_STEPS = 500  # CartPole-v1's time limit: the best possible return
ACTIONS = (0, 1)
LARGEST_SEED = 2**32 - 1


class CartPole(Environment):
    name = "cartpole"
    metric = "mean_return"
    direction = "higher"
    score_range = (0.0, float(MAX_STEPS))

    def __init__(self, *, hidden_dir: Path, options: Mapping[str, object]) -> None:
        import gymnasium  # the grader's side only: submissions train in their own copy

        ids, seeds, splits = read_hidden_labels(hidden_dir / "labels.csv")
        _check_seeds(seeds, splits)
        self.ids = ids
        self.public = splits == PUBLIC
        self.envs = [
            gymnasium.make(ENVIRONMENT_ID, disable_env_checker=True) for _ in range(len(ids))
        ]
        self.observations = [
            env.reset(seed=int(seed))[0] for env, seed in zip(self.envs, seeds, strict=True)
        ]
        self.returns = np.zeros(len(ids))
        self.running = list(range(len(ids)))  # positions of the episodes not yet ended
        self.step = 0

    @property
    def total_queries(self) -> int:
        """At most this many: the evaluation ends sooner when every episode has ended."""
        return MAX_STEPS

    def next_query(self) -> dict[str, Any] | None:
        if not self.running:
            return None
        return {
            "episodes": [int(self.ids[i]) for i in self.running],
            "observations": [_shortest(self.observations[i]) for i in self.running],
        }

    def take_answer(self, answer: Mapping[str, Any]) -> None:
        if not self.running:
            raise RuntimeError("every episode has ended already")
        actions = _actions(answer, len(self.running), f"the answer to query {self.step}")
        still_running = []
        for i, action in zip(self.running, actions, strict=True):
            observation, reward, terminated, truncated, _ = self.envs[i].step(action)
            self.observations[i] = observation
            self.returns[i] += float(reward)
            if not (terminated or truncated):
                still_running.append(i)
        self.running = still_running
        self.step += 1

    def scores(self) -> Scores:
        if self.running:
            raise RuntimeError("scores asked before every episode ended")
        return Scores.of_items(self.returns, self.public)


def _shortest(observation: np.ndarray) -> list[float]:
    # str() of a float32 is the shortest decimal that reads back as that float32.
    return [float(str(value)) for value in observation.astype(np.float32)]


def _actions(answer: Mapping[str, Any], count: int, where: str) -> list[int]:
    """The answer's actions, one 0 or 1 per observation, or a plain reason."""
    if set(answer) != {"actions"}:
        keys = ", ".join(sorted(answer)) or "nothing"
        raise ProtocolViolation(f'{where} must hold "actions" (and "query"), not {keys}')
    actions = answer["actions"]
    if type(actions) is not list or len(actions) != count:
        got = f"{len(actions)} actions" if isinstance(actions, list) else type(actions).__name__
        raise ProtocolViolation(
            f"{where} must give one action per observation ({count}), got {got}"
        )
    for i, action in enumerate(actions):
        if type(action) is not int or action not in ACTIONS:  # true/false and 1.0 are not actions
            raise ProtocolViolation(
                f"{where}: action {i} must be 0 (push left) or 1 (push right), got {action!r}"
            )
    return list(actions)


def _check_seeds(seeds: np.ndarray, splits: np.ndarray) -> None:
    """Whole seeds of both parts (an instructor's bug otherwise, never the student's)."""
    if len(seeds) == 0 or (splits == PUBLIC).all() or (splits != PUBLIC).all():
        raise ValueError("the episodes need both a public and a private part")
    if not (np.all(seeds == np.round(seeds)) and seeds.min() >= 0 and seeds.max() <= LARGEST_SEED):
        raise ValueError(f"every episode's seed must be a whole number from 0 to {LARGEST_SEED}")
