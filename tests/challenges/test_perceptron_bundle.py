"""The 1958 perceptron bundle: it loads, its data are deterministic, separable with
the promised margin and in the documented formats, the hidden labels stay hidden,
Rosenblatt's rule converges and scores its baseline, and the starter is valid."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from server.bundles.bundle import read_bundle
from tests.support.bundles import (
    config_of,
    csv_rows,
    files_of,
    load_module,
    page_of,
    prepare_into,
    run_script,
    scores_of,
)
from tests.support.pipeline import CHALLENGES

BUNDLE = CHALLENGES / "1958-perceptron"
FEATURES = [f"x{i}" for i in range(1, 21)]


def _points(rows: list[dict[str, str]]) -> np.ndarray:
    return np.array([[float(row[name]) for name in FEATURES] for row in rows])


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return prepare_into(BUNDLE, tmp_path_factory.mktemp("perceptron-data"))


def test_bundle_loads_without_problems():
    bundle = read_bundle(BUNDLE)
    assert (bundle.slug, bundle.year, bundle.runtime, bundle.gpu) == (
        "1958-perceptron",
        1958,
        "numpy",
        "none",
    )
    assert bundle.grading.metric == "accuracy" and bundle.grading.direction == "higher"
    assert [b["name"] for b in bundle.baselines] == [
        "Always the majority label",
        "Rosenblatt's learning rule, run until it converges",
        "Best possible: the plane the data were made with",
    ]


def test_prepare_is_byte_for_byte_deterministic(tmp_path: Path):
    first = files_of(prepare_into(BUNDLE, tmp_path / "first"))
    second = files_of(prepare_into(BUNDLE, tmp_path / "second"))
    assert set(first) == {"public/train.csv", "public/test.csv", "hidden/labels.csv"}
    assert first == second


def test_public_files_have_the_documented_headers_and_sizes(prepared: Path):
    train_header, train = csv_rows(prepared / "public" / "train.csv")
    test_header, test = csv_rows(prepared / "public" / "test.csv")
    assert train_header == [*FEATURES, "label"]
    assert test_header == ["id", *FEATURES]
    assert len(train) == 150
    assert [row["id"] for row in test] == [str(i) for i in range(2000)]
    assert {row["label"] for row in train} == {"0", "1"}
    six_decimals = re.compile(r"-?\d+\.\d{6}")
    assert all(six_decimals.fullmatch(row[c]) for row in train + test for c in FEATURES)
    raw = (prepared / "public" / "train.csv").read_bytes()
    assert b"\r" not in raw and raw.endswith(b"\n")


def test_every_point_lies_at_least_the_margin_from_the_secret_plane(prepared: Path):
    w, b = load_module(BUNDLE, "prepare.py").hidden_plane()
    assert np.linalg.norm(w) == pytest.approx(1.0)
    _, train = csv_rows(prepared / "public" / "train.csv")
    _, test = csv_rows(prepared / "public" / "test.csv")
    _, hidden = csv_rows(prepared / "hidden" / "labels.csv")
    for rows, labels in ((train, train), (test, hidden)):
        score = _points(rows) @ w + b
        assert np.abs(score).min() >= 0.2 - 1e-9  # the margin the page promises
        assert ((score > 0).astype(int) == [int(row["label"]) for row in labels]).all()


def test_hidden_labels_have_ids_labels_and_a_half_public_split(prepared: Path):
    header, hidden = csv_rows(prepared / "hidden" / "labels.csv")
    assert header == ["id", "label", "split"]
    assert [row["id"] for row in hidden] == [str(i) for i in range(2000)]
    assert {row["label"] for row in hidden} == {"0", "1"}
    assert sum(row["split"] == "public" for row in hidden) == 1000
    assert {row["split"] for row in hidden} == {"public", "private"}


def test_hidden_labels_never_reach_the_public_folder(prepared: Path):
    assert sorted(p.name for p in (prepared / "public").iterdir()) == ["test.csv", "train.csv"]
    header, _ = csv_rows(prepared / "public" / "test.csv")
    assert "label" not in header and "split" not in header


def test_reference_rule_converges_and_scores_like_rosenblatt(prepared: Path, tmp_path: Path):
    result = run_script(BUNDLE / "reference" / "main.py", prepared / "public", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "train accuracy 1.0000" in result.stdout  # the convergence theorem at work
    scores = scores_of(BUNDLE, tmp_path / "out", prepared)
    overall = (scores.public * scores.n_public + scores.private * scores.n_private) / 2000
    rosenblatt = read_bundle(BUNDLE).baselines[1]
    assert (round(scores.public, 4), round(scores.private, 4)) == (
        rosenblatt["score"],
        rosenblatt["private_score"],
    )
    assert round(overall, 4) == 0.9595


def test_starter_is_valid_and_scores_the_majority_baseline(prepared: Path, tmp_path: Path):
    result = run_script(BUNDLE / "starter" / "main.py", prepared / "public", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    header, rows = csv_rows(tmp_path / "out" / "predictions.csv")
    assert header == ["id", "label"] and len(rows) == 2000
    scores = scores_of(BUNDLE, tmp_path / "out", prepared)
    overall = (scores.public * scores.n_public + scores.private * scores.n_private) / 2000
    majority = read_bundle(BUNDLE).baselines[0]
    assert (round(scores.public, 4), round(scores.private, 4)) == (
        majority["score"],
        majority["private_score"],
    )
    assert round(overall, 4) == 0.6790


def test_challenge_toml_grading_matches_the_prepared_split():
    config = config_of(BUNDLE)
    assert config["grading"] == {
        "output": "predictions.csv",
        "reader": "csv_labels",
        "value_column": "label",
        "labels": [0, 1],
        "metric": "accuracy",
        "public_fraction": 0.5,
    }
    assert config["grading"]["public_fraction"] == load_module(BUNDLE, "prepare.py").PUBLIC_FRACTION
    assert all(b["citation"] for b in config["baselines"])


def test_baseline_scores_in_the_toml_and_the_page_are_the_measured_ones():
    config = config_of(BUNDLE)
    measured = load_module(BUNDLE, "reference/baselines.py").measure()
    scores = [(b["score"], b["private_score"]) for b in config["baselines"]]
    assert scores == [measured["majority"], measured["rosenblatt"], measured["plane"]]
    assert [b.get("bound", False) for b in config["baselines"]] == [False, False, True]
    page = page_of(BUNDLE)
    assert all(f"{score:.4f}" in page for pair in scores for score in pair)
    assert "/challenges/1986-xor-backprop/" in page
    assert "/challenges/1943-logical-neuron/" in page
