"""The ``samples`` kind: its [grading] table, its hidden files and ``grade``, on a small
synthetic challenge built with the same functions a real prepare.py uses."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from graders import GradingSpecError, InvalidOutput, Scores, grade, load_spec
from graders.samples import fitting, hidden, memorization, resampling
from graders.samples.features import LAYERS, features
from graders.samples.spec import SamplesSpec
from graders.splits import PRIVATE, PUBLIC, write_hidden_labels
from tests.support.digits import digit_like

N = 400
TABLE: dict[str, Any] = {"kind": "samples", "output": "samples.npy", "shape": [N, 28, 28]}


def random_float_network(seed: int = 3) -> dict[str, np.ndarray]:
    """An untrained (random) float network, as fitting.quantize_network takes one."""
    rng = np.random.default_rng(seed)
    params = {}
    for i, (fan_in, fan_out) in enumerate(itertools.pairwise(LAYERS), start=1):
        params[f"w{i}"] = rng.normal(size=(fan_in, fan_out)) * 0.1
        params[f"b{i}"] = rng.normal(size=fan_out) * 0.1
    return params


def write_hidden(hidden_dir: Path, train: np.ndarray, test: np.ndarray) -> None:
    """Hidden files as a prepare.py writes them, with a random network rounded to integers."""
    network = fitting.quantize_network(random_float_network(), train)
    components = fitting.principal_components(train)
    splits = [PUBLIC, PRIVATE] * (len(test) // 2)
    write_hidden_labels(
        hidden_dir / hidden.LABELS, ids=range(len(test)), labels=[0] * len(test), splits=splits
    )
    hidden.write_npz(hidden_dir / hidden.CLASSIFIER, network.arrays())
    hidden.write_npz(hidden_dir / hidden.COMPONENTS, {"components": components})
    hidden.write_npz(hidden_dir / hidden.FEATURES, {"test_features": features(test, network)})
    book = memorization.fit_codebook(train, test, components)
    test_to_train, train_to_test = memorization.reference_distances(book)
    hidden.write_npz(
        hidden_dir / hidden.MEMORIZATION,
        {
            "train_codes": book.train_codes,
            "test_codes": book.test_codes,
            "test_to_train": test_to_train,
            "train_to_test": train_to_test,
        },
    )


@pytest.fixture(scope="module")
def challenge(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, np.ndarray]:
    """(hidden_dir, training images) of a small synthetic challenge."""
    hidden_dir = tmp_path_factory.mktemp("samples-hidden")
    train = digit_like(2000, seed=10)
    write_hidden(hidden_dir, train, digit_like(N, seed=11))
    return hidden_dir, train


def grade_images(challenge: tuple[Path, np.ndarray], images: np.ndarray, out: Path) -> Scores:
    out.mkdir(exist_ok=True)
    np.save(out / "samples.npy", images)
    return grade(spec=load_spec(TABLE), output_dir=out, hidden_dir=challenge[0])


# --- the [grading] table --------------------------------------------------------------


def test_the_table_becomes_a_samples_spec_lower_is_better():
    spec = load_spec(TABLE)
    assert isinstance(spec, SamplesSpec)
    assert (spec.kind, spec.metric, spec.direction) == ("samples", "ma_fid", "lower")
    assert (spec.output, spec.shape) == ("samples.npy", (N, 28, 28))


def test_the_table_as_the_site_stores_it_back_is_accepted():
    stored = {**TABLE, "metric": "ma_fid", "direction": "lower"}
    assert load_spec(stored) == load_spec(TABLE)


def test_every_problem_of_a_bad_table_is_listed_at_once():
    bad = {
        "kind": "samples",
        "output": "../samples.csv",
        "shape": [N, 32, 32],
        "metric": "accuracy",
        "direction": "higher",
        "labels": [0, 1],
    }
    with pytest.raises(GradingSpecError) as caught:
        load_spec(bad)
    problems = caught.value.problems
    assert len(problems) == 5, problems
    assert any("unknown key 'labels'" in p for p in problems)
    assert any(p.startswith("output must be a .npy file name") for p in problems)
    assert any(p.startswith("shape must be [N, 28, 28]") for p in problems)
    assert any("metric of kind 'samples' is 'ma_fid'" in p for p in problems)
    assert any("direction of kind 'samples' is 'lower'" in p for p in problems)


@pytest.mark.parametrize(
    "shape", [None, "10000x28x28", [10000, 28], [1, 28, 28], [10**6, 28, 28], [True, 28, 28]]
)
def test_a_bad_shape_is_a_problem(shape):
    with pytest.raises(GradingSpecError, match="shape must be"):
        SamplesSpec.from_dict({"output": "samples.npy", "shape": shape})


# --- grading ----------------------------------------------------------------------------


def test_fresh_samples_score_their_plain_frechet_distance(challenge, tmp_path: Path):
    scores = grade_images(challenge, digit_like(N, seed=12), tmp_path / "out")
    assert (scores.n_public, scores.n_private) == (N // 2, N // 2)
    data = hidden.load(challenge[0])
    parts = load_spec(TABLE).breakdown(output_dir=tmp_path / "out", data=data)
    assert parts.memorization.penalty == 1.0
    assert (scores.public, scores.private) == (parts.fid_public, parts.fid_private)
    for score, interval in (
        (scores.public, scores.public_interval),
        (scores.private, scores.private_interval),
    ):
        assert interval is not None and interval[0] < score < interval[1]


def test_each_interval_resamples_the_penalty_with_the_samples(challenge, tmp_path: Path):
    """Copies are near-copies in every resample: each replicate is 1024 times its distance."""
    scores = grade_images(challenge, challenge[1][:N], tmp_path / "out")
    data = hidden.load(challenge[0])
    parts = load_spec(TABLE).breakdown(output_dir=tmp_path / "out", data=data)
    references = [data.test_features[data.public], data.test_features[~data.public]]
    distances = resampling.score_intervals(
        parts.features,
        references,
        scores=[parts.fid_public, parts.fid_private],
        unit=data.network.unit,
    )
    for interval, (low, high) in zip(
        (scores.public_interval, scores.private_interval), distances, strict=True
    ):
        assert interval == pytest.approx((1024 * low, 1024 * high), rel=1e-12)


def test_copies_of_the_training_images_score_1024_times_their_distance(challenge, tmp_path):
    copies = challenge[1][:N]
    scores = grade_images(challenge, copies, tmp_path / "out")
    parts = load_spec(TABLE).breakdown(output_dir=tmp_path / "out", data=hidden.load(challenge[0]))
    assert parts.memorization.share == 1.0
    assert scores.public == pytest.approx(1024 * parts.fid_public)
    fresh = grade_images(challenge, digit_like(N, seed=12), tmp_path / "fresh")
    assert scores.public > 50 * fresh.public


def test_noise_scores_far_worse_than_fresh_samples(challenge, tmp_path: Path):
    noise = np.random.default_rng(0).integers(0, 256, (N, 28, 28), dtype=np.uint8)
    fresh = grade_images(challenge, digit_like(N, seed=12), tmp_path / "fresh")
    assert grade_images(challenge, noise, tmp_path / "noise").public > 10 * fresh.public


def test_an_invalid_file_is_the_students_fault(challenge, tmp_path: Path):
    images = digit_like(N, seed=12).astype(np.float32) / 255
    with pytest.raises(InvalidOutput, match="dtype is float32"):
        grade_images(challenge, images, tmp_path / "out")


def _copy_hidden(source: Path, target: Path) -> Path:
    target.mkdir()
    for path in source.iterdir():
        (target / path.name).write_bytes(path.read_bytes())
    return target


def test_broken_hidden_data_is_a_platform_error_not_the_students(challenge, tmp_path: Path):
    broken = _copy_hidden(challenge[0], tmp_path / "hidden")
    hidden.write_npz(broken / hidden.FEATURES, {"test_features": np.zeros((N, 3), np.uint16)})
    out = tmp_path / "out"
    out.mkdir()
    np.save(out / "samples.npy", digit_like(N, seed=12))
    with pytest.raises(ValueError, match="test_features") as caught:
        grade(spec=load_spec(TABLE), output_dir=out, hidden_dir=broken)
    assert not isinstance(caught.value, InvalidOutput)
    (broken / hidden.FEATURES).unlink()
    with pytest.raises(FileNotFoundError):
        grade(spec=load_spec(TABLE), output_dir=out, hidden_dir=broken)


@pytest.mark.parametrize(
    ("name", "array", "value"),
    [
        (hidden.FEATURES, "test_features", np.zeros((N, 64), np.float32)),  # float features
        (hidden.MEMORIZATION, "train_codes", np.zeros((10, 64), np.float32)),  # float codes
        (hidden.COMPONENTS, "components", np.zeros((784, 64), np.int32)),
    ],
)
def test_hidden_arrays_of_another_dtype_are_refused(challenge, tmp_path, name, array, value):
    broken = _copy_hidden(challenge[0], tmp_path / "hidden")
    with np.load(broken / name) as archive:
        arrays = {key: archive[key] for key in archive.files}
    hidden.write_npz(broken / name, {**arrays, array: value})
    with pytest.raises(ValueError, match=array):
        hidden.load(broken)


def test_a_network_that_could_leave_exact_arithmetic_is_refused(challenge, tmp_path: Path):
    broken = _copy_hidden(challenge[0], tmp_path / "hidden")
    with np.load(broken / hidden.CLASSIFIER) as archive:
        arrays = {key: archive[key] for key in archive.files}
    arrays["b2"] = np.full(64, 2**60, np.int64)
    hidden.write_npz(broken / hidden.CLASSIFIER, arrays)
    with pytest.raises(ValueError, match="not exact"):
        hidden.load(broken)


def test_hidden_archives_are_byte_for_byte_reproducible(tmp_path: Path):
    arrays = {
        "a": np.arange(12, dtype=np.float32).reshape(3, 4),
        "b": np.zeros(5),
        "c": np.int64(3),
    }
    hidden.write_npz(tmp_path / "one.npz", arrays)
    hidden.write_npz(tmp_path / "two.npz", arrays)
    assert (tmp_path / "one.npz").read_bytes() == (tmp_path / "two.npz").read_bytes()
    with np.load(tmp_path / "one.npz", allow_pickle=False) as loaded:
        assert np.array_equal(loaded["a"], arrays["a"]) and loaded["b"].shape == (5,)
        assert loaded["c"].shape == ()  # a scalar stays a scalar
