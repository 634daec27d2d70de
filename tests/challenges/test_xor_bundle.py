"""The 1986 XOR bundle: deterministic data, the right formats, hidden labels kept
hidden, a reference that learns XOR and a starter that writes a valid file."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from tests.support.bundles import (
    config_of,
    csv_rows,
    files_of,
    load_module,
    page_of,
    prepare_into,
    run_script,
)
from tests.support.pipeline import CHALLENGES

BUNDLE = CHALLENGES / "1986-xor-backprop"


def _accuracy(predictions: Path, hidden_labels: Path) -> float:
    header, predicted = csv_rows(predictions)
    assert header == ["id", "label"]
    by_id = {int(row["id"]): int(row["label"]) for row in predicted}
    _, truth = csv_rows(hidden_labels)
    assert len(by_id) == len(predicted) == len(truth)
    return float(np.mean([by_id[int(row["id"])] == int(row["label"]) for row in truth]))


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return prepare_into(BUNDLE, tmp_path_factory.mktemp("xor-data"))


def test_prepare_is_byte_for_byte_deterministic(tmp_path: Path):
    first = files_of(prepare_into(BUNDLE, tmp_path / "first"))
    second = files_of(prepare_into(BUNDLE, tmp_path / "second"))
    assert set(first) == {"public/train.csv", "public/test.csv", "hidden/labels.csv"}
    assert first == second


def test_public_files_have_the_documented_headers_and_sizes(prepared: Path):
    train_header, train = csv_rows(prepared / "public" / "train.csv")
    test_header, test = csv_rows(prepared / "public" / "test.csv")
    assert train_header == ["x1", "x2", "label"]
    assert test_header == ["id", "x1", "x2"]
    assert len(train) == 800
    assert [int(row["id"]) for row in test] == list(range(1000))
    assert {row["label"] for row in train} == {"0", "1"}
    six_decimals = re.compile(r"-?\d+\.\d{6}")
    assert all(six_decimals.fullmatch(row[c]) for row in train + test for c in ("x1", "x2"))


def test_labels_are_xor_of_the_signs_up_to_the_noise(prepared: Path):
    _, train = csv_rows(prepared / "public" / "train.csv")
    x = np.array([[float(row["x1"]), float(row["x2"])] for row in train])
    y = np.array([int(row["label"]) for row in train])
    assert y.mean() == 0.5
    agreement = np.mean((x[:, 0] * x[:, 1] < 0) == (y == 1))
    assert 0.93 < agreement < 0.98  # the Bayes accuracy is 0.9555


def test_hidden_labels_have_ids_labels_and_a_half_public_split(prepared: Path):
    header, hidden = csv_rows(prepared / "hidden" / "labels.csv")
    assert header == ["id", "label", "split"]
    assert [int(row["id"]) for row in hidden] == list(range(1000))
    assert {row["label"] for row in hidden} == {"0", "1"}
    assert sum(row["split"] == "public" for row in hidden) == 500
    assert {row["split"] for row in hidden} == {"public", "private"}


def test_hidden_labels_never_reach_the_public_folder(prepared: Path):
    assert sorted(p.name for p in (prepared / "public").iterdir()) == ["test.csv", "train.csv"]
    header, _ = csv_rows(prepared / "public" / "test.csv")
    assert "label" not in header and "split" not in header


def test_bayes_accuracy_is_the_documented_value():
    assert load_module(BUNDLE, "prepare.py").bayes_accuracy() == pytest.approx(0.95553, abs=1e-5)
    assert "0.9555" in page_of(BUNDLE)


def test_reference_learns_xor_close_to_the_bayes_accuracy(prepared: Path, tmp_path: Path):
    result = run_script(BUNDLE / "reference" / "main.py", prepared / "public", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    accuracy = _accuracy(tmp_path / "out" / "predictions.csv", prepared / "hidden" / "labels.csv")
    assert accuracy >= 0.9


def test_starter_writes_one_row_per_test_id(prepared: Path, tmp_path: Path):
    result = run_script(BUNDLE / "starter" / "main.py", prepared / "public", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    header, rows = csv_rows(tmp_path / "out" / "predictions.csv")
    assert header == ["id", "label"]
    assert [int(row["id"]) for row in rows] == list(range(1000))
    assert {row["label"] for row in rows} <= {"0", "1"}


def test_challenge_toml_has_the_required_keys_and_measured_baselines():
    config = config_of(BUNDLE)
    assert config["slug"] == BUNDLE.name
    assert (config["year"], config["runtime"], config["gpu"]) == (1986, "numpy", "none")
    assert config["entrypoint"] == "main.py" and (BUNDLE / "reference" / "main.py").is_file()
    assert config["title"] and config["idea"]
    assert set(config["limits"]) <= {
        "wall_seconds",
        "cpu_seconds",
        "memory_mb",
        "processes",
        "output_mb",
        "tmp_mb",
    }
    grading = config["grading"]
    assert grading == {
        "output": "predictions.csv",
        "reader": "csv_labels",
        "value_column": "label",
        "labels": [0, 1],
        "metric": "accuracy",
        "public_fraction": 0.5,
    }
    assert grading["public_fraction"] == load_module(BUNDLE, "prepare.py").PUBLIC_FRACTION
    linear, backprop, bayes = config["baselines"]
    assert all(b["name"] and b["citation"] for b in (linear, backprop, bayes))
    assert [b.get("bound", False) for b in (linear, backprop, bayes)] == [False, False, True]
    for split in ("score", "private_score"):
        assert 0.4 < linear[split] < 0.6 < 0.85 < backprop[split] < bayes[split] < 0.97


def test_baseline_scores_in_the_toml_are_the_measured_ones_on_each_half():
    config = config_of(BUNDLE)
    measured = load_module(BUNDLE, "reference/baselines.py").measure()
    listed = [(b["score"], b["private_score"]) for b in config["baselines"]]
    assert listed == [measured["linear"], measured["2-2-1"], measured["bayes-rule"]]
