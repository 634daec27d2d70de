"""Hidden boolean functions of eight inputs: the data of the 1943 challenge, made from a seed.

Sixteen functions, each computed by a small network of McCulloch-Pitts threshold
units with whole-number weights (``NETWORKS``): eight need one unit, eight need
two layers. The seed shuffles which function is which and wires each network's
slots to its own choice of the eight inputs. Of each function's truth table
(256 rows) a seeded half is public with its outputs (train.csv); the other half
is the test set, its outputs hidden. Everything is integer arithmetic: the files
are the same on every machine. ``datasets_dir`` is unused.

    PYTHONPATH=. python challenges/1943-logical-neuron/prepare.py OUT_DIR

writes OUT_DIR/public (train.csv, test.csv) and OUT_DIR/hidden (labels.csv).
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path
from typing import NamedTuple

import numpy as np

from graders.dry_runs import sample_labelled_csv
from graders.splits import assign_splits, write_hidden_labels

SEED = 1943
SPLIT_SEED = 5  # Bulletin of Mathematical Biophysics volume 5, where the paper appeared
INPUTS = 8
TRAIN_ROWS = 64  # a quarter of each function's 2^8 = 256 rows; the other 192 are its test rows
PUBLIC_FRACTION = 0.5  # must match [grading] public_fraction in challenge.toml
FEATURES = [f"x{i}" for i in range(1, INPUTS + 1)]
TABLE = np.array(list(itertools.product((0, 1), repeat=INPUTS)), dtype=np.int64)  # 256 x 8


class Unit(NamedTuple):
    """A threshold unit: fires (1) when the weighted sum of its inputs reaches the threshold."""

    weights: tuple[int, ...]
    threshold: int

    def fire(self, x: np.ndarray) -> np.ndarray:
        """Outputs for the rows of ``x`` (whole numbers: an exact sum on any machine)."""
        weights = np.zeros(x.shape[1], dtype=np.int64)
        weights[: len(self.weights)] = self.weights  # slots past the last weight are unwired
        return (x @ weights >= self.threshold).astype(np.int64)


class Network(NamedTuple):
    """Hidden units over the slots (none: the output unit reads the slots itself)."""

    name: str
    output: Unit
    hidden: tuple[Unit, ...] = ()

    def compute(self, slots: np.ndarray) -> np.ndarray:
        if not self.hidden:
            return self.output.fire(slots)
        return self.output.fire(np.column_stack([unit.fire(slots) for unit in self.hidden]))


def _unit(*weights: int, at_least: int) -> Unit:
    return Unit(weights, at_least)


# Slots a, b, c, ... are inputs; the seed picks which. The first eight need one unit
# (a line separates their 1s from their 0s), the last eight two layers.
NETWORKS = (
    Network("a and b and c", _unit(1, 1, 1, at_least=3)),
    Network("a or b or c", _unit(1, 1, 1, at_least=1)),
    Network("at least 3 of a..e", _unit(1, 1, 1, 1, 1, at_least=3)),
    Network("at least 2 of a..d, vetoed by e", _unit(1, 1, 1, 1, -4, at_least=2)),
    Network("at least 3 of a..f", _unit(1, 1, 1, 1, 1, 1, at_least=3)),
    Network("a and b and not c", _unit(1, 1, -1, at_least=2)),
    Network("a or (b and c)", _unit(2, 1, 1, at_least=2)),
    Network("a + b + c + d - e - f >= 2", _unit(1, 1, 1, 1, -1, -1, at_least=2)),
    Network(
        "a xor b", _unit(1, -1, at_least=1), (_unit(1, 1, at_least=1), _unit(1, 1, at_least=2))
    ),
    Network(
        "parity of a, b, c",
        _unit(1, -1, 1, at_least=1),
        tuple(_unit(1, 1, 1, at_least=k) for k in (1, 2, 3)),
    ),
    Network(
        "parity of a..d",
        _unit(1, -1, 1, -1, at_least=1),
        tuple(_unit(1, 1, 1, 1, at_least=k) for k in (1, 2, 3, 4)),
    ),
    Network(
        "exactly 2 of a..d",
        _unit(1, -1, at_least=1),
        (_unit(1, 1, 1, 1, at_least=2), _unit(1, 1, 1, 1, at_least=3)),
    ),
    Network(
        "(a and b) or (c and d)",
        _unit(1, 1, at_least=1),
        (_unit(1, 1, 0, 0, at_least=2), _unit(0, 0, 1, 1, at_least=2)),
    ),
    Network(
        "a xor (b and c)",
        _unit(1, 1, at_least=1),
        (_unit(2, -1, -1, at_least=1), _unit(-1, 1, 1, at_least=2)),
    ),
    Network(
        "(a or b) and (c or d)",
        _unit(1, 1, at_least=2),
        (_unit(1, 1, 0, 0, at_least=1), _unit(0, 0, 1, 1, at_least=1)),
    ),
    Network(
        "some but not all of a, b, c",
        _unit(1, -1, at_least=1),
        (_unit(1, 1, 1, at_least=1), _unit(1, 1, 1, at_least=3)),
    ),
)


class Function(NamedTuple):
    number: int  # 1..16, as train.csv and test.csv name it
    network: Network
    wiring: tuple[int, ...]  # slot k reads input x(wiring[k] + 1)
    train_rows: tuple[int, ...]  # rows of TABLE, in table order; the rest are test rows

    def outputs(self, x: np.ndarray) -> np.ndarray:
        return self.network.compute(x[:, list(self.wiring)])


def hidden_functions() -> list[Function]:
    """The sixteen functions, numbered in the seed's order: the answer, kept out of public/."""
    rng = np.random.default_rng(SEED)
    order = rng.permutation(len(NETWORKS))
    functions = []
    for number, index in enumerate(order, start=1):
        wiring = tuple(int(i) for i in rng.permutation(INPUTS))
        train = np.sort(rng.permutation(len(TABLE))[:TRAIN_ROWS])
        functions.append(Function(number, NETWORKS[index], wiring, tuple(int(r) for r in train)))
    return functions


