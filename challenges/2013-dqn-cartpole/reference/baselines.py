"""Measure the baselines of challenge.toml on this challenge's own episodes.

    PYTHONPATH=. python challenges/2013-dqn-cartpole/reference/baselines.py [--dqn]

Prepares the data into a temporary folder (as the server does), then plays,
through the grader's own environment (``graders.interactive.cartpole``: the same
hidden seeds, the same public and private episodes, gymnasium's CartPole-v1):
1. random: each action a fair coin (a seeded generator);
2. lean: push the cart the way the pole leans (the sign of its angle);
3. pd: push the way the angle plus half a second of its rate points (a
   proportional-derivative rule on the pole alone, blind to the cart);
4. with ``--dqn``: the reference DQN (reference/main.py), trained at full size in
   the simulator of the public data.
Prints the mean return on the public and private episodes and on both.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
import tomllib
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np

from graders import load_spec
from graders.interactive import InteractiveSpec

BUNDLE = Path(__file__).resolve().parents[1]
Policy = Callable[[np.ndarray], list[int]]  # observations (n, 4) -> one action each


def bundle_module(relative: str) -> ModuleType:
    name = "dqn_cartpole_" + relative.replace("/", "_").removesuffix(".py")
    spec = importlib.util.spec_from_file_location(name, BUNDLE / relative)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def play(policy: Policy, hidden_dir: Path) -> tuple[float, float, float]:
    """(public, private, all) mean returns of ``policy`` on the graded episodes."""
    spec = load_spec(tomllib.loads((BUNDLE / "challenge.toml").read_text())["grading"])
    assert isinstance(spec, InteractiveSpec)
    environment = spec.open(hidden_dir=hidden_dir)
    while (query := environment.next_query()) is not None:
        environment.take_answer({"actions": policy(np.array(query["observations"]))})
    scores = environment.scores()
    both = (scores.public * scores.n_public + scores.private * scores.n_private) / (
        scores.n_public + scores.n_private
    )
    return scores.public, scores.private, both


def random_policy(seed: int = 0) -> Policy:
    rng = np.random.default_rng(seed)
    return lambda observations: rng.integers(0, 2, size=len(observations)).tolist()


def lean_policy(observations: np.ndarray) -> list[int]:
    return (observations[:, 2] > 0).astype(int).tolist()


def pd_policy(observations: np.ndarray) -> list[int]:
    return (observations[:, 2] + 0.5 * observations[:, 3] > 0).astype(int).tolist()


def dqn_policy(public_dir: Path) -> Policy:
    reference = bundle_module("reference/main.py")
    sys.path.insert(0, str(public_dir))
    try:
        from cartpole import CartPole  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(public_dir))
    network = reference.train(CartPole, reference.load_config())
    return lambda observations: network.greedy(observations).tolist()


def measure(*, dqn: bool = False) -> dict[str, tuple[float, float, float]]:
    """(public, private, all) mean return of each policy, rounded as listed."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        bundle_module("prepare.py").prepare(
            public_dir=root / "public", hidden_dir=root / "hidden", datasets_dir=root
        )
        policies: dict[str, Policy] = {
            "random": random_policy(),
            "lean": lean_policy,
            "pd": pd_policy,
        }
        if dqn:
            policies["dqn"] = dqn_policy(root / "public")
        scores = {name: play(policy, root / "hidden") for name, policy in policies.items()}
    return {name: tuple(round(v, 2) for v in values) for name, values in scores.items()}  # type: ignore[misc]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dqn", action="store_true", help="train and play the reference too")
    args = parser.parse_args()
    measured = measure(dqn=args.dqn)
    print(f"{'policy':<8} {'public':>8} {'private':>8} {'all':>8}   (mean return)")
    for name, (public, private, both) in measured.items():
        print(f"{name:<8} {public:8.2f} {private:8.2f} {both:8.2f}")


if __name__ == "__main__":
    main()
