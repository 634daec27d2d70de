"""The 2006 deep-belief-net bundle: MNIST served as the page says (binary pixels,
100 labelled digits, 20,000 unlabelled, the test images in a secret order), the
hidden labels kept hidden and fingerprinted, a dry-run sample of set-aside
labelled digits, and the listed baselines the measured ones.

The nearest class mean is integer arithmetic: exact, on any threads and kernels.
The starter's softmax regression is float products whose last bits follow the
BLAS kernels and thread count; a convex problem trained from zero, its answers'
margins dwarf those bits, so it is compared within one digit of a half (1/5,000).
The reference is listed from one full run (see challenge.toml); its integration
test holds it, on a budget, clearly above the starter."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from graders.contamination import build_fingerprints, scan
from graders.datasets import mnist
from server.bundles.bundle import read_bundle
from tests.support.bundles import (
    DATASETS,
    ELSEWHERE,
    PreparedOn,
    config_of,
    csv_rows,
    files_of,
    load_module,
    needs_dataset,
    page_of,
    prepare_into,
    python_as,
    run_page_snippet,
    run_script,
)
from tests.support.pipeline import CHALLENGES

BUNDLE = CHALLENGES / "2006-deep-belief-nets"
PUBLIC_FILES = [
    "labelled-images-idx3-ubyte",
    "labelled-labels-idx1-ubyte",
    "test-images-idx3-ubyte",
    "unlabelled-images-idx3-ubyte",
]
NEAREST_MEAN = "Nearest class mean of the 100 labelled digits"

pytestmark = needs_dataset("mnist", "MNIST")


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return prepare_into(BUNDLE, tmp_path_factory.mktemp("dbn-data"), DATASETS)


def _listed(position: int) -> tuple[float, float]:
    baseline = read_bundle(BUNDLE).baselines[position]
    return baseline["score"], baseline["private_score"]


def test_bundle_loads_with_the_contract_of_the_issue():
    bundle = read_bundle(BUNDLE)  # the loader's own validation
    assert (bundle.slug, bundle.year, bundle.runtime, bundle.gpu) == (
        "2006-deep-belief-nets",
        2006,
        "numpy",
        "none",
    )
    assert bundle.grading.metric == "accuracy" and bundle.grading.direction == "higher"
    config = config_of(BUNDLE)
    assert config["grading"]["labels"] == list(range(10))
    assert config["grading"]["public_fraction"] == load_module(BUNDLE, "prepare.py").PUBLIC_FRACTION
    assert [b["name"] for b in bundle.baselines][:2] == [
        NEAREST_MEAN,
        "Softmax regression on the pixels, from scratch",
    ]
    assert all(b["private_score"] is not None and not b["bound"] for b in bundle.baselines)
    assert all(not b["published"] for b in bundle.baselines)


def test_prepare_is_byte_for_byte_deterministic(prepared: Path, tmp_path: Path):
    first, again = files_of(prepared), files_of(prepare_into(BUNDLE, tmp_path, DATASETS))
    assert sorted(first) == ["hidden/labels.csv", *(f"public/{n}" for n in PUBLIC_FILES)]
    assert first == again


def test_the_served_digits_are_mnist_s_made_binary_as_the_page_says(prepared: Path):
    prepare = load_module(BUNDLE, "prepare.py")
    public = prepared / "public"
    served = {name: mnist.parse_idx((public / name).read_bytes()) for name in PUBLIC_FILES}
    train, train_labels = mnist.load(DATASETS, "train")
    test, test_labels = mnist.load(DATASETS, "test")
    labelled, unlabelled = prepare.choose(train_labels)
    assert (len(labelled), len(unlabelled)) == (100, 20_000)
    assert not set(labelled) & set(unlabelled)
    assert np.array_equal(served["labelled-images-idx3-ubyte"], train[labelled] >= 128)
    assert np.array_equal(served["labelled-labels-idx1-ubyte"], train_labels[labelled])
    assert (np.bincount(served["labelled-labels-idx1-ubyte"]) == 10).all()
    assert np.array_equal(served["unlabelled-images-idx3-ubyte"], train[unlabelled] >= 128)
    order = prepare.test_order(10_000)
    assert np.array_equal(served["test-images-idx3-ubyte"], test[order] >= 128)
    assert np.mean(order == np.arange(10_000)) < 0.01  # nothing stays where it was
    _, hidden = csv_rows(prepared / "hidden" / "labels.csv")
    assert [int(row["label"]) for row in hidden] == test_labels[order].tolist()
    assert [int(row["id"]) for row in hidden] == list(range(10_000))
    assert sum(row["split"] == "public" for row in hidden) == 5_000


def test_hidden_labels_never_reach_the_public_folder_and_are_fingerprinted(prepared: Path):
    assert sorted(p.name for p in (prepared / "public").iterdir()) == PUBLIC_FILES
    fingerprints = build_fingerprints(prepared / "hidden")
    assert len(fingerprints.labels) > 1000 and fingerprints.label_max == 9
    _, hidden = csv_rows(prepared / "hidden" / "labels.csv")
    answers = "".join(row["label"] for row in hidden)
    assert scan("main.py", f'ANSWERS = "{answers}"\n'.encode(), fingerprints) is not None
    for kit in ("reference", "starter"):
        for source in (BUNDLE / kit).glob("*.py"):
            assert scan(source.name, source.read_bytes(), fingerprints) is None, source
    for public in (prepared / "public").iterdir():  # what a student may embed honestly
        assert scan(public.name, public.read_bytes(), fingerprints) is None, public.name


def test_missing_raw_data_is_file_not_found_and_writes_nothing(tmp_path: Path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError):
        prepare_into(BUNDLE, tmp_path / "out", tmp_path / "empty")
    assert not (tmp_path / "out").exists()


def test_the_dry_run_sample_sets_labelled_digits_aside(prepared: Path, tmp_path: Path):
    load_module(BUNDLE, "prepare.py").prepare_dry_run(
        public_dir=prepared / "public", dry_run_dir=tmp_path
    )
    sample = tmp_path / "public"
    assert sorted(p.name for p in sample.iterdir()) == PUBLIC_FILES
    read = lambda folder, name: mnist.parse_idx((folder / name).read_bytes())  # noqa: E731
    images = read(prepared / "public", "labelled-images-idx3-ubyte")
    labels = read(prepared / "public", "labelled-labels-idx1-ubyte")
    learn, asked = (
        read(sample, "labelled-images-idx3-ubyte"),
        read(sample, "test-images-idx3-ubyte"),
    )
    assert (len(learn), len(asked), len(read(sample, "unlabelled-images-idx3-ubyte"))) == (
        60,
        40,
        2_000,
    )
    _, hidden = csv_rows(tmp_path / "hidden" / "labels.csv")
    for image, row in zip(asked, hidden, strict=True):
        at = [i for i in range(100) if np.array_equal(images[i], image)]
        assert int(row["label"]) in labels[at].tolist()


def test_the_page_snippet_reads_the_served_files(prepared: Path):
    scope = run_page_snippet(BUNDLE, prepared / "public")
    assert scope["images"].shape == (100, 28, 28)  # type: ignore[attr-defined]
    assert scope["labels"].shape == (100,)  # type: ignore[attr-defined]
    assert scope["unlabelled"].shape == (20_000, 28, 28)  # type: ignore[attr-defined]
    assert scope["test"].shape == (10_000, 28, 28)  # type: ignore[attr-defined]


def test_starter_runs_as_downloaded_and_trains_briefly_in_a_dry_run(
    prepared: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    result = run_script(BUNDLE / "starter" / "main.py", prepared / "public", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    header, rows = csv_rows(tmp_path / "out" / "predictions.csv")
    assert header == ["id", "label"] and len(rows) == 10_000
    monkeypatch.setenv("MILESTONES_DRY_RUN", "1")
    result = run_script(BUNDLE / "starter" / "main.py", prepared / "public", tmp_path / "dry")
    assert result.returncode == 0, result.stderr
    assert "after 50 steps" in result.stdout


def test_reference_reads_its_budget(prepared: Path, tmp_path: Path):
    code = tmp_path / "code"
    code.mkdir()
    (code / "main.py").write_bytes((BUNDLE / "reference" / "main.py").read_bytes())
    (code / "budget.json").write_text('{"epochs": 1, "unlabelled_limit": 500}')
    result = run_script(code / "main.py", prepared / "public", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "100 labelled, 500 unlabelled digits, 1 epochs a layer" in result.stdout
    assert len(csv_rows(tmp_path / "out" / "predictions.csv")[1]) == 10_000


def test_baseline_scores_in_the_toml_and_the_page_are_the_measured_ones(prepared: Path):
    measured = load_module(BUNDLE, "reference/baselines.py").measure(root=prepared)
    assert measured["nearest class mean"] == _listed(0) == (0.7128, 0.715)
    found, listed = measured["from scratch"], _listed(1)
    # Within one digit of a half (1/5,000), counted in digits: no float edge.
    assert all(abs(round((a - b) * 5_000)) <= 1 for a, b in zip(found, listed, strict=True))
    page = page_of(BUNDLE)
    for position in range(3):
        assert all(f"{score:.4f}" in page for score in _listed(position)), position


def test_the_baselines_hold_on_other_threads_and_kernels(prepared_on: PreparedOn):
    """The nearest class mean in integers: the same scores, not merely close ones;
    the starter's regression within one digit of a half."""
    root = prepared_on(BUNDLE.name, ELSEWHERE)
    measure = (
        "import json, sys; from pathlib import Path;"
        "sys.path.insert(0, 'challenges/2006-deep-belief-nets/reference'); import baselines;"
        "print(json.dumps(baselines.measure(root=Path(sys.argv[1]))))"
    )
    measured = json.loads(python_as(ELSEWHERE, measure, str(root)).splitlines()[-1])
    assert measured["nearest class mean"] == list(_listed(0))
    found, listed = measured["from scratch"], _listed(1)
    assert all(abs(round((a - b) * 5_000)) <= 1 for a, b in zip(found, listed, strict=True))