def _write_rows(path: Path, header: list[str], rows: list[list[str]]) -> None:
    # "\n" line ends, whole numbers only: the same seed gives the same bytes.
    lines = [",".join(header), *(",".join(row) for row in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _split(function: Function) -> tuple[np.ndarray, np.ndarray]:
    train = np.zeros(len(TABLE), dtype=bool)
    train[list(function.train_rows)] = True
    return np.flatnonzero(train), np.flatnonzero(~train)


def prepare(*, public_dir: Path, hidden_dir: Path, datasets_dir: Path) -> None:
    train_rows: list[list[str]] = []
    test_rows: list[list[str]] = []
    labels: list[int] = []
    for function in hidden_functions():
        outputs = function.outputs(TABLE)
        train, test = _split(function)
        name = str(function.number)
        train_rows += [[name, *map(str, TABLE[r]), str(outputs[r])] for r in train]
        ids = range(len(test_rows), len(test_rows) + len(test))
        test_rows += [[str(i), name, *map(str, TABLE[r])] for i, r in zip(ids, test, strict=True)]
        labels += [int(outputs[r]) for r in test]
    public_dir.mkdir(parents=True, exist_ok=True)
    hidden_dir.mkdir(parents=True, exist_ok=True)
    _write_rows(public_dir / "train.csv", ["function", *FEATURES, "label"], train_rows)
    _write_rows(public_dir / "test.csv", ["id", "function", *FEATURES], test_rows)
    write_hidden_labels(
        hidden_dir / "labels.csv",
        ids=list(range(len(labels))),
        labels=labels,
        splits=assign_splits(len(labels), public_fraction=PUBLIC_FRACTION, seed=SPLIT_SEED),
    )


def prepare_dry_run(*, public_dir: Path, dry_run_dir: Path) -> None:
    """A dry run's data (``graders.dry_runs``): 512 of the training rows to learn
    from, 256 others set aside as its test rows (each keeps its function's name)."""
    sample_labelled_csv(
        train_csv=public_dir / "train.csv", dry_run_dir=dry_run_dir, n_train=512, n_test=256
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path, help="writes OUT_DIR/public and OUT_DIR/hidden")
    args = parser.parse_args()
    prepare(
        public_dir=args.out_dir / "public",
        hidden_dir=args.out_dir / "hidden",
        datasets_dir=args.out_dir / "unused",
    )
    print(f"wrote {args.out_dir}/public and {args.out_dir}/hidden")


if __name__ == "__main__":
    main()
