"""The harness without a sandbox (benchmarks, instructors): the same conversation
with a plain child process."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

from tests.support.char_lm import UNIFORM, grading, hidden_text, write_evaluation
from worker.interactive.direct import converse_direct, run_direct


@pytest.fixture
def hidden(tmp_path: Path) -> Path:
    write_evaluation(tmp_path / "hidden", hidden_text())
    return tmp_path / "hidden"


def test_a_program_run_directly_is_scored_like_in_the_sandbox(tmp_path: Path, hidden: Path):
    (tmp_path / "main.py").write_text(UNIFORM)
    scores = run_direct(
        spec=grading(), argv=[sys.executable, str(tmp_path / "main.py")], hidden_dir=hidden
    )
    assert scores.public == pytest.approx(math.log2(65), abs=1e-12)
    record = converse_direct(
        spec=grading(), argv=[sys.executable, str(tmp_path / "main.py")], hidden_dir=hidden
    )
    assert record.query_phase_seconds is not None and record.waiting_seconds > 0


def test_a_failing_program_run_directly_raises_with_the_reason(tmp_path: Path, hidden: Path):
    (tmp_path / "main.py").write_text("print('hello')\n")
    with pytest.raises(RuntimeError, match="the first line on stdout must be"):
        run_direct(
            spec=grading(), argv=[sys.executable, str(tmp_path / "main.py")], hidden_dir=hidden
        )
    (tmp_path / "main.py").write_text("pass\n")
    with pytest.raises(RuntimeError, match="ended after 0 answers"):
        run_direct(
            spec=grading(), argv=[sys.executable, str(tmp_path / "main.py")], hidden_dir=hidden
        )
