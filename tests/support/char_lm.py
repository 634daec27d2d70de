"""A small character-LM evaluation for the interactive tests (hidden text,
vocabulary, streams), written as the challenge's prepare.py writes one, and a
program that plays the protocol honestly."""

from __future__ import annotations

import json
import string
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from graders.interactive import InteractiveSpec
from graders.interactive.char_lm import lay_out_streams
from graders.splits import assign_splits, write_hidden_labels
from worker.interactive import Outcome

MiB = 1024 * 1024
# The 65 characters of Tiny Shakespeare, in the challenge's order (sorted).
VOCAB = sorted("\n !$&',-.3:;?" + string.ascii_letters)
STREAMS, STEPS, CONTEXT = 6, 4, 16
FAST = {
    "wall_seconds": 15.0,
    "cpu_seconds": 15.0,
    "memory_bytes": 256 * MiB,
    "processes": 32,
    "output_bytes": MiB,
    "log_bytes": 8 * 1024,
    "tmp_bytes": 16 * MiB,
}


@dataclass
class Evaluation:
    root: Path
    code: Path
    data: Path
    output: Path
    hidden: Path
    text: str
    starts: list[int]
    public: list[bool]

    def targets(self) -> np.ndarray:
        """(stream, step) -> the hidden character the program must predict, as an index."""
        index = {c: i for i, c in enumerate(VOCAB)}
        return np.array([[index[self.text[a + t]] for t in range(STEPS)] for a in self.starts])


def hidden_text(length: int = 1200, seed: int = 6) -> str:
    return "".join(np.random.default_rng(seed).choice(VOCAB, size=length))


def write_evaluation(hidden: Path, text: str) -> tuple[list[int], list[bool]]:
    """The hidden files of a char_lm evaluation, as the challenge's prepare.py writes them."""
    hidden.mkdir(parents=True, exist_ok=True)
    (hidden / "text.txt").write_text(text, encoding="utf-8", newline="")
    (hidden / "vocab.json").write_text(json.dumps(VOCAB), encoding="utf-8")
    starts = lay_out_streams(len(text), streams=STREAMS, context=CONTEXT, steps=STEPS)
    splits = assign_splits(STREAMS, public_fraction=0.5, seed=1)
    write_hidden_labels(hidden / "labels.csv", ids=range(STREAMS), labels=starts, splits=splits)
    return starts, [split == "public" for split in splits]


def grading(**changes: object) -> InteractiveSpec:
    table = {"environment": "char_lm", "steps": STEPS, "context": CONTEXT, "query_seconds": 3}
    return InteractiveSpec.from_dict({**table, **changes})


Interact = Callable[..., Outcome]


UNIFORM = """
import json, math, sys
print(json.dumps({"ready": True}))
for line in sys.stdin:
    query = json.loads(line)
    row = [-math.log(65)] * 65
    print(json.dumps({"query": query["query"], "logprobs": [row] * len(query["contexts"])}))
"""
