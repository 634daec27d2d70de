from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from graders import GradingSpec, Scores, grade
from graders.errors import GradingSpecError, InvalidOutput
from graders.splits import PRIVATE, PUBLIC, write_hidden_labels

LABELS_TABLE: dict[str, Any] = {
    "output": "predictions.csv",
    "reader": "csv_labels",
    "labels": [0, 1],
    "metric": "accuracy",
    "public_fraction": 0.5,
}
VALUES_TABLE: dict[str, Any] = {
    "output": "answers.csv",
    "reader": "csv_values",
    "value_column": "y",
    "metric": "mse",
    "public_fraction": 0.5,
}
# Ids 1-4 public, 5-8 private.
TRUTH = [1, 1, 0, 0, 1, 1, 0, 0]
SPLITS = [PUBLIC] * 4 + [PRIVATE] * 4


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    """(output_dir, hidden_dir) with the hidden labels above written."""
    output_dir, hidden_dir = tmp_path / "output", tmp_path / "hidden"
    output_dir.mkdir()
    write_hidden_labels(hidden_dir / "labels.csv", ids=range(1, 9), labels=TRUTH, splits=SPLITS)
    return output_dir, hidden_dir


def write_predictions(
    output_dir: Path, predictions: list[int], name: str = "predictions.csv"
) -> None:
    rows = "".join(f"{i},{p}\n" for i, p in enumerate(predictions, start=1))
    (output_dir / name).write_text("id,label\n" + rows)


def grade_labels(dirs: tuple[Path, Path], **changes: Any) -> Scores:
    spec = GradingSpec.from_dict({**LABELS_TABLE, **changes})
    return grade(spec=spec, output_dir=dirs[0], hidden_dir=dirs[1])


# --- grade ----------------------------------------------------------------------------


def test_three_of_four_public_correct_scores_exactly_0_75(dirs: tuple[Path, Path]) -> None:
    write_predictions(dirs[0], [1, 1, 0, 1, 1, 1, 0, 0])  # one public mistake
    scores = grade_labels(dirs)
    assert (scores.public, scores.private, scores.n_public, scores.n_private) == (0.75, 1.0, 4, 4)
    assert scores.private_interval == (1.0, 1.0)  # every resample of four right answers
    assert scores.public_interval is not None
    assert scores.public_interval[0] < 0.75 <= scores.public_interval[1] == 1.0


def test_public_and_private_scores_are_computed_separately(dirs: tuple[Path, Path]) -> None:
    write_predictions(dirs[0], [1, 1, 0, 0, 0, 0, 1, 0])  # three private mistakes
    scores = grade_labels(dirs)
    assert (scores.public, scores.private) == (1.0, 0.25)


def test_a_regression_output_is_scored_by_mse(dirs: tuple[Path, Path]) -> None:
    rows = "".join(f"{i},{t + (0.5 if i == 8 else 0)}\n" for i, t in enumerate(TRUTH, start=1))
    (dirs[0] / "answers.csv").write_text("id,y\n" + rows)
    spec = GradingSpec.from_dict(VALUES_TABLE)
    scores = grade(spec=spec, output_dir=dirs[0], hidden_dir=dirs[1])
    assert (scores.public, scores.private) == (0.0, 0.0625)


def test_a_missing_output_is_the_students_fault(dirs: tuple[Path, Path]) -> None:
    with pytest.raises(InvalidOutput, match=r"^did not write /output/predictions\.csv$"):
        grade_labels(dirs)


def test_a_symlink_to_the_hidden_labels_is_refused(dirs: tuple[Path, Path]) -> None:
    (dirs[0] / "labels.csv").symlink_to(dirs[1] / "labels.csv")
    with pytest.raises(InvalidOutput, match="symbolic link"):
        grade_labels(dirs, output="labels.csv", value_column="label")


def test_an_output_over_max_output_mb_fails(dirs: tuple[Path, Path]) -> None:
    write_predictions(dirs[0], [1] * 8)
    with pytest.raises(InvalidOutput, match="larger than the limit of 10 bytes"):
        grade_labels(dirs, max_output_mb=10 / 2**20)


def test_hidden_labels_outside_the_label_set_are_a_platform_error(
    dirs: tuple[Path, Path],
) -> None:
    write_predictions(dirs[0], [1] * 8)
    with pytest.raises(ValueError, match="outside") as caught:
        grade_labels(dirs, labels=[1, 2])
    assert not isinstance(caught.value, InvalidOutput)


def test_malformed_hidden_labels_are_a_platform_error(dirs: tuple[Path, Path]) -> None:
    (dirs[1] / "labels.csv").write_text("id,label,split\n1,0,secret\n")
    write_predictions(dirs[0], [0])
    with pytest.raises(ValueError, match="line 2") as caught:
        grade_labels(dirs)
    assert not isinstance(caught.value, InvalidOutput)


# --- GradingSpec ----------------------------------------------------------------------


def test_a_minimal_table_gets_defaults_and_the_metrics_direction() -> None:
    spec = GradingSpec.from_dict(LABELS_TABLE)
    assert spec.value_column == "label"
    assert spec.labels == (0, 1)
    assert spec.direction == "higher"
    assert spec.max_output_mb == 16
    assert spec.max_output_bytes == 16 * 2**20
    assert GradingSpec.from_dict(VALUES_TABLE).direction == "lower"


