"""Character-level language modelling, graded interactively in bits per character.

The hidden text is cut into independent streams: stream ``s`` has its targets at
``start_s .. start_s + steps - 1`` of the hidden text and every context it shows
lies within ``context`` characters before them. Streams are laid out so that no
stream's contexts or targets overlap another's: nothing in a batch (or anything
shown earlier) reveals a target not yet answered. Query ``t`` carries, for every
stream, the ``context`` characters before its ``t``-th target, as vocabulary
indices; the answer gives, per context, the natural-log probabilities of every
character of the vocabulary for the next one. Only once the answer is scored
does each stream move one character forward.

Hidden files (written by the challenge's prepare.py):
- ``text.txt``: the hidden text (UTF-8);
- ``vocab.json``: the vocabulary, a JSON list of one-character strings;
- ``labels.csv``: one row per stream, ``id,label,split``, the label being the
  offset of the stream's first target in the text.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from graders.bootstrap import mean_interval
from graders.hidden import read_hidden_labels
from graders.interactive.environment import Environment
from graders.interactive.protocol import ProtocolViolation
from graders.scores import Scores
from graders.splits import PUBLIC

# How far the probabilities of one answer row may sum from 1 (printed floats are rounded).
SUM_TOLERANCE = 1e-3
LARGEST_CONTEXT = 4096
LN2 = math.log(2.0)


def lay_out_streams(text_length: int, *, streams: int, context: int, steps: int) -> list[int]:
    """Start offsets of ``streams`` streams spread evenly over a text, none overlapping."""
    stride = text_length // streams
    if stride < context + steps:
        raise ValueError(f"{streams} streams of {context}+{steps} characters do not fit")
    return [s * stride + context for s in range(streams)]


class CharLM(Environment):
    name = "char_lm"
    metric = "bits_per_character"
    direction = "lower"

    @classmethod
    def check_options(cls, options: Mapping[str, object]) -> list[str]:
        problems = [
            f"unknown key {key!r}"
            for key in sorted(map(str, options))
            if key not in ("steps", "context")
        ]
        if not _whole(options.get("steps"), 1, 1_000_000):
            problems.append("steps (positions evaluated per stream) must be a whole number >= 1")
        if not _whole(options.get("context", 256), 1, LARGEST_CONTEXT):
            problems.append(f"context must be a whole number from 1 to {LARGEST_CONTEXT}")
        return problems

    def __init__(self, *, hidden_dir: Path, options: Mapping[str, object]) -> None:
        self.steps = int(options["steps"])  # type: ignore[call-overload]
        self.context = int(options.get("context", 256))  # type: ignore[call-overload]
        self.vocab = _read_vocab(hidden_dir / "vocab.json")
        self.tokens = _encode((hidden_dir / "text.txt").read_text(encoding="utf-8"), self.vocab)
        _, starts, splits = read_hidden_labels(hidden_dir / "labels.csv")
        self.starts = starts.astype(np.int64)
        self.public = splits == PUBLIC
        _check_layout(self.starts, self.public, len(self.tokens), self.context, self.steps)
        self.bits = np.full((len(self.starts), self.steps), np.nan)
        self.step = 0

    @property
    def total_queries(self) -> int:
        return int(self.steps)

    def next_query(self) -> dict[str, Any] | None:
        if self.step >= self.steps:
            return None
        ends = self.starts + self.step
        return {"contexts": [self.tokens[end - self.context : end].tolist() for end in ends]}

    def take_answer(self, answer: Mapping[str, Any]) -> None:
        if self.step >= self.steps:
            raise RuntimeError("every query has been answered already")
        where = f"the answer to query {self.step}"
        if set(answer) != {"logprobs"}:
            keys = ", ".join(sorted(answer)) or "nothing"
            raise ProtocolViolation(f'{where} must hold "logprobs" (and "query"), not {keys}')
        logprobs = _rows(answer["logprobs"], len(self.starts), len(self.vocab), where)
        targets = self.tokens[self.starts + self.step]
        self.bits[:, self.step] = -logprobs[np.arange(len(targets)), targets] / LN2
        self.step += 1

    def scores(self) -> Scores:
        if self.step < self.steps:
            raise RuntimeError("scores asked before every query was answered")
        # A stream's characters follow one another: the items resampled for the
        # interval are the streams (each its mean bits), not single characters.
        per_stream = self.bits.mean(axis=1)
        return Scores(
            public=float(self.bits[self.public].mean()),
            private=float(self.bits[~self.public].mean()),
            n_public=int(self.public.sum()) * self.steps,
            n_private=int((~self.public).sum()) * self.steps,
            public_interval=mean_interval(per_stream[self.public]),
            private_interval=mean_interval(per_stream[~self.public]),
        )


def _rows(value: object, n_rows: int, width: int, where: str) -> np.ndarray:
    """The answer's log-probabilities as an (n_rows, width) array, or a plain reason."""
    if type(value) is not list or len(value) != n_rows:
        got = f"{len(value)} rows" if isinstance(value, list) else type(value).__name__
        raise ProtocolViolation(f"{where} must give one row per context ({n_rows}), got {got}")
    for i, row in enumerate(value):
        if type(row) is not list or len(row) != width:
            got = f"{len(row)} values" if isinstance(row, list) else type(row).__name__
            raise ProtocolViolation(f"{where}: row {i} must hold {width} numbers, got {got}")
    if any(type(x) is not float and type(x) is not int for row in value for x in row):
        raise ProtocolViolation(f"{where} holds a value that is not a number")
    try:
        logprobs = np.array(value, dtype=np.float64)
    except OverflowError:
        logprobs = np.full((n_rows, width), np.inf)
    if not np.isfinite(logprobs).all():
        raise ProtocolViolation(f"{where} holds a log-probability that is not a finite number")
    with np.errstate(over="ignore"):
        sums = np.exp(logprobs).sum(axis=1)
    off = np.abs(sums - 1.0) > SUM_TOLERANCE
    if off.any():
        i = int(np.argmax(off))
        raise ProtocolViolation(
            f"{where}: the probabilities of row {i} sum to {sums[i]:.6g}, not 1 "
            f"(give natural-log probabilities, e.g. log_softmax of the logits)"
        )
    return logprobs


def _whole(value: object, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _read_vocab(path: Path) -> list[str]:
    vocab = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(vocab, list) or not all(isinstance(c, str) and len(c) == 1 for c in vocab):
        raise ValueError(f"{path}: expected a JSON list of one-character strings")
    if len(set(vocab)) != len(vocab):
        raise ValueError(f"{path}: a character appears twice")
    return vocab


def _encode(text: str, vocab: Sequence[str]) -> np.ndarray:
    index = {c: i for i, c in enumerate(vocab)}
    unknown = set(text) - set(index)
    if unknown:
        raise ValueError(f"the hidden text holds characters outside the vocabulary: {unknown!r}")
    return np.array([index[c] for c in text], dtype=np.int64)


def _check_layout(
    starts: np.ndarray, public: np.ndarray, length: int, context: int, steps: int
) -> None:
    """Every stream fits in the text and none sees another's targets (an instructor's bug)."""
    if not public.any() or public.all():
        raise ValueError("the streams need both a public and a private part")
    spans = sorted((int(a) - context, int(a) + steps) for a in starts)
    if spans[0][0] < 0 or spans[-1][1] > length:
        raise ValueError("a stream's context or targets fall outside the hidden text")
    if any(later[0] < earlier[1] for earlier, later in itertools.pairwise(spans)):
        raise ValueError("streams overlap: one stream's contexts would reveal another's targets")
