"""The 1943 logical-neuron bundle: it loads, its data are deterministic, every
function is the network its name says and splits its truth table into training
and test rows, the hidden outputs stay hidden and are fingerprinted, the reference
network and the starter (as downloaded, and with Hebb's rule filled in) score their
baselines, and the listed baselines are the measured ones."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from graders.contamination import build_fingerprints, scan
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

BUNDLE = CHALLENGES / "1943-logical-neuron"
FEATURES = [f"x{i}" for i in range(1, 9)]
N_TEST = 16 * 192
Slots = np.ndarray  # the rows of a truth table, its columns the network's slots a, b, c, ...

# What each network's name says, computed without threshold units.
MEANT: dict[str, Callable[[Slots], np.ndarray]] = {
    "a and b and c": lambda s: s[:, 0] & s[:, 1] & s[:, 2],
    "a or b or c": lambda s: s[:, 0] | s[:, 1] | s[:, 2],
    "at least 3 of a..e": lambda s: s[:, :5].sum(axis=1) >= 3,
    "at least 2 of a..d, vetoed by e": lambda s: (s[:, :4].sum(axis=1) >= 2) & (s[:, 4] == 0),
    "at least 3 of a..f": lambda s: s[:, :6].sum(axis=1) >= 3,
    "a and b and not c": lambda s: s[:, 0] & s[:, 1] & (1 - s[:, 2]),
    "a or (b and c)": lambda s: s[:, 0] | (s[:, 1] & s[:, 2]),
    "a + b + c + d - e - f >= 2": lambda s: s[:, :4].sum(axis=1) - s[:, 4] - s[:, 5] >= 2,
    "a xor b": lambda s: s[:, 0] ^ s[:, 1],
    "parity of a, b, c": lambda s: s[:, :3].sum(axis=1) % 2,
    "parity of a..d": lambda s: s[:, :4].sum(axis=1) % 2,
    "exactly 2 of a..d": lambda s: s[:, :4].sum(axis=1) == 2,
    "(a and b) or (c and d)": lambda s: (s[:, 0] & s[:, 1]) | (s[:, 2] & s[:, 3]),
    "a xor (b and c)": lambda s: s[:, 0] ^ (s[:, 1] & s[:, 2]),
    "(a or b) and (c or d)": lambda s: (s[:, 0] | s[:, 1]) & (s[:, 2] | s[:, 3]),
    "some but not all of a, b, c": lambda s: (s[:, :3].sum(axis=1) % 3) > 0,
}


def _table_rows(rows: list[dict[str, str]]) -> list[int]:
    """Each row's index in the truth table (x1 the most significant bit)."""
    return [int("".join(row[name] for name in FEATURES), 2) for row in rows]


def _score(bundle_output: Path, prepared: Path) -> tuple[float, float]:
    scores = scores_of(BUNDLE, bundle_output, prepared)
    return round(scores.public, 4), round(scores.private, 4)


def _listed(position: int) -> tuple[float, float]:
    baseline = read_bundle(BUNDLE).baselines[position]
    return baseline["score"], baseline["private_score"]


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return prepare_into(BUNDLE, tmp_path_factory.mktemp("neuron-data"))


def test_bundle_loads_without_problems():
    bundle = read_bundle(BUNDLE)
    assert (bundle.slug, bundle.year, bundle.runtime, bundle.gpu) == (
        "1943-logical-neuron",
        1943,
        "numpy",
        "none",
    )
    assert bundle.grading.metric == "accuracy" and bundle.grading.direction == "higher"
    assert [b["name"] for b in bundle.baselines] == [
        "Always each function's majority output",
        "Hebb's rule, one unit per function",
        "Rosenblatt's rule, one unit per function",
        "A network of threshold units: one unit where it fits, else an or of ands",
        "Best possible: the networks the data were made with",
    ]


def test_prepare_is_byte_for_byte_deterministic(tmp_path: Path):
    first = files_of(prepare_into(BUNDLE, tmp_path / "first"))
    second = files_of(prepare_into(BUNDLE, tmp_path / "second"))
    assert set(first) == {"public/train.csv", "public/test.csv", "hidden/labels.csv"}
    assert first == second


def test_every_network_computes_what_its_name_says():
    networks = load_module(BUNDLE, "prepare.py").NETWORKS
    table = np.array(list(itertools.product((0, 1), repeat=8)), dtype=np.int64)
    assert sorted(network.name for network in networks) == sorted(MEANT)
    for network in networks:
        assert (network.compute(table) == MEANT[network.name](table)).all(), network.name
    assert [bool(network.hidden) for network in networks] == [False] * 8 + [True] * 8


def test_public_files_have_the_documented_headers_and_sizes(prepared: Path):
    train_header, train = csv_rows(prepared / "public" / "train.csv")
    test_header, test = csv_rows(prepared / "public" / "test.csv")
    assert train_header == ["function", *FEATURES, "label"]
    assert test_header == ["id", "function", *FEATURES]
    assert len(train) == 16 * 64
    assert [row["id"] for row in test] == [str(i) for i in range(N_TEST)]
    assert {row[c] for row in train for c in [*FEATURES, "label"]} == {"0", "1"}
    assert {row[c] for row in test for c in FEATURES} == {"0", "1"}
    functions = [str(f) for f in range(1, 17)]
    assert [row["function"] for row in train] == [f for f in functions for _ in range(64)]
    assert [row["function"] for row in test] == [f for f in functions for _ in range(192)]
    raw = (prepared / "public" / "train.csv").read_bytes()
    assert b"\r" not in raw and raw.endswith(b"\n")


