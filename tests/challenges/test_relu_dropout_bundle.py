"""The 2012 ReLU-and-dropout bundle: 1,000 training digits, 100 of each, and MNIST's
test digits in a secret but deterministic order, served as the page says; the
hidden labels kept hidden and fingerprinted; a dry-run sample of the served digits;
the starter (as downloaded, in a dry run, and with its TODOs filled in) and the
reference scoring their baselines; the listed baselines the measured ones; and a
page whose story, limits and numbers match the bundle.

The trained baselines run in the torch runtime, on one thread, as they were
measured (the reference trains on one thread whatever it is given: on two, its
dropout masks came out otherwise and it scored 0.0074 higher on one half). Another
CPU's kernels move a float's last bits, and a hundred epochs can carry that into a
different network: with other kernels (``ATEN_CPU_CAPABILITY=default``, SSE4.2
matrix kernels) the ways scored within 0.0024 of the listed numbers, and three
seeds of the same settings spread over 0.001 (without dropout) to 0.004 (ReLU with
dropout). So they are compared within ``TRAINED`` (50 digits of a 5,000-digit
half), well under the 1.6 to 3 points between the ways that the page is about."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from graders.contamination import build_fingerprints, scan
from graders.datasets import mnist
from server.bundles.bundle import read_bundle
from tests.support.bundles import (
    DATASETS,
    config_of,
    csv_rows,
    files_of,
    limit_rows,
    load_module,
    needs_dataset,
    page_of,
    prepare_into,
    run_page_snippet,
    scores_of,
)
from tests.support.paths import REPO
from tests.support.pipeline import CHALLENGES

BUNDLE = CHALLENGES / "2012-relu-dropout"
PUBLIC_FILES = ["test-images-idx3-ubyte", "train-images-idx3-ubyte", "train-labels-idx1-ubyte"]
WAYS = ["sigmoid", "relu", "sigmoid+dropout", "relu+dropout"]  # challenge.toml's order
TRAINED = 0.01
Halves = tuple[float, float]

pytestmark = needs_dataset("mnist", "MNIST")


def _torch_python() -> Path:
    runtimes = Path(os.environ.get("MILESTONES_RUNTIMES_DIR") or REPO / "var" / "runtimes")
    python = runtimes / "torch" / "bin" / "python"
    if not python.exists():
        pytest.skip("the torch runtime is not built (python -m worker.runtimes.build torch)")
    return python


def _run_torch(*args: str, cwd: Path = REPO, dry_run: bool = False) -> str:
    """The standard output of the torch runtime's ``python ARGS`` on one thread."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
    env.pop("MILESTONES_DRY_RUN", None)
    if dry_run:
        env["MILESTONES_DRY_RUN"] = "1"
    done = subprocess.run(
        [str(_torch_python()), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _listed() -> dict[str, Halves]:
    baselines = read_bundle(BUNDLE).baselines
    return {way: (b["score"], b["private_score"]) for way, b in zip(WAYS, baselines, strict=True)}


def _close(found: Halves, listed: Halves) -> bool:
    return all(abs(a - b) <= TRAINED for a, b in zip(found, listed, strict=True))


def _score(output: Path, prepared: Path) -> Halves:
    scores = scores_of(BUNDLE, output, prepared)
    return round(scores.public, 4), round(scores.private, 4)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return prepare_into(BUNDLE, tmp_path_factory.mktemp("relu-data"), DATASETS)


def test_bundle_loads_without_problems():
    bundle = read_bundle(BUNDLE)
    assert (bundle.slug, bundle.year, bundle.runtime, bundle.gpu) == (
        "2012-relu-dropout",
        2012,
        "torch",
        "optional",
    )
    assert bundle.grading.metric == "accuracy" and bundle.grading.direction == "higher"
    assert [b["name"] for b in bundle.baselines] == [
        "Sigmoid hidden units, no dropout",
        "ReLU hidden units, no dropout",
        "Sigmoid hidden units with dropout",
        "ReLU with dropout, the reference solution",
    ]
    assert not any(b.get("bound") or b.get("published") for b in bundle.baselines)
    assert all(b["citation"] for b in bundle.baselines)


def test_prepare_is_byte_for_byte_deterministic(prepared: Path, tmp_path: Path):
    again = files_of(prepare_into(BUNDLE, tmp_path / "again", DATASETS))
    assert set(again) == {f"public/{n}" for n in PUBLIC_FILES} | {"hidden/labels.csv"}
    assert again == files_of(prepared)


def test_training_digits_are_100_of_each_published_one_in_published_order(prepared: Path):
    public = prepared / "public"
    images = mnist.parse_idx((public / "train-images-idx3-ubyte").read_bytes())
    labels = mnist.parse_idx((public / "train-labels-idx1-ubyte").read_bytes())
    published, published_labels = mnist.load(DATASETS, "train")
    chosen = load_module(BUNDLE, "prepare.py").training_pick(published_labels)
    assert images.shape == (1000, 28, 28) and (np.bincount(labels) == 100).all()
    assert (np.diff(chosen) > 0).all()
    assert np.array_equal(images, published[chosen])
    assert np.array_equal(labels, published_labels[chosen])


def test_test_images_are_the_published_ones_in_a_seeded_secret_order(prepared: Path):
    served = mnist.parse_idx((prepared / "public" / "test-images-idx3-ubyte").read_bytes())
    published, published_labels = mnist.load(DATASETS, "test")
    order = load_module(BUNDLE, "prepare.py").test_order(10000)
    lenet_order = load_module(CHALLENGES / "1998-lenet-mnist", "prepare.py").test_order(10000)
    assert sorted(order.tolist()) == list(range(10000))
    assert np.array_equal(served, published[order])
    assert np.mean(order == np.arange(10000)) < 0.01  # nothing stays where it was
    assert np.mean(order == lenet_order) < 0.01  # nor where the 1998 challenge put it
    _, hidden = csv_rows(prepared / "hidden" / "labels.csv")
    assert [int(row["label"]) for row in hidden] == published_labels[order].tolist()


def test_hidden_labels_have_every_id_a_digit_and_a_half_public_split(prepared: Path):
    header, rows = csv_rows(prepared / "hidden" / "labels.csv")
    assert header == ["id", "label", "split"]
    assert [int(row["id"]) for row in rows] == list(range(10000))
    assert {row["label"] for row in rows} == {str(d) for d in range(10)}
    assert sum(row["split"] == "public" for row in rows) == 5000


def test_hidden_labels_never_reach_the_public_folder_and_are_fingerprinted(prepared: Path):
    assert sorted(p.name for p in (prepared / "public").iterdir()) == PUBLIC_FILES
    fingerprints = build_fingerprints(prepared / "hidden")
    _, hidden = csv_rows(prepared / "hidden" / "labels.csv")
    answers = "".join(row["label"] for row in hidden)
    assert scan("main.py", f'ANSWERS = "{answers}"\n'.encode(), fingerprints) is not None
    for kit in ("reference", "starter"):
        source = (BUNDLE / kit / "main.py").read_bytes()
        assert scan("main.py", source, fingerprints) is None
    for public in (prepared / "public").iterdir():  # what a student may embed honestly
        assert scan(public.name, public.read_bytes(), fingerprints) is None


def test_missing_raw_data_is_file_not_found_and_writes_nothing(tmp_path: Path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError):
        prepare_into(BUNDLE, tmp_path / "out", tmp_path / "empty")
    assert not (tmp_path / "out").exists()


def test_the_page_snippet_reads_the_served_files(prepared: Path):
    scope = run_page_snippet(BUNDLE, prepared / "public")
    assert scope["images"].shape == (1000, 28, 28)  # type: ignore[attr-defined]
    assert scope["labels"].shape == (1000,)  # type: ignore[attr-defined]
    assert scope["test"].shape == (10000, 28, 28)  # type: ignore[attr-defined]


def test_the_dry_run_sample_is_the_served_digits_with_200_set_aside(prepared: Path, tmp_path: Path):
    load_module(BUNDLE, "prepare.py").prepare_dry_run(
        public_dir=prepared / "public", dry_run_dir=tmp_path
    )
    read = lambda root, name: mnist.parse_idx((root / name).read_bytes())  # noqa: E731
    served, sample = prepared / "public", tmp_path / "public"
    assert sorted(p.name for p in sample.iterdir()) == PUBLIC_FILES
    images, labels = (
        read(served, "train-images-idx3-ubyte"),
        read(served, "train-labels-idx1-ubyte"),
    )
    learn, asked = read(sample, "train-images-idx3-ubyte"), read(sample, "test-images-idx3-ubyte")
    assert (len(learn), len(asked)) == (800, 200)
    rows = {image.tobytes(): int(label) for image, label in zip(images, labels, strict=True)}
    assert all(image.tobytes() in rows for image in [*learn, *asked])
    assert not {i.tobytes() for i in learn} & {i.tobytes() for i in asked}
    _, hidden = csv_rows(tmp_path / "hidden" / "labels.csv")
    assert [int(row["label"]) for row in hidden] == [rows[i.tobytes()] for i in asked]


def test_challenge_toml_grading_matches_the_prepared_split():
    config = config_of(BUNDLE)
    assert config["grading"] == {
        "output": "predictions.csv",
        "reader": "csv_labels",
        "value_column": "label",
        "labels": list(range(10)),
        "metric": "accuracy",
        "public_fraction": 0.5,
    }
    assert config["grading"]["public_fraction"] == load_module(BUNDLE, "prepare.py").PUBLIC_FRACTION


def test_each_trick_beats_neither_and_both_beat_either_on_each_half():
    listed = _listed()
    for half in (0, 1):
        plain, relu, dropout, both = (listed[way][half] for way in WAYS)
        assert plain + 0.01 < relu and plain + 0.01 < dropout
        assert max(relu, dropout) + 0.01 < both
    plausible = read_bundle(BUNDLE).plausible_best
    assert plausible is not None and max(listed["relu+dropout"]) + 0.05 < plausible < 1


def test_baseline_scores_in_the_toml_and_the_page_are_the_measured_ones():
    script = str(BUNDLE / "reference" / "baselines.py")
    measured = json.loads(_run_torch(script, "--json").splitlines()[-1])
    listed = _listed()
    for way in WAYS:
        found = (measured[way]["public"], measured[way]["private"])
        assert _close(found, listed[way]), (way, found)
        assert measured[way]["train"] == 1.0, way  # every way learns its digits by heart
    page = page_of(BUNDLE)
    assert all(f"| {pub:.4f} | {priv:.4f} |" in page for pub, priv in listed.values())


def test_starter_as_downloaded_scores_the_sigmoid_baseline(prepared: Path, tmp_path: Path):
    starter = BUNDLE / "starter" / "main.py"
    log = _run_torch(str(starter), str(prepared / "public"), str(tmp_path / "out"))
    assert "1000 training images, 100 epochs" in log
    assert json.loads(log.splitlines()[-2])["train_acc"] == 1.0  # the last progress line
    header, rows = csv_rows(tmp_path / "out" / "predictions.csv")
    assert header == ["id", "label"] and len(rows) == 10000
    assert _close(_score(tmp_path / "out", prepared), _listed()["sigmoid"])


def test_starter_trains_briefly_in_a_dry_run(prepared: Path, tmp_path: Path):
    starter = BUNDLE / "starter" / "main.py"
    log = _run_torch(str(starter), str(prepared / "public"), str(tmp_path / "out"), dry_run=True)
    assert "wrote 10000 predictions after 10 epochs" in log


def test_starter_with_its_todos_filled_in_scores_the_reference(prepared: Path, tmp_path: Path):
    """The TODOs are the only difference: the reference's network put in their place
    (read as text: this interpreter has no torch)."""
    source = (BUNDLE / "starter" / "main.py").read_text(encoding="utf-8")
    reference = (BUNDLE / "reference" / "main.py").read_text(encoding="utf-8")
    start, end = source.index("class Network("), source.index("def to_tensor(")
    network = reference[reference.index("class Network(") : reference.index("def to_tensor(")]
    settings = 'ACTIVATION, DROPOUT, INPUT_DROP, HIDDEN_DROP = "relu", True, 0.2, 0.5\n\n\n'
    filled = source[:start] + settings + network + source[end:]
    (tmp_path / "main.py").write_text(filled, encoding="utf-8")
    _run_torch(str(tmp_path / "main.py"), str(prepared / "public"), str(tmp_path / "out"))
    assert _close(_score(tmp_path / "out", prepared), _listed()["relu+dropout"])


def test_reference_reads_its_budget(prepared: Path, tmp_path: Path):
    code = tmp_path / "code"
    code.mkdir()
    (code / "main.py").write_bytes((BUNDLE / "reference" / "main.py").read_bytes())
    (code / "budget.json").write_text('{"epochs": 3}')
    log = _run_torch(str(code / "main.py"), str(prepared / "public"), str(tmp_path / "out"))
    assert "wrote 10000 predictions after 3 epochs" in log


def test_the_page_states_the_limits_of_the_toml():
    readme = page_of(BUNDLE)
    for row in limit_rows(BUNDLE):
        assert row in readme, row


def test_the_page_tells_the_story_and_the_formats():
    readme = page_of(BUNDLE)
    for needle in (
        "Nair and Hinton",
        "Improving neural networks by preventing co-adaptation of feature detectors",
        "Krizhevsky, Sutskever and Hinton",
        "ImageNet",
        "rectified linear unit",
        "dropout",
        "overfitting",
        "1,000 labelled digits",
        "2051",
        "2049",
        "/output/predictions.csv",
        "id,label",
        "public",
        "private",
        "labels are on the internet",
        "/challenges/1998-lenet-mnist/",
    ):
        assert needle in readme, needle
