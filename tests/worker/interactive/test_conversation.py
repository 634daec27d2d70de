"""The harness's conversation over plain pipes, with the program played by a thread
of the test: deadlines, caps and closed pipes end it with the right record, and
it never buffers more than one line's cap."""

from __future__ import annotations

import contextlib
import json
import math
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.char_lm import (
    STEPS,
    grading,
    hidden_text,
    write_evaluation,
)
from worker.interactive import Conversation, Ending
from worker.interactive.wire import Overlong, Wire
from worker.sandbox.base import LogReader

UNIFORM = [-math.log(65)] * 65
Program = Callable[[int, int], None]  # (its stdin to read, its stdout to write)


@pytest.fixture
def conversation(tmp_path: Path) -> Conversation:
    write_evaluation(tmp_path, hidden_text())
    spec = grading(query_seconds=1, max_answer_kb=16)
    return Conversation(
        environment=spec.open(hidden_dir=tmp_path),
        query_seconds=1,
        max_answer_bytes=spec.max_answer_bytes,
    )


@pytest.fixture
def talk(conversation: Conversation) -> Callable[..., Conversation]:
    """Run ``program`` in a thread against the conversation, as a backend would:
    ``ended`` is set when the run is over (here: after ``ended_after`` seconds)."""

    def run(
        program: Program, *, ended_after: float = 5.0, log_so_far: LogReader = lambda: ""
    ) -> Conversation:
        program_stdin, to_program = os.pipe()
        from_program, program_stdout = os.pipe()
        ended = threading.Event()
        player = threading.Thread(target=_play, args=(program, program_stdin, program_stdout))
        timer = threading.Timer(ended_after, ended.set)
        player.start()
        timer.start()
        try:
            conversation.converse(
                to_program=to_program,
                from_program=from_program,
                ended=ended,
                log_so_far=log_so_far,
            )
        finally:
            ended.set()
            timer.cancel()
            os.close(to_program)
            os.close(from_program)
            player.join(10)
        return conversation

    return run


def _play(program: Program, stdin: int, stdout: int) -> None:
    try:
        program(stdin, stdout)
    except OSError:
        pass  # the harness closed its end: as a real program, we just die
    finally:
        for fd in (stdin, stdout):
            with contextlib.suppress(OSError):
                os.close(fd)


def _lines(fd: int) -> Iterator[dict]:
    with os.fdopen(os.dup(fd), "rb") as stream:
        for line in stream:
            yield json.loads(line)


def _uniform(stdin: int, stdout: int) -> None:
    os.write(stdout, b'{"ready": true}\n')
    for query in _lines(stdin):
        answer = {"query": query["query"], "logprobs": [UNIFORM] * len(query["contexts"])}
        os.write(stdout, json.dumps(answer).encode() + b"\n")
        if query["query"] == STEPS - 1:
            return


def test_a_complete_conversation_records_scores_and_its_timing(talk):
    conversation = talk(_uniform)
    record = conversation.record
    assert conversation.finished() and conversation.stopped_the_run()
    assert record.ending is Ending.COMPLETED and record.answered == STEPS
    assert record.scores is not None and record.scores.public == pytest.approx(math.log2(65))
    assert record.query_phase_seconds is not None
    assert record.waiting_seconds + record.grader_seconds == pytest.approx(
        record.query_phase_seconds, abs=1e-6
    )


def test_an_answer_longer_than_its_cap_ends_the_conversation_without_buffering_it(talk):
    def chatty(stdin: int, stdout: int) -> None:
        os.write(stdout, b'{"ready": true}\n')
        for _ in range(200):  # 200 x 16 KiB: far more than the 16 KiB cap
            os.write(stdout, b"z" * 16384)

    conversation = talk(chatty)
    assert conversation.record.ending is Ending.VIOLATION
    # Depending on timing, before its query was sent or as its answer: either way, 16 KiB.
    assert "16 KiB" in conversation.record.violation


def test_a_program_whose_stdout_ends_and_which_is_seen_to_end_is_left_to_the_sandbox(talk):
    conversation = talk(lambda stdin, stdout: None, ended_after=0.3)
    assert conversation.record.ending is Ending.PROGRAM_ENDED
    assert not conversation.stopped_the_run()


def test_a_program_that_closes_stdout_but_keeps_running_breaks_the_protocol(talk):
    def closes(stdin: int, stdout: int) -> None:
        os.write(stdout, b'{"ready": true}\n')
        os.close(stdout)
        time.sleep(3)

    conversation = talk(closes, ended_after=10)
    assert conversation.record.ending is Ending.VIOLATION
    assert "closed its standard output before answering query 0" in conversation.record.violation


def test_a_program_that_closes_stdin_breaks_the_protocol(talk):
    def deaf(stdin: int, stdout: int) -> None:
        os.close(stdin)
        os.write(stdout, b'{"ready": true}\n')
        time.sleep(3)

    conversation = talk(deaf, ended_after=10)
    assert conversation.record.ending is Ending.VIOLATION
    assert "closed its standard input" in conversation.record.violation


def test_a_program_that_reads_no_query_is_stopped_by_the_query_budget(talk):
    def stuck(stdin: int, stdout: int) -> None:
        os.write(stdout, b'{"ready": true}\n')
        time.sleep(2)

    record = talk(stuck).record
    assert record.ending is Ending.VIOLATION
    assert "within the query phase's 1 s" in record.violation
    assert record.done_at is not None and record.done_at - record.started_at < 1.9


def test_the_wire_refuses_a_line_past_its_cap_while_still_sending():
    to_r, to_w = os.pipe()
    from_r, from_w = os.pipe()
    try:
        os.write(from_w, b"x" * 5000)
        wire = Wire(to_program=to_w, from_program=from_r, ended=threading.Event())
        with pytest.raises(Overlong) as caught:
            wire.exchange(b"q" * 200_000 + b"\n", max_bytes=1000, deadline=time.monotonic() + 2)
        assert caught.value.sending
    finally:
        for fd in (to_r, to_w, from_r, from_w):
            os.close(fd)


def test_the_log_is_read_once_just_before_the_first_query_leaves(talk):
    events: list[str] = []

    def log_so_far() -> str:
        events.append("log read")
        return "epoch 1 loss 2.1\n"

    def program(stdin: int, stdout: int) -> None:
        os.write(stdout, b'{"ready": true}\n')
        for query in _lines(stdin):
            events.append(f"query {query['query']} received")
            answer = {"query": query["query"], "logprobs": [UNIFORM] * len(query["contexts"])}
            os.write(stdout, json.dumps(answer).encode() + b"\n")
            if query["query"] == STEPS - 1:
                return

    record = talk(program, log_so_far=log_so_far).record
    assert events[:2] == ["log read", "query 0 received"] and events.count("log read") == 1
    assert record.queried and record.log_before_queries == "epoch 1 loss 2.1\n"


def test_a_program_that_never_gets_a_query_has_nothing_sealed(talk):
    record = talk(lambda stdin, stdout: None, ended_after=0.3).record
    assert not record.queried and record.log_before_queries == ""
