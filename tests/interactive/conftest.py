"""Fixtures for the interactive tests: a small character-LM evaluation (hidden text,
vocabulary, streams) in folders the sandbox uid can reach, and a runner that
evaluates a program through the real bubblewrap sandbox (on the numpy runtime of
tests/conftest.py)."""

from __future__ import annotations

import json
import shutil
import string
import textwrap
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from graders.interactive import InteractiveSpec
from graders.interactive.char_lm import lay_out_streams
from graders.splits import assign_splits, write_hidden_labels
from worker.interactive import Outcome, run_interactive
from worker.sandbox import Limits, SandboxSpec
from worker.sandbox.base import Tick

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


@pytest.fixture
def evaluation(shared_dir: Path) -> Iterator[Evaluation]:
    root = shared_dir / f"interactive-{uuid.uuid4().hex[:8]}"
    code, data, output, hidden = (root / name for name in ("code", "data", "output", "hidden"))
    for path in (code, data, output):
        path.mkdir(parents=True)
    text = hidden_text()
    starts, public = write_evaluation(hidden, text)
    (data / "vocab.json").write_text(json.dumps(VOCAB), encoding="utf-8")
    (data / "train.txt").write_text(hidden_text(seed=7), encoding="utf-8")
    for path in (root, code, data, output, *data.iterdir()):
        path.chmod(0o755 if path.is_dir() else 0o644)
    hidden.chmod(0o700)
    yield Evaluation(root, code, data, output, hidden, text, starts, public)
    shutil.rmtree(root, ignore_errors=True)


Interact = Callable[..., Outcome]


@pytest.fixture
def interact(runtimes_dir: Path, evaluation: Evaluation) -> Interact:
    """Evaluate ``source`` (the program's main.py) through the bubblewrap sandbox."""
    from worker.sandbox.bubblewrap import BubblewrapBackend

    def run(source: str, *, tick: Tick | None = None, grading_changes: dict | None = None,
            **limits: float) -> Outcome:  # fmt: skip
        main = evaluation.code / "main.py"
        main.write_text(textwrap.dedent(source))
        main.chmod(0o644)
        spec = SandboxSpec(
            code_dir=evaluation.code,
            data_dir=evaluation.data,
            output_dir=evaluation.output,
            runtime="numpy",
            limits=Limits(**{**FAST, **limits}),
        )  # type: ignore[arg-type]
        backend = BubblewrapBackend(runtimes_dir=runtimes_dir)
        return run_interactive(
            backend=backend,
            spec=spec,
            grading=grading(**(grading_changes or {})),
            hidden_dir=evaluation.hidden,
            tick=tick,
        )

    return run
