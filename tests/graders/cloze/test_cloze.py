"""The cloze kind: its table is validated, its vectors file is read as hostile input,
and its cosine ranking is exact, a tie wrong, a zero vector harmless."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from graders import InvalidOutput, load_spec
from graders.cloze.exact import right_answers, unit_rows
from graders.cloze.spec import ClozeSpec
from graders.errors import GradingSpecError
from graders.splits import write_hidden_labels

TABLE = {"kind": "cloze", "output": "vectors.npy", "words": 4, "max_dimensions": 3}


def _hidden(folder: Path) -> Path:
    """Two items over four words: the first's answer is word 1, the second's word 3."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "items.csv").write_text("id,candidates,context\n0,0 1,2\n1,3 0,1 2\n")
    write_hidden_labels(
        folder / "labels.csv", ids=[0, 1], labels=[1, 0], splits=["public", "private"]
    )
    return folder


def _grade(tmp_path: Path, vectors: np.ndarray) -> tuple[float, float]:
    np.save(tmp_path / "vectors.npy", vectors)
    spec = load_spec(TABLE)
    assert isinstance(spec, ClozeSpec)
    scores = spec.grade(output_dir=tmp_path, hidden_dir=_hidden(tmp_path / "hidden"))
    return scores.public, scores.private


def test_the_table_becomes_a_spec_and_every_problem_is_listed_at_once():
    spec = load_spec(TABLE)
    assert isinstance(spec, ClozeSpec)
    assert (spec.kind, spec.metric, spec.direction, spec.score_range) == (
        "cloze",
        "accuracy",
        "higher",
        (0.0, 1.0),
    )
    bad = {"kind": "cloze", "output": "../v.npy", "words": 0, "extra": 1, "metric": "mse"}
    with pytest.raises(GradingSpecError) as caught:
        load_spec(bad)
    problems = caught.value.problems
    assert len(problems) == 5, problems  # extra, output, words, max_dimensions, metric


def test_vectors_answering_by_their_context_score_and_the_halves_are_apart(tmp_path: Path):
    # word 2 points like word 1 (item 0); words 1 and 2 together like word 3 (item 1)
    vectors = np.array([[0, 0, 1], [1, 0, 0], [1, 0.1, 0], [1, 0.1, 0]], dtype=np.float32)
    assert _grade(tmp_path, vectors) == (1.0, 1.0)
    vectors[1] = vectors[0]  # item 0's candidates tie: wrong; item 1 is still right
    assert _grade(tmp_path, vectors) == (0.0, 1.0)


def test_a_zero_vector_has_cosine_zero_and_a_zero_context_answers_nothing():
    unit = unit_rows(np.array([[0, 0], [3, 4], [0, 0]], dtype=np.float32))
    assert unit.tolist() == [[0, 0], [0.6, 0.8], [0, 0]]
    right = right_answers(
        unit,
        candidates=np.array([[0, 1], [0, 1]]),
        context=np.array([[1, -1], [2, -1]]),
        answers=np.array([1, 1]),
    )
    assert right.tolist() == [True, False]  # the second context sums to zero: a tie


def test_ranking_is_the_same_whatever_the_order_of_the_rows_is_computed_in():
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((50, 300)).astype(np.float32)
    unit = unit_rows(vectors)
    one = unit_rows(vectors[:25])
    assert np.array_equal(one, unit[:25])  # each row's arithmetic is its own


@pytest.mark.parametrize(
    ("array", "reason"),
    [
        (np.zeros((4, 3)), "dtype is float64 ('<f8'), expected float32"),
        (np.zeros((4, 4), dtype=np.float32), "shape is (4, 4), expected (4, D) with 1 <= D <= 3"),
        (np.zeros((3, 3), dtype=np.float32), "shape is (3, 3), expected (4, D)"),
        (np.zeros(4, dtype=np.float32), "shape is (4,), expected (4, D)"),
        (np.full((4, 3), np.nan, dtype=np.float32), "not finite numbers"),
        (np.asfortranarray(np.ones((4, 3), dtype=np.float32)), "Fortran order"),
    ],
)
def test_a_bad_vectors_file_is_rejected_with_its_reason(
    tmp_path: Path, array: np.ndarray, reason: str
):
    np.save(tmp_path / "vectors.npy", array)
    with pytest.raises(InvalidOutput, match=reason.replace("(", r"\(").replace(")", r"\)")):
        _grade(tmp_path, array)


def test_a_symlink_or_a_truncated_file_is_rejected(tmp_path: Path):
    np.save(tmp_path / "real.npy", np.ones((4, 3), dtype=np.float32))
    (tmp_path / "vectors.npy").symlink_to(tmp_path / "real.npy")
    spec = load_spec(TABLE)
    assert isinstance(spec, ClozeSpec)
    hidden = _hidden(tmp_path / "hidden")
    with pytest.raises(InvalidOutput):
        spec.grade(output_dir=tmp_path, hidden_dir=hidden)
    (tmp_path / "vectors.npy").unlink()
    data = (tmp_path / "real.npy").read_bytes()
    (tmp_path / "vectors.npy").write_bytes(data[:-4])
    with pytest.raises(InvalidOutput, match="truncated"):
        spec.grade(output_dir=tmp_path, hidden_dir=hidden)
