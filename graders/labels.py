"""The ``labels`` kind of grading (the default).

A ``labels`` challenge's program writes one value per test id to a file; the
grader reads it as hostile input, then scores it against the hidden labels
separately on the public and the private ids.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np

from graders.bootstrap import mean_interval
from graders.graded import FileGraded
from graders.hidden import read_hidden_labels
from graders.metrics import METRICS, Direction, Metric
from graders.readers import read_label_csv, read_value_csv
from graders.registry import Registry
from graders.scores import Scores
from graders.spec_checks import SpecFields, check_spec
from graders.splits import PUBLIC

MiB = 1 << 20
HIDDEN_LABELS = "labels.csv"


@dataclass(frozen=True)
class GradingSpec(FileGraded):
    """A validated ``[grading]`` table of the ``labels`` kind; build it with ``from_dict``."""

    output: str
    reader: str
    metric: str
    direction: Direction
    public_fraction: float
    value_column: str = "label"
    labels: tuple[int, ...] | None = None
    max_output_mb: float = 16
    kind: ClassVar[str] = "labels"

    @classmethod
    def from_dict(cls, table: Mapping[str, object]) -> GradingSpec:
        """Validate every key; raise ``GradingSpecError`` listing all problems at once."""
        fields: SpecFields = check_spec(table, readers=READERS)
        return cls(**fields)

    @property
    def max_output_bytes(self) -> int:
        return int(self.max_output_mb * MiB)

    @property
    def score_range(self) -> tuple[float, float]:
        metric = METRICS[self.metric]
        return (metric.low, metric.high)

    def grade(self, *, output_dir: Path, hidden_dir: Path) -> Scores:
        return grade_labels(spec=self, output_dir=output_dir, hidden_dir=hidden_dir)


def grade_labels(*, spec: GradingSpec, output_dir: Path, hidden_dir: Path) -> Scores:
    """Score ``output_dir/spec.output`` against ``hidden_dir/labels.csv``."""
    ids, truth, splits = read_hidden_labels(hidden_dir / HIDDEN_LABELS)
    _check_truth(spec, truth)
    id_list = ids.tolist()
    predicted = READERS[spec.reader](output_dir / spec.output, spec, id_list)
    y_pred = np.array([predicted[item_id] for item_id in id_list], dtype=np.float64)
    metric = METRICS[spec.metric]
    public = splits == PUBLIC
    public_items = _per_item(metric, truth, y_pred, public, "public")
    private_items = _per_item(metric, truth, y_pred, ~public, "private")
    return Scores(
        public=float(np.mean(public_items)),
        private=float(np.mean(private_items)),
        n_public=int(public.sum()),
        n_private=int((~public).sum()),
        public_interval=_interval(public_items),
        private_interval=_interval(private_items),
    )


def _per_item(
    metric: Metric, truth: np.ndarray, y_pred: np.ndarray, mask: np.ndarray, split: str
) -> np.ndarray:
    if not mask.any():
        raise ValueError(f"hidden labels have no {split} ids")
    return metric.per_item(truth[mask], y_pred[mask])


def _interval(items: np.ndarray) -> tuple[float, float] | None:
    # An infinite item makes the score invalid output anyway (graders.scores).
    return mean_interval(items) if np.isfinite(items).all() else None


def _check_truth(spec: GradingSpec, truth: np.ndarray) -> None:
    # A hidden label outside [grading].labels would make every submission look wrong.
    if spec.labels is not None and not np.isin(truth, spec.labels).all():
        raise ValueError("hidden labels hold values outside [grading].labels")


Reader = Callable[[Path, GradingSpec, Sequence[int]], Mapping[int, float]]


def _csv_labels(path: Path, spec: GradingSpec, ids: Sequence[int]) -> Mapping[int, float]:
    return read_label_csv(
        path,
        expected_ids=ids,
        value_column=spec.value_column,
        labels=spec.labels,
        max_bytes=spec.max_output_bytes,
    )


def _csv_values(path: Path, spec: GradingSpec, ids: Sequence[int]) -> Mapping[int, float]:
    return read_value_csv(
        path, expected_ids=ids, value_column=spec.value_column, max_bytes=spec.max_output_bytes
    )


# Reader name in challenge.toml -> how to read the output. Adding one is adding an entry.
READERS: Registry[Reader] = Registry(
    "reader", [("csv_labels", _csv_labels), ("csv_values", _csv_values)]
)
