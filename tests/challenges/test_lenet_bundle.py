"""The 1998 LeNet-5 bundle: MNIST served exactly as the page says, test images in
a secret but deterministic order, hidden labels kept hidden, the published
baselines marked as such beside ones measured per half, and a page whose formats
and limits match the bundle."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from graders.datasets import mnist
from server.bundles.bundle import read_bundle
from tests.support.bundles import (
    DATASETS,
    ELSEWHERE,
    PreparedOn,
    config_of,
    csv_rows,
    limit_rows,
    load_module,
    needs_dataset,
    page_of,
    prepare_into,
    python_as,
    run_page_snippet,
)
from tests.support.pipeline import CHALLENGES

BUNDLE = CHALLENGES / "1998-lenet-mnist"
PUBLIC_FILES = ["test-images-idx3-ubyte", "train-images-idx3-ubyte", "train-labels-idx1-ubyte"]

pytestmark = needs_dataset("mnist", "MNIST")


def _hidden(root: Path) -> list[dict[str, str]]:
    header, rows = csv_rows(root / "hidden" / "labels.csv")
    assert header == ["id", "label", "split"]
    return rows


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return prepare_into(BUNDLE, tmp_path_factory.mktemp("lenet-data"), DATASETS)


def test_prepare_is_byte_for_byte_deterministic(prepared: Path, tmp_path: Path):
    again = prepare_into(BUNDLE, tmp_path, DATASETS)
    files = sorted(str(p.relative_to(prepared)) for p in prepared.rglob("*") if p.is_file())
    assert files == ["hidden/labels.csv", *(f"public/{name}" for name in PUBLIC_FILES)]
    for name in files:
        assert (prepared / name).read_bytes() == (again / name).read_bytes(), name


def test_training_files_are_the_published_ones_uncompressed(prepared: Path):
    public = prepared / "public"
    assert (public / "train-images-idx3-ubyte").read_bytes() == mnist.raw_bytes(
        DATASETS, "train-images"
    )
    assert (public / "train-labels-idx1-ubyte").read_bytes() == mnist.raw_bytes(
        DATASETS, "train-labels"
    )


def test_test_images_are_the_published_ones_in_a_seeded_secret_order(prepared: Path):
    data = (prepared / "public" / "test-images-idx3-ubyte").read_bytes()
    assert data[:16] == b"\x00\x00\x08\x03" + (10000).to_bytes(4, "big") + bytes([0, 0, 0, 28]) * 2
    served = mnist.parse_idx(data)
    published, published_labels = mnist.load(DATASETS, "test")
    order = load_module(BUNDLE, "prepare.py").test_order(10000)
    assert sorted(order.tolist()) == list(range(10000))
    assert np.array_equal(served, published[order])
    assert np.mean(order == np.arange(10000)) < 0.01  # nothing stays where it was
    labels = [int(row["label"]) for row in _hidden(prepared)]
    assert labels == published_labels[order].tolist()


def test_hidden_labels_have_every_id_a_digit_and_a_half_public_split(prepared: Path):
    rows = _hidden(prepared)
    assert [int(row["id"]) for row in rows] == list(range(10000))
    assert {row["label"] for row in rows} == {str(d) for d in range(10)}
    assert sum(row["split"] == "public" for row in rows) == 5000
    assert {row["split"] for row in rows} == {"public", "private"}


def test_hidden_labels_never_reach_the_public_folder(prepared: Path):
    assert sorted(p.name for p in (prepared / "public").iterdir()) == PUBLIC_FILES
    for name in PUBLIC_FILES:
        assert b"id,label" not in (prepared / "public" / name).read_bytes()[:64]


def test_missing_raw_data_is_file_not_found_and_writes_nothing(tmp_path: Path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError):
        prepare_into(BUNDLE, tmp_path / "out", tmp_path / "empty")
    assert not (tmp_path / "out").exists()


def test_the_page_snippet_reads_the_served_files(prepared: Path):
    scope = run_page_snippet(BUNDLE, prepared / "public")
    assert scope["images"].shape == (60000, 28, 28)  # type: ignore[attr-defined]
    assert scope["labels"].shape == (60000,)  # type: ignore[attr-defined]
    assert scope["test"].shape == (10000, 28, 28)  # type: ignore[attr-defined]


def test_challenge_toml_has_the_contract_of_the_issue():
    config = config_of(BUNDLE)
    assert config["slug"] == BUNDLE.name == "1998-lenet-mnist"
    assert (config["year"], config["runtime"], config["gpu"]) == (1998, "torch", "optional")
    assert config["entrypoint"] == "main.py" and (BUNDLE / "reference" / "main.py").is_file()
    assert config["grading"] == {
        "output": "predictions.csv",
        "reader": "csv_labels",
        "value_column": "label",
        "labels": list(range(10)),
        "metric": "accuracy",
        "public_fraction": 0.5,
    }
    assert config["grading"]["public_fraction"] == load_module(BUNDLE, "prepare.py").PUBLIC_FRACTION
    bundle = read_bundle(BUNDLE)  # the loader's own validation
    assert bundle.grading.direction == "higher"


PUBLISHED = [
    ("Linear classifier", 0.880),
    ("k-nearest neighbours, Euclidean distance", 0.950),
    ("2-layer neural network, 300 hidden units", 0.953),
    ("LeNet-1", 0.983),
    ("LeNet-4", 0.989),
    ("LeNet-5", 0.9905),
]


def test_published_baselines_are_the_paper_s_results_marked_as_published():
    baselines = config_of(BUNDLE)["baselines"]
    published = [b for b in baselines if b.get("published")]
    assert [(b["name"], b["score"]) for b in published] == PUBLISHED
    for baseline in published:
        assert "LeCun, Bottou, Bengio & Haffner" in baseline["citation"]
        assert "Proc. IEEE 86(11), 1998" in baseline["citation"]
        assert "private_score" not in baseline  # on all 10,000 test digits


def test_measured_baselines_bracket_the_published_ones_and_the_reference_is_last():
    baselines = read_bundle(BUNDLE).baselines
    measured = [b for b in baselines if not b["published"]]
    assert measured == [baselines[0], baselines[-1]]
    assert all(b["private_score"] is not None and not b["bound"] for b in measured)
    reference = baselines[-1]
    assert reference["name"].startswith("LeNet-5, the reference solution")
    # The milestone's reference beats the paper's LeNet-5 on both halves (one run,
    # on one CPU thread: see the toml), so it is the result to beat.
    assert min(reference["score"], reference["private_score"]) > PUBLISHED[-1][1]


NEAREST_MEAN = "Nearest class mean: the digit of the closest mean training image"


def test_the_nearest_class_mean_scores_what_the_toml_lists(prepared: Path):
    measured = load_module(BUNDLE, "reference/baselines.py").measure(root=prepared)
    row = next(b for b in config_of(BUNDLE)["baselines"] if b["name"] == NEAREST_MEAN)
    assert (row["score"], row["private_score"]) == measured["nearest class mean"]
    assert measured["nearest class mean"] == (0.8218, 0.8192)


def test_the_nearest_class_mean_is_exact_on_other_threads_and_kernels(prepared_on: PreparedOn):
    """Integer arithmetic throughout: the same scores, not merely close ones."""
    root = prepared_on(BUNDLE.name, ELSEWHERE)
    measure = (
        "import json, sys; from pathlib import Path;"
        "sys.path.insert(0, 'challenges/1998-lenet-mnist/reference'); import baselines;"
        "print(json.dumps(baselines.measure(root=Path(sys.argv[1]))))"
    )
    measured = json.loads(python_as(ELSEWHERE, measure, str(root)).splitlines()[-1])
    row = next(b for b in config_of(BUNDLE)["baselines"] if b["name"] == NEAREST_MEAN)
    assert measured["nearest class mean"] == [row["score"], row["private_score"]]


def test_the_page_states_the_limits_of_the_toml():
    readme = page_of(BUNDLE)
    for row in limit_rows(BUNDLE):
        assert row in readme, row


def test_the_page_tells_the_story_and_the_formats():
    readme = page_of(BUNDLE)
    for needle in (
        "LeCun",
        "Bottou",
        "Bengio",
        "Haffner",
        "Gradient-Based Learning",
        "Shared weights",
        "Subsampling",
        "convolution",
        "IDX",
        "2051",
        "2049",
        "/output/predictions.csv",
        "id,label",
        "0.9905",
        "public",
        "private",
    ):
        assert needle in readme, needle
