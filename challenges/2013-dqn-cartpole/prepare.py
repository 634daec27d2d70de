"""CartPole episodes on hidden seeds, for interactive grading.

The public data is the simulator a submission trains in: ``cartpole.py``, the
same dynamics as the grader's gymnasium ``CartPole-v1``, in plain Python and
NumPy (``simulator/cartpole.py`` of this bundle, copied byte for byte). The
hidden data is the seed of each graded episode, drawn from a fixed seed:
``EPISODES`` distinct seeds, half of the episodes public, half private
(``graders.interactive.cartpole`` plays them).

    PYTHONPATH=. python challenges/2013-dqn-cartpole/prepare.py OUT_DIR
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import numpy as np

from graders.splits import assign_splits, write_hidden_labels

SIMULATOR = Path(__file__).resolve().parent / "simulator" / "cartpole.py"
EPISODES = 100  # gymnasium's "solved": a mean return of 475 over 100 episodes
PUBLIC_FRACTION = 0.5
SEED = 2013
SPLIT_SEED = 2015


def episode_seeds(count: int, *, seed: int) -> list[int]:
    """``count`` distinct seeds below 2**31, from integer draws only (exact everywhere)."""
    rng = np.random.default_rng(seed)
    seeds: list[int] = []
    while len(seeds) < count:
        drawn = int(rng.integers(0, 2**31))
        if drawn not in seeds:
            seeds.append(drawn)
    return seeds


def prepare(*, public_dir: Path, hidden_dir: Path, datasets_dir: Path) -> None:
    public_dir.mkdir(parents=True, exist_ok=True)
    hidden_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SIMULATOR, public_dir / "cartpole.py")
    write_hidden_labels(
        hidden_dir / "labels.csv",
        ids=list(range(EPISODES)),
        labels=episode_seeds(EPISODES, seed=SEED),
        splits=assign_splits(EPISODES, public_fraction=PUBLIC_FRACTION, seed=SPLIT_SEED),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path, help="writes OUT_DIR/public and OUT_DIR/hidden")
    args = parser.parse_args()
    prepare(
        public_dir=args.out_dir / "public",
        hidden_dir=args.out_dir / "hidden",
        datasets_dir=Path("."),
    )
    print(f"wrote {args.out_dir}/public and {args.out_dir}/hidden")


if __name__ == "__main__":
    main()
