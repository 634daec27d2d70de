"""The character-LM environment: queries never reveal a target before it is
answered, answers are checked strictly and scored in bits per character, and a
broken hidden layout is the platform's error, not the student's."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from graders import FileGraded, GradingSpecError, LiveGraded, load_spec
from graders.interactive import InteractiveSpec, ProtocolViolation
from graders.interactive.char_lm import CharLM, lay_out_streams
from graders.splits import write_hidden_labels
from tests.support.char_lm import CONTEXT, STEPS, STREAMS, VOCAB, hidden_text, write_evaluation

UNIFORM = [-math.log(65)] * 65


@pytest.fixture
def hidden(tmp_path: Path) -> Path:
    write_evaluation(tmp_path, hidden_text())
    return tmp_path


def _open(hidden: Path, **options: object) -> CharLM:
    return CharLM(hidden_dir=hidden, options={"steps": STEPS, "context": CONTEXT, **options})


def test_each_query_shows_every_stream_the_characters_just_before_its_next_target(hidden: Path):
    environment, text = _open(hidden), (hidden / "text.txt").read_text()
    index = {c: i for i, c in enumerate(VOCAB)}
    starts = lay_out_streams(len(text), streams=STREAMS, context=CONTEXT, steps=STEPS)
    for step in range(STEPS):
        query = environment.next_query()
        assert query is not None
        for start, context in zip(starts, query["contexts"], strict=True):
            assert context == [index[c] for c in text[start + step - CONTEXT : start + step]]
        environment.take_answer({"logprobs": [UNIFORM] * STREAMS})
    assert environment.next_query() is None


def test_no_context_ever_holds_a_target_of_another_stream_or_one_not_yet_answered(hidden: Path):
    environment, text = _open(hidden), (hidden / "text.txt").read_text()
    starts = lay_out_streams(len(text), streams=STREAMS, context=CONTEXT, steps=STEPS)
    shown: set[int] = set()  # text offsets shown so far, in any context
    for step in range(STEPS):
        assert environment.next_query() is not None
        for start in starts:
            shown.update(range(start + step - CONTEXT, start + step))
        unanswered = {start + t for start in starts for t in range(step, STEPS)}
        assert not shown & unanswered
        environment.take_answer({"logprobs": [UNIFORM] * STREAMS})


def test_bits_per_character_are_the_mean_of_minus_log2_p_of_each_target(hidden: Path):
    environment, text = _open(hidden), (hidden / "text.txt").read_text()
    starts = lay_out_streams(len(text), streams=STREAMS, context=CONTEXT, steps=STEPS)
    targets = [[VOCAB.index(text[a + t]) for a in starts] for t in range(STEPS)]
    rng, bits = np.random.default_rng(0), np.zeros((STREAMS, STEPS))
    for step in range(STEPS):
        assert environment.next_query() is not None
        logits = rng.normal(size=(STREAMS, 65))
        logprobs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        environment.take_answer({"logprobs": logprobs.tolist()})
        bits[:, step] = -logprobs[np.arange(STREAMS), targets[step]] / math.log(2)
    public = environment.public
    scores = environment.scores()
    assert scores.public == pytest.approx(bits[public].mean(), abs=1e-12)
    assert scores.private == pytest.approx(bits[~public].mean(), abs=1e-12)
    assert (scores.n_public, scores.n_private) == (public.sum() * STEPS, (~public).sum() * STEPS)


def test_a_uniform_answer_scores_log2_of_the_vocabulary(hidden: Path):
    environment = _open(hidden)
    while environment.next_query() is not None:
        environment.take_answer({"logprobs": [UNIFORM] * STREAMS})
    assert environment.scores().public == pytest.approx(math.log2(65), abs=1e-12)
    assert environment.scores().private == pytest.approx(math.log2(65), abs=1e-12)


def test_integer_log_probabilities_are_numbers_too(hidden: Path):
    environment = _open(hidden)
    environment.next_query()
    row = [0] + [-1000] * 64
    environment.take_answer({"logprobs": [row] * STREAMS})


@pytest.mark.parametrize(
    ("logprobs", "reason"),
    [
        ("nope", "one row per context"),
        ([UNIFORM] * (STREAMS + 1), "one row per context"),
        ([UNIFORM[:-1]] * STREAMS, "must hold 65 numbers"),
        ([[True] * 65] * STREAMS, "not a number"),
        ([[None] * 65] * STREAMS, "not a number"),
        ([[1e999] * 65] * STREAMS, "not a finite number"),
        ([[10**400] * 65] * STREAMS, "not a finite number"),
        ([[800.0] * 65] * STREAMS, "sum to inf"),
        ([[0.0] + [-1000.0] * 64] * (STREAMS - 1) + [[-1.0] * 65], "row 5 sum to 23.9"),
    ],
)
def test_unusable_log_probabilities_are_refused(hidden: Path, logprobs: object, reason: str):
    environment = _open(hidden)
    environment.next_query()
    with pytest.raises(ProtocolViolation, match=reason):
        environment.take_answer({"logprobs": logprobs})


def test_scores_before_the_last_answer_are_a_platform_error(hidden: Path):
    with pytest.raises(RuntimeError):
        _open(hidden).scores()


def test_streams_that_overlap_are_refused_as_the_instructors_mistake(hidden: Path):
    write_hidden_labels(
        hidden / "labels.csv", ids=[0, 1], labels=[300, 310], splits=["public", "private"]
    )
    with pytest.raises(ValueError, match="overlap"):
        _open(hidden)


def test_streams_must_fit_in_the_text_and_have_both_splits(hidden: Path):
    write_hidden_labels(
        hidden / "labels.csv", ids=[0, 1], labels=[5, 400], splits=["public", "private"]
    )
    with pytest.raises(ValueError, match="outside the hidden text"):
        _open(hidden)
    write_hidden_labels(
        hidden / "labels.csv", ids=[0, 1], labels=[100, 400], splits=["public", "public"]
    )
    with pytest.raises(ValueError, match="public and a private"):
        _open(hidden)


def test_a_hidden_character_outside_the_vocabulary_is_refused(hidden: Path):
    (hidden / "text.txt").write_text(hidden_text().replace("a", "é"), encoding="utf-8")
    with pytest.raises(ValueError, match="outside the vocabulary"):
        _open(hidden)


def test_the_interactive_kind_is_loaded_from_a_grading_table():
    spec = load_spec(
        {
            "kind": "interactive",
            "environment": "char_lm",
            "steps": 32,
            "metric": "bits_per_character",
            "direction": "lower",
        }
    )
    assert isinstance(spec, InteractiveSpec)
    assert (spec.metric, spec.direction, spec.query_seconds) == ("bits_per_character", "lower", 120)
    assert spec.max_answer_bytes == 1024 * 1024 and spec.options == {"steps": 32}


def test_every_problem_of_an_interactive_table_is_reported_at_once():
    with pytest.raises(GradingSpecError) as caught:
        InteractiveSpec.from_dict(
            {
                "environment": "char_lm",
                "steps": 0,
                "context": 9999,
                "query_seconds": "soon",
                "direction": "higher",
                "x": 1,
            }
        )
    problems = caught.value.problems
    assert len(problems) == 5, problems
    assert any("unknown key 'x'" in p for p in problems)
    with pytest.raises(GradingSpecError, match="environment must be one of cartpole, char_lm,"):
        InteractiveSpec.from_dict({"environment": "atari"})


def test_an_interactive_spec_is_graded_live_never_from_files(hidden: Path):
    spec = load_spec(
        {"kind": "interactive", "environment": "char_lm", "steps": STEPS, "context": CONTEXT}
    )
    assert isinstance(spec, LiveGraded) and not isinstance(spec, FileGraded)
    assert not hasattr(spec, "grade")
    assert isinstance(spec.open(hidden_dir=hidden), CharLM)