def test_a_spec_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        GradingSpec.from_dict(LABELS_TABLE).metric = "mse"  # type: ignore[misc]


def test_an_agreeing_direction_is_accepted() -> None:
    assert GradingSpec.from_dict({**VALUES_TABLE, "direction": "lower"}).direction == "lower"


def test_all_problems_of_a_table_are_listed_together() -> None:
    table = {
        "output": "../etc/passwd",
        "reader": "json",
        "metric": "f1",
        "direction": "sideways",
        "public_fraction": 1.0,
        "max_output_mb": 0,
        "value_column": "id",
        "colour": "blue",
    }
    with pytest.raises(GradingSpecError) as caught:
        GradingSpec.from_dict(table)
    problems = caught.value.problems
    assert len(problems) == 8, problems
    for word in ("colour", "output", "reader", "metric", "direction", "public_fraction"):
        assert any(word in problem for problem in problems), word
    assert isinstance(caught.value, ValueError)


def test_a_direction_contradicting_the_metric_is_a_problem() -> None:
    with pytest.raises(GradingSpecError) as caught:
        GradingSpec.from_dict({**LABELS_TABLE, "direction": "lower"})
    assert caught.value.problems == [
        "direction 'lower' contradicts metric 'accuracy' (higher is better)"
    ]


def test_csv_labels_requires_labels() -> None:
    table = {key: value for key, value in LABELS_TABLE.items() if key != "labels"}
    with pytest.raises(GradingSpecError, match=r"labels .* is required for reader csv_labels"):
        GradingSpec.from_dict(table)


@pytest.mark.parametrize("labels", [[], [0, True], [0.5, 1], "01"])
def test_labels_must_be_a_list_of_integers(labels: object) -> None:
    with pytest.raises(GradingSpecError, match="labels must be a non-empty list of integers"):
        GradingSpec.from_dict({**LABELS_TABLE, "labels": labels})


def test_repeated_labels_are_a_problem() -> None:
    with pytest.raises(GradingSpecError, match="repeat"):
        GradingSpec.from_dict({**LABELS_TABLE, "labels": [0, 1, 1]})


def test_labels_are_refused_for_a_values_reader() -> None:
    with pytest.raises(GradingSpecError, match="labels only applies to reader csv_labels"):
        GradingSpec.from_dict({**VALUES_TABLE, "labels": [0, 1]})


@pytest.mark.parametrize("output", ["", ".", "..", "a/b.csv", "/output/p.csv", "a\\b", 3])
def test_output_must_be_a_plain_file_name(output: object) -> None:
    with pytest.raises(GradingSpecError, match="output"):
        GradingSpec.from_dict({**LABELS_TABLE, "output": output})


@pytest.mark.parametrize("fraction", [0, 1, 0.0, 1.5, True, "0.5"])
def test_public_fraction_must_lie_strictly_between_zero_and_one(fraction: object) -> None:
    with pytest.raises(GradingSpecError, match="public_fraction"):
        GradingSpec.from_dict({**LABELS_TABLE, "public_fraction": fraction})


def test_a_table_that_is_not_a_mapping_is_a_problem() -> None:
    with pytest.raises(GradingSpecError, match="must be a table"):
        GradingSpec.from_dict(["output"])  # type: ignore[arg-type]


# --- the package ----------------------------------------------------------------------


def test_the_package_reexports_what_the_worker_uses() -> None:
    import graders

    assert graders.grade is grade
    assert graders.InvalidOutput is InvalidOutput
    assert {"GradingSpec", "GradingSpecError", "Scores"} <= set(graders.__all__)


def test_graders_import_nothing_of_ours_nor_a_framework() -> None:
    code = (
        "import sys, graders, graders.ranking, graders.splits;"
        "print(sorted({m.split('.')[0] for m in sys.modules}))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert loaded.returncode == 0, loaded.stderr
    for forbidden in ("django", "celery", "server", "worker", "challenges"):
        assert f"'{forbidden}'" not in loaded.stdout


def test_predictions_that_overflow_the_score_are_invalid_output(dirs: tuple[Path, Path]) -> None:
    output_dir, hidden_dir = dirs
    rows = "".join(f"{i},1e308\n" for i in range(1, 9))
    (output_dir / "answers.csv").write_text("id,y\n" + rows)
    spec = GradingSpec.from_dict(VALUES_TABLE)
    with pytest.raises(InvalidOutput, match="public score that is not a finite number"):
        grade(spec=spec, output_dir=output_dir, hidden_dir=hidden_dir)


def test_each_score_carries_a_95_percent_interval_over_its_split(dirs: tuple[Path, Path]) -> None:
    write_predictions(dirs[0], [1, 0, 1, 0, 1, 1, 0, 0])  # half right in public, all in private
    scores = grade_labels(dirs)
    assert scores.public_interval is not None and scores.private_interval == (1.0, 1.0)
    low, high = scores.public_interval
    assert 0.0 <= low < scores.public == 0.5 < high <= 1.0