def test_each_truth_table_is_split_into_a_quarter_to_train_and_the_rest_to_test(prepared: Path):
    _, train = csv_rows(prepared / "public" / "train.csv")
    _, test = csv_rows(prepared / "public" / "test.csv")
    for number in map(str, range(1, 17)):
        seen = _table_rows([row for row in train if row["function"] == number])
        asked = _table_rows([row for row in test if row["function"] == number])
        assert seen == sorted(seen) and asked == sorted(asked)  # truth-table order
        assert sorted(seen + asked) == list(range(256)) and len(seen) == 64


def test_every_output_is_its_secret_networks_and_each_reads_two_to_six_inputs(prepared: Path):
    functions = load_module(BUNDLE, "prepare.py").hidden_functions()
    _, train = csv_rows(prepared / "public" / "train.csv")
    _, test = csv_rows(prepared / "public" / "test.csv")
    _, hidden = csv_rows(prepared / "hidden" / "labels.csv")
    table = np.array(list(itertools.product((0, 1), repeat=8)), dtype=np.int64)
    for function in functions:
        outputs = function.outputs(table)
        number = str(function.number)
        rows = [row for row in train if row["function"] == number]
        assert [int(row["label"]) for row in rows] == list(outputs[_table_rows(rows)])
        ids = [int(row["id"]) for row in test if row["function"] == number]
        wanted = _table_rows([test[i] for i in ids])
        assert [int(hidden[i]["label"]) for i in ids] == list(outputs[wanted])
        flips = [
            outputs != function.outputs(table ^ np.eye(8, dtype=np.int64)[i]) for i in range(8)
        ]
        assert 2 <= sum(bool(flip.any()) for flip in flips) <= 6  # the inputs it reads


def test_hidden_labels_have_ids_labels_and_a_half_public_split(prepared: Path):
    header, hidden = csv_rows(prepared / "hidden" / "labels.csv")
    assert header == ["id", "label", "split"]
    assert [row["id"] for row in hidden] == [str(i) for i in range(N_TEST)]
    assert {row["label"] for row in hidden} == {"0", "1"}
    assert sum(row["split"] == "public" for row in hidden) == N_TEST // 2
    assert {row["split"] for row in hidden} == {"public", "private"}


def test_hidden_labels_never_reach_the_public_folder_and_are_fingerprinted(prepared: Path):
    assert sorted(p.name for p in (prepared / "public").iterdir()) == ["test.csv", "train.csv"]
    header, _ = csv_rows(prepared / "public" / "test.csv")
    assert "label" not in header and "split" not in header
    fingerprints = build_fingerprints(prepared / "hidden")
    assert len(fingerprints.labels) > 1000 and fingerprints.label_max == 1


def test_an_upload_holding_the_hidden_outputs_is_caught_and_the_kits_and_data_are_not(
    prepared: Path,
):
    fingerprints = build_fingerprints(prepared / "hidden")
    _, hidden = csv_rows(prepared / "hidden" / "labels.csv")
    answers = "".join(row["label"] for row in hidden)
    assert scan("main.py", f'ANSWERS = "{answers}"\n'.encode(), fingerprints) is not None
    for kit in ("reference", "starter"):
        source = (BUNDLE / kit / "main.py").read_bytes()
        assert scan("main.py", source, fingerprints) is None
    for public in ("train.csv", "test.csv"):  # what a student may embed honestly
        assert scan(public, (prepared / "public" / public).read_bytes(), fingerprints) is None


def test_reference_uses_two_layers_exactly_where_one_unit_cannot_fit(
    prepared: Path, tmp_path: Path
):
    result = run_script(BUNDLE / "reference" / "main.py", prepared / "public", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    functions = load_module(BUNDLE, "prepare.py").hidden_functions()
    two_layers = {f"function {f.number}: two layers" for f in functions if f.network.hidden}
    said = {line.split(" (")[0] for line in result.stdout.splitlines() if "two layers" in line}
    assert said == two_layers
    assert _score(tmp_path / "out", prepared) == _listed(3)


def test_starter_is_valid_and_scores_the_majority_baseline(prepared: Path, tmp_path: Path):
    result = run_script(BUNDLE / "starter" / "main.py", prepared / "public", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    header, rows = csv_rows(tmp_path / "out" / "predictions.csv")
    assert header == ["id", "label"] and len(rows) == N_TEST
    assert _score(tmp_path / "out", prepared) == _listed(0)


def test_starter_with_hebbs_rule_filled_in_scores_the_hebb_baseline(prepared: Path, tmp_path: Path):
    source = (BUNDLE / "starter" / "main.py").read_text(encoding="utf-8")
    todo = "        del row, t\n"
    assert source.count(todo) == 1
    filled = tmp_path / "main.py"
    filled.write_text(source.replace(todo, "        w += t * row\n        b += t\n"))
    result = run_script(filled, prepared / "public", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert _score(tmp_path / "out", prepared) == _listed(1)


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
    order = ["majority", "hebb", "rosenblatt", "reference", "networks"]
    assert scores == [measured[name] for name in order]
    assert [b.get("bound", False) for b in config["baselines"]] == [False] * 4 + [True]
    page = page_of(BUNDLE)
    assert all(f"{score:.4f}" in page for pair in scores for score in pair)
    assert "/challenges/1958-perceptron/" in page and "/challenges/1986-xor-backprop/" in page
