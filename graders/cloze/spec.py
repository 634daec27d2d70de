"""The ``cloze`` kind of grading: a program writes one vector per word of a public
vocabulary; the grader, outside the sandbox, scores hidden cloze items with them.

    [grading]
    kind = "cloze"
    output = "vectors.npy"   # float32 [words, D], written with np.save
    words = 2998             # rows: the public vocabulary's size
    max_dimensions = 300     # 1 <= D <= this

An item (``hidden/items.csv``: ``id,candidates,context``, vocabulary indices
separated by spaces) is right when, of its candidates, the one ``hidden/labels.csv``
names has the highest cosine with the mean of its context words' unit vectors
(``exact.py``; a tie is wrong). The score of a split is its share of right items.
``metric`` and ``direction`` may be given (the site stores them back) but must be these.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import ClassVar, NamedTuple

import numpy as np

from graders.cloze.exact import right_answers, unit_rows
from graders.errors import GradingSpecError
from graders.graded import FileGraded
from graders.metrics import Direction
from graders.samples.npy import read_float32_rows
from graders.scores import Scores

METRIC = "accuracy"
DIRECTION: Direction = "higher"
KEYS = frozenset({"output", "words", "max_dimensions", "metric", "direction"})
MAX_WORDS = 100_000
MAX_DIMENSIONS = 1024  # with MAX_WORDS, at most 400 MB of floats: the limit a toml may ask


class Items(NamedTuple):
    candidates: np.ndarray  # int [n, K]
    context: np.ndarray  # int [n, L], padded with -1
    answers: np.ndarray  # int [n]: the right candidate's position
    public: np.ndarray  # bool [n]


def load_items(hidden_dir: Path) -> Items:
    """The hidden items and their answers, in id order (written by the bundle: trusted)."""
    with (hidden_dir / "items.csv").open(encoding="utf-8", newline="") as handle:
        items = list(csv.DictReader(handle))
    with (hidden_dir / "labels.csv").open(encoding="utf-8", newline="") as handle:
        labels = list(csv.DictReader(handle))
    ids = [int(row["id"]) for row in items]
    if ids != list(range(len(items))) or [int(row["id"]) for row in labels] != ids:
        raise ValueError(f"{hidden_dir}: items.csv and labels.csv must list ids 0..n-1")
    contexts = [[int(i) for i in row["context"].split()] for row in items]
    width = max(map(len, contexts), default=0)
    return Items(
        candidates=np.array([[int(i) for i in row["candidates"].split()] for row in items]),
        context=np.array([c + [-1] * (width - len(c)) for c in contexts], dtype=np.int64),
        answers=np.array([int(row["label"]) for row in labels]),
        public=np.array([row["split"] == "public" for row in labels]),
    )


@dataclass(frozen=True)
class ClozeSpec(FileGraded):
    output: str
    words: int
    max_dimensions: int
    metric: str = METRIC
    direction: Direction = DIRECTION
    kind: ClassVar[str] = "cloze"

    @property
    def score_range(self) -> tuple[float, float]:
        return (0.0, 1.0)

    @classmethod
    def from_dict(cls, table: Mapping[str, object]) -> ClozeSpec:
        """Validate every key; raise ``GradingSpecError`` listing all problems at once."""
        problems = [f"unknown key {key!r}" for key in sorted(map(str, table)) if key not in KEYS]
        output = table.get("output")
        if (
            not isinstance(output, str)
            or PurePath(output).name != output
            or not output.endswith(".npy")
        ):
            problems.append(
                f"output must be a .npy file name such as 'vectors.npy', got {output!r}"
            )
        words = _whole(table, "words", MAX_WORDS, problems)
        dimensions = _whole(table, "max_dimensions", MAX_DIMENSIONS, problems)
        for key, expected in (("metric", METRIC), ("direction", DIRECTION)):
            if key in table and table[key] != expected:
                problems.append(f"{key} of kind 'cloze' is {expected!r}, not {table[key]!r}")
        if problems:
            raise GradingSpecError(problems)
        return cls(output=str(output), words=words, max_dimensions=dimensions)

    def right(self, *, output_dir: Path, items: Items) -> np.ndarray:
        """Which items the program's vectors answer right (``InvalidOutput`` on a bad file)."""
        vectors = read_float32_rows(
            output_dir / self.output, rows=self.words, max_columns=self.max_dimensions
        )
        return right_answers(
            unit_rows(vectors),
            candidates=items.candidates,
            context=items.context,
            answers=items.answers,
        )

    def grade(self, *, output_dir: Path, hidden_dir: Path) -> Scores:
        items = load_items(hidden_dir)
        right = self.right(output_dir=output_dir, items=items).astype(np.float64)
        return Scores.of_items(right, items.public)


def _whole(table: Mapping[str, object], key: str, most: int, problems: list[str]) -> int:
    value = table.get(key)
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= most:
        return value
    problems.append(f"{key} must be a whole number from 1 to {most}, got {value!r}")
    return 0
