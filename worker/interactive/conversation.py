"""The harness's side of an interactive run: a sandbox ``Channel`` that drives an
environment. It waits for the ready line, then sends each query the environment
makes and hands it the program's answer, under the query phase's budget, and
records how the conversation ended. It never decides the run's verdict alone:
``harness.py`` weighs this record against what the sandbox observed.
"""

from __future__ import annotations

import enum
import threading
import time
from dataclasses import dataclass

from graders.errors import InvalidOutput
from graders.interactive import (
    MAX_READY_BYTES,
    Environment,
    ProtocolViolation,
    encode_query,
    parse_answer,
    parse_ready,
)
from graders.scores import Scores, check_range
from worker.interactive.wire import Closed, Ended, Overlong, Silent, Wire
from worker.sandbox.base import Channel, LogReader

# After the program's stdout ends, how long to wait for the run itself to end, so
# that a crash is reported as the crash (with its exit status), not as a closed pipe.
EXIT_GRACE_SECONDS = 2.0
KiB = 1024


class Ending(enum.Enum):
    RUNNING = "running"
    COMPLETED = "completed"  # every query answered; the scores are in
    VIOLATION = "violation"  # the program broke the protocol; we stopped it
    PROGRAM_ENDED = "program_ended"  # it exited or was killed: the sandbox says why


@dataclass
class Record:
    total_queries: int
    ending: Ending = Ending.RUNNING
    answered: int = 0
    violation: str = ""
    scores: Scores | None = None
    started_at: float = 0.0
    ready_at: float | None = None
    done_at: float | None = None
    waiting_seconds: float = 0.0  # in the query phase, waiting for the program
    grader_seconds: float = 0.0  # in the query phase, making queries and scoring answers
    # Once a query went out the program has seen hidden data: what it does after
    # is sealed from its author while the phase is open. The log as it stood just
    # before is what they see then.
    queried: bool = False
    log_before_queries: str = ""

    @property
    def query_phase_seconds(self) -> float | None:
        if self.ready_at is None or self.done_at is None:
            return None
        return self.done_at - self.ready_at


class Conversation(Channel):
    def __init__(
        self, *, environment: Environment, query_seconds: float, max_answer_bytes: int
    ) -> None:
        self.environment = environment
        self.query_seconds = query_seconds
        self.max_answer_bytes = max_answer_bytes
        self.record = Record(total_queries=environment.total_queries)
        self._finished = threading.Event()

    def finished(self) -> bool:
        return self._finished.is_set()

    def stopped_the_run(self) -> bool:
        """Whether the run was stopped because the conversation was over (not cancelled)."""
        return self.record.ending in (Ending.COMPLETED, Ending.VIOLATION)

    def converse(
        self,
        *,
        to_program: int,
        from_program: int,
        ended: threading.Event,
        log_so_far: LogReader,
    ) -> None:
        wire = Wire(to_program=to_program, from_program=from_program, ended=ended)
        self.record.started_at = time.monotonic()
        try:
            self._talk(wire, log_so_far)
            self.record.ending = Ending.COMPLETED
        except ProtocolViolation as exc:
            self._violation(f"Your program broke the interactive protocol: {exc}.")
        except InvalidOutput as exc:  # every answer was valid, but the score is not
            self._violation(str(exc))
        except Silent as exc:
            self._violation(self._silence(exc))
        except Overlong as exc:
            self._violation(self._overlong(exc))
        except Closed as exc:
            self._closed(exc, ended)
        except Ended:
            self.record.ending = Ending.PROGRAM_ENDED
        finally:
            if self.record.done_at is None:
                self.record.done_at = time.monotonic()
            self._finished.set()

    def _talk(self, wire: Wire, log_so_far: LogReader) -> None:
        parse_ready(wire.exchange(None, max_bytes=MAX_READY_BYTES))
        record = self.record
        record.ready_at = time.monotonic()
        deadline = record.ready_at + self.query_seconds
        waited = wire.waiting_seconds
        while (payload := self.environment.next_query()) is not None:
            if not record.queried:  # read before the query leaves: nothing after counts
                record.log_before_queries = log_so_far()
                record.queried = True
            line = wire.exchange(
                encode_query(record.answered, payload),
                max_bytes=self.max_answer_bytes,
                deadline=deadline,
            )
            self.environment.take_answer(parse_answer(line, number=record.answered))
            record.answered += 1
        # An environment may end before its most (every episode over): count what it asked.
        record.total_queries = record.answered
        low, high = self.environment.score_range
        record.scores = check_range(self.environment.scores(), low=low, high=high)
        record.done_at = time.monotonic()
        record.waiting_seconds = wire.waiting_seconds - waited
        record.grader_seconds = record.done_at - record.ready_at - record.waiting_seconds

    def _violation(self, reason: str) -> None:
        self.record.ending = Ending.VIOLATION
        self.record.violation = reason

    def _silence(self, exc: Silent) -> str:
        number, budget = self.record.answered, f"{self.query_seconds:g}"
        if exc.sending:
            return (
                f"Your program stopped reading its queries: query {number} could not be "
                f"delivered within the query phase's {budget} s."
            )
        return (
            f"Your program did not answer query {number} (of {self.record.total_queries}) "
            f"within the query phase's {budget} s, counted from its ready line."
        )

    def _overlong(self, exc: Overlong) -> str:
        if self.record.ready_at is None:
            return (
                f"Your program printed more than {MAX_READY_BYTES} bytes to stdout before "
                "its ready line; print logs and progress to stderr, not stdout."
            )
        cap = f"{self.max_answer_bytes // KiB} KiB"
        number = self.record.answered
        if exc.sending:
            return f"Your program printed more than {cap} to stdout before reading query {number}."
        return f"Your program's answer to query {number} is longer than an answer may be ({cap})."

    def _closed(self, exc: Closed, ended: threading.Event) -> None:
        # Usually the program exited: wait for the run's end, whose status says how.
        if ended.wait(EXIT_GRACE_SECONDS):
            self.record.ending = Ending.PROGRAM_ENDED
            return
        stream = "standard input" if exc.stdin else "standard output"
        when = (
            "before its ready line"
            if self.record.ready_at is None
            else f"before answering query {self.record.answered}"
        )
        self._violation(f"Your program closed its {stream} {when}, and kept running.")
