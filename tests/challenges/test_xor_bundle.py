"""The 1986 XOR bundle: deterministic data, the right formats, hidden labels kept
hidden, a reference that learns XOR and a starter that writes a valid file."""

from __future__ import annotations

import csv
import importlib.util
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
BUNDLE = REPO / "challenges" / "1986-xor-backprop"


def _load(relative: str) -> ModuleType:
    name = "xor_bundle_" + relative.replace("/", "_").removesuffix(".py")
    spec = importlib.util.spec_from_file_location(name, BUNDLE / relative)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _prepare_into(root: Path) -> Path:
    _load("prepare.py").prepare(
        public_dir=root / "public", hidden_dir=root / "hidden", datasets_dir=root / "datasets"
    )
    return root


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def _accuracy(predictions: Path, hidden_labels: Path) -> float:
    header, predicted = _rows(predictions)
    assert header == ["id", "label"]
    by_id = {int(row["id"]): int(row["label"]) for row in predicted}
    _, truth = _rows(hidden_labels)
    assert len(by_id) == len(predicted) == len(truth)
    return float(np.mean([by_id[int(row["id"])] == int(row["label"]) for row in truth]))


def _run(script: Path, data: Path, output: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(script), str(data), str(output)],
        cwd=script.parent, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _prepare_into(tmp_path_factory.mktemp("xor-data"))


def test_prepare_is_byte_for_byte_deterministic(tmp_path: Path):
    first = _files(_prepare_into(tmp_path / "first"))
    second = _files(_prepare_into(tmp_path / "second"))
    assert set(first) == {"public/train.csv", "public/test.csv", "hidden/labels.csv"}
    assert first == second


def test_public_files_have_the_documented_headers_and_sizes(prepared: Path):
    train_header, train = _rows(prepared / "public" / "train.csv")
    test_header, test = _rows(prepared / "public" / "test.csv")
    assert train_header == ["x1", "x2", "label"]
    assert test_header == ["id", "x1", "x2"]
    assert len(train) == 800
    assert [int(row["id"]) for row in test] == list(range(1000))
    assert {row["label"] for row in train} == {"0", "1"}
    six_decimals = re.compile(r"-?\d+\.\d{6}")
    assert all(six_decimals.fullmatch(row[c]) for row in train + test for c in ("x1", "x2"))


def test_labels_are_xor_of_the_signs_up_to_the_noise(prepared: Path):
    _, train = _rows(prepared / "public" / "train.csv")
    x = np.array([[float(row["x1"]), float(row["x2"])] for row in train])
    y = np.array([int(row["label"]) for row in train])
    assert y.mean() == 0.5
    agreement = np.mean((x[:, 0] * x[:, 1] < 0) == (y == 1))
    assert 0.93 < agreement < 0.98  # the Bayes accuracy is 0.9555


def test_hidden_labels_have_ids_labels_and_a_half_public_split(prepared: Path):
    header, hidden = _rows(prepared / "hidden" / "labels.csv")
    assert header == ["id", "label", "split"]
    assert [int(row["id"]) for row in hidden] == list(range(1000))
    assert {row["label"] for row in hidden} == {"0", "1"}
    assert sum(row["split"] == "public" for row in hidden) == 500
    assert {row["split"] for row in hidden} == {"public", "private"}


def test_hidden_labels_never_reach_the_public_folder(prepared: Path):
    assert sorted(p.name for p in (prepared / "public").iterdir()) == ["test.csv", "train.csv"]
    header, _ = _rows(prepared / "public" / "test.csv")
    assert "label" not in header and "split" not in header


def test_bayes_accuracy_is_the_documented_value():
    assert _load("prepare.py").bayes_accuracy() == pytest.approx(0.95553, abs=1e-5)
    assert "0.9555" in (BUNDLE / "README.md").read_text(encoding="utf-8")


def test_reference_learns_xor_close_to_the_bayes_accuracy(prepared: Path, tmp_path: Path):
    result = _run(BUNDLE / "reference" / "main.py", prepared / "public", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    accuracy = _accuracy(tmp_path / "out" / "predictions.csv", prepared / "hidden" / "labels.csv")
    assert accuracy >= 0.9


def test_starter_writes_one_row_per_test_id(prepared: Path, tmp_path: Path):
    result = _run(BUNDLE / "starter" / "main.py", prepared / "public", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    header, rows = _rows(tmp_path / "out" / "predictions.csv")
    assert header == ["id", "label"]
    assert [int(row["id"]) for row in rows] == list(range(1000))
    assert {row["label"] for row in rows} <= {"0", "1"}


def test_challenge_toml_has_the_required_keys_and_measured_baselines():
    config = tomllib.loads((BUNDLE / "challenge.toml").read_text(encoding="utf-8"))
    assert config["slug"] == BUNDLE.name
    assert (config["year"], config["runtime"], config["gpu"]) == (1986, "numpy", "none")
    assert config["entrypoint"] == "main.py" and (BUNDLE / "reference" / "main.py").is_file()
    assert config["title"] and config["idea"]
    assert set(config["limits"]) <= {
        "wall_seconds", "cpu_seconds", "memory_mb", "processes", "output_mb", "tmp_mb",
    }  # fmt: skip
    grading = config["grading"]
    assert grading == {
        "output": "predictions.csv", "reader": "csv_labels", "value_column": "label",
        "labels": [0, 1], "metric": "accuracy", "public_fraction": 0.5,
    }  # fmt: skip
    assert grading["public_fraction"] == _load("prepare.py").PUBLIC_FRACTION
    linear, backprop = config["baselines"]
    assert all(b["name"] and b["citation"] for b in (linear, backprop))
    assert 0.4 < linear["score"] < 0.6 < 0.85 < backprop["score"] < 0.956


def test_baseline_scores_in_the_toml_are_the_measured_ones():
    config = tomllib.loads((BUNDLE / "challenge.toml").read_text(encoding="utf-8"))
    measured = _load("reference/baselines.py").measure()
    assert [b["score"] for b in config["baselines"]] == [measured["linear"], measured["2-2-1"]]
