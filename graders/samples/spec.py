"""The ``samples`` kind of grading: a generator's images, scored by a
memorization-aware Fréchet distance (lower is better).

    [grading]
    kind = "samples"
    output = "samples.npy"     # uint8 images, written with np.save
    shape = [10000, 28, 28]    # exactly this many images of exactly this size

    score = FID(samples, test split) * penalty(samples)

FID is the Fréchet distance between Gaussians fitted to the grader's classifier
features (``features.py``, ``fid.py``: integers, computed exactly) of all the
samples and of the test images of one split; the public score uses the public half, the private score the
other. The penalty (``memorization.py``) is one number for both. Each score carries
its 95% bootstrap interval over the samples and that split's test images
(``resampling.py``). ``metric`` and ``direction`` may be given (the site stores
them back) but must be these.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import ClassVar

import numpy as np

from graders.errors import GradingSpecError
from graders.graded import FileGraded
from graders.metrics import Direction
from graders.samples import hidden, memorization, resampling
from graders.samples.features import features
from graders.samples.fid import fit_counts, frechet_distance
from graders.samples.npy import read_uint8_images
from graders.scores import Interval, Scores

METRIC = "ma_fid"
DIRECTION: Direction = "lower"
KEYS = frozenset({"output", "shape", "metric", "direction"})
IMAGE_SIZE = (28, 28)  # the size the grader's classifier reads
MAX_IMAGES = 100_000  # at most 78 MB of pixels read into memory


@dataclass(frozen=True)
class Breakdown:
    """A score and its parts, for a notebook or a test: ``score = fid * penalty``."""

    fid_public: float
    fid_private: float
    memorization: memorization.Memorization
    features: np.ndarray = field(repr=False, compare=False)  # the samples': uint16 [N, 64]
    near: np.ndarray = field(repr=False, compare=False)  # bool [N]: which are near-copies

    @property
    def scores(self) -> tuple[float, float]:
        factor = self.memorization.penalty
        return self.fid_public * factor, self.fid_private * factor


@dataclass(frozen=True)
class SamplesSpec(FileGraded):
    output: str
    shape: tuple[int, int, int]
    metric: str = METRIC
    direction: Direction = DIRECTION
    kind: ClassVar[str] = "samples"

    @classmethod
    def from_dict(cls, table: Mapping[str, object]) -> SamplesSpec:
        """Validate every key; raise ``GradingSpecError`` listing all problems at once."""
        problems = [f"unknown key {key!r}" for key in sorted(map(str, table)) if key not in KEYS]
        output, shape = _output(table, problems), _shape(table, problems)
        for key, expected in (("metric", METRIC), ("direction", DIRECTION)):
            if key in table and table[key] != expected:
                problems.append(f"{key} of kind 'samples' is {expected!r}, not {table[key]!r}")
        if problems:
            raise GradingSpecError(problems)
        return cls(output=output, shape=shape)

    def grade(self, *, output_dir: Path, hidden_dir: Path) -> Scores:
        data = hidden.load(hidden_dir)
        parts = self.breakdown(output_dir=output_dir, data=data)
        public, private = parts.scores
        n_public = int(data.public.sum())
        public_interval, private_interval = intervals(parts, data)
        return Scores(
            public=public,
            private=private,
            n_public=n_public,
            n_private=len(data.public) - n_public,
            public_interval=public_interval,
            private_interval=private_interval,
        )

    def breakdown(self, *, output_dir: Path, data: hidden.HiddenData) -> Breakdown:
        images = read_uint8_images(output_dir / self.output, shape=self.shape)
        unit = data.network.unit
        sample_features = features(images, data.network)
        samples = fit_counts(sample_features, unit)
        fids = [
            frechet_distance(samples, fit_counts(data.test_features[mask], unit))
            for mask in (data.public, ~data.public)
        ]
        near = memorization.near_copies(images, book=data.book, taus=data.taus)
        copied = memorization.from_share(float(near.mean()), taus=data.taus)
        return Breakdown(fids[0], fids[1], copied, features=sample_features, near=near)


def intervals(parts: Breakdown, data: hidden.HiddenData) -> list[Interval]:
    """The public and the private score's 95% intervals (``resampling.py``)."""

    def penalty(weights: np.ndarray) -> float:
        share = float(weights @ parts.near) / float(weights.sum())
        return memorization.from_share(share, taus=data.taus).penalty

    references = [data.test_features[mask] for mask in (data.public, ~data.public)]
    return resampling.score_intervals(
        parts.features,
        references,
        scores=parts.scores,
        unit=data.network.unit,
        penalty=penalty,
    )


def _output(table: Mapping[str, object], problems: list[str]) -> str:
    output = table.get("output")
    if (
        not isinstance(output, str)
        or PurePath(output).name != output
        or not output.endswith(".npy")
    ):
        problems.append(f"output must be a .npy file name such as 'samples.npy', got {output!r}")
        return ""
    return output


def _shape(table: Mapping[str, object], problems: list[str]) -> tuple[int, int, int]:
    shape = table.get("shape")
    if (
        isinstance(shape, list)
        and len(shape) == 3
        and all(isinstance(n, int) and not isinstance(n, bool) for n in shape)
        and tuple(shape[1:]) == IMAGE_SIZE
        and 2 <= shape[0] <= MAX_IMAGES
    ):
        n, h, w = (int(value) for value in shape)
        return (n, h, w)
    problems.append(
        f"shape must be [N, {IMAGE_SIZE[0]}, {IMAGE_SIZE[1]}] with 2 <= N <= {MAX_IMAGES}, "
        f"got {shape!r}"
    )
    return (0, *IMAGE_SIZE)