def test_the_reference_beats_training_from_scratch_clearly_and_stays_plausible():
    bundle = read_bundle(BUNDLE)
    scratch, reference = _listed(1), _listed(2)
    # Five-odd points: several standard errors (0.006) of a half, on each half.
    assert all(r > s + 0.03 for r, s in zip(reference, scratch, strict=True))
    assert bundle.plausible_best is not None and max(reference) < bundle.plausible_best < 1


def test_the_page_states_the_limits_and_tells_the_story():
    readme, limits = page_of(BUNDLE), config_of(BUNDLE)["limits"]
    rows = {
        "wall-clock time": f"{limits['wall_seconds']} s",
        "CPU time (all threads together)": f"{limits['cpu_seconds']} s",
        "memory": f"{limits['memory_mb']} MB",
        "processes and threads": str(limits["processes"]),
        "files written to `/output`": f"{limits['output_mb']} MB",
        "`/tmp`": f"{limits['tmp_mb']} MB",
    }
    for name, value in rows.items():
        assert f"| {name} | {value} |" in readme, name
    for needle in (
        "Hinton, Osindero & Teh",
        "contrastive divergence",
        "restricted Boltzmann machine",
        "Greedy layer-wise training of deep networks",
        "/output/predictions.csv",
        "id,label",
        "secret order",
        "on the internet",
    ):
        assert needle in readme, needle
